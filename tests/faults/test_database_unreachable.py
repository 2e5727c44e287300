"""The database goes away during a sync: the run is failed with a clear error naming the database,
nothing committed is lost, no cursor or ETag gets ahead of the data, and the next run completes with
the rows of a clean sync (docs/operations.md#syncs-and-failures).

PostgreSQL: the sync's own server backend is terminated (`pg_terminate_backend`) from another
connection just before it writes the second page of pull requests, like a server restart or a
failover. SQLite has no server to lose: the same query fails with the OperationalError SQLite
raises when it cannot open its file. Both go through Django's `execute_wrapper` hook.
"""

from collections.abc import Callable
from typing import Any

import pytest
from django.db import OperationalError, connection, connections

from apps.delivery.models import PullRequest
from apps.ingestion.models import SyncCursor, SyncRun
from apps.ingestion.services import source_sync
from apps.organization.models import Source
from tests.faults.checks import github_state_ahead
from tests.faults.conftest import (
    GH_PAGE,
    clean_rows,
    now_seconds,
    rows_snapshot,
    serving,
)

pytestmark = pytest.mark.django_db(transaction=True)


class DatabaseLost:
    """An `execute_wrapper` that makes the database go away at the `nth` query starting with
    `verb` on `table`."""

    def __init__(self, verb: str, table: str, nth: int) -> None:
        self.verb, self.table, self.nth, self.seen, self.fired = verb, table, nth, 0, False

    def __call__(self, execute: Callable, sql: str, params: Any, many: bool, context: dict):
        if sql.startswith(self.verb) and f'"{self.table}"' in sql.split(" WHERE ")[0]:
            self.seen += 1
            if self.seen == self.nth:
                self.fired = True
                self._lose()
        return execute(sql, params, many, context)

    def _lose(self) -> None:
        if connection.vendor != "postgresql":
            raise OperationalError("unable to open database file")
        pid = connection.connection.info.backend_pid
        other = connections.create_connection("default")
        try:
            with other.cursor() as cursor:
                cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        finally:
            other.close()


# Where the database goes away: writing page 2 of the first repo's pull requests (inside the
# page's transaction), or reading that list's cursor (no transaction: the broken connection
# stays open until the run's bookkeeping replaces it).
WHERE = {
    "page write": (("INSERT INTO", PullRequest._meta.db_table, 2), GH_PAGE),
    "cursor read": (("SELECT", SyncCursor._meta.db_table, 1), 0),
}


@pytest.mark.parametrize("where", WHERE)
def test_database_lost_mid_sync_fails_the_run_and_the_next_run_completes(where: str) -> None:
    (verb, table, nth), pulls_kept = WHERE[where]
    now = now_seconds()
    want = clean_rows("github-rest", now)  # page-sized pulls: REST pages of 5

    with serving("github-rest", now) as upstream:
        source = upstream.make_source()
        lost = DatabaseLost(verb, table, nth)
        with connection.execute_wrapper(lost):
            run = source_sync(source=source)
        assert lost.fired

        stored = SyncRun.objects.get(pk=run.pk)  # written after the loss, on a new connection
        assert stored.status == SyncRun.Status.FAILED
        name = connection.settings_dict["NAME"]
        assert f"database unavailable ({connection.vendor} database '{name}')" in stored.error
        assert stored.error.startswith("github source 'gh': ")
        # What was committed is kept (page 1 of the first repo's pull requests when the loss
        # hit page 2), and no cursor or ETag covers what is missing.
        assert PullRequest.objects.count() == pulls_kept
        assert not SyncCursor.objects.filter(source=source, endpoint="pulls").exists()
        assert github_state_ahead(upstream.world, source) == []

        again = source_sync(source=Source.objects.get(pk=source.pk))
    assert again.status == "succeeded", again.error
    assert rows_snapshot() == want
    assert github_state_ahead(upstream.world, source) == []
