"""A sync process killed with SIGKILL in the middle of a page's writes, then run again: exactly the
rows of a clean sync, no duplicates, cursors and ETags never ahead of the data
(docs/operations.md#syncs-and-failures).

The sync runs in a child process (tests/faults/child.py) that shares the test's database; it
kills itself after writing part of the second page of the first repo's pull requests, inside
that page's transaction.
"""

import os
import signal
import subprocess
import sys

import pytest

from apps.delivery.models import PullRequest
from apps.ingestion.models import HttpValidator, SyncCursor, SyncRun
from apps.ingestion.runs import INTERRUPTED
from apps.ingestion.services import source_sync
from apps.organization.models import Source
from tests.faults.checks import github_state_ahead
from tests.faults.conftest import (
    GH_PAGE,
    ROOT,
    SharedDatabase,
    clean_rows,
    now_seconds,
    rows_snapshot,
    serving,
)

pytestmark = pytest.mark.django_db(transaction=True)


def sync_killed(shared: SharedDatabase, source: Source, label: str, page: int, rows: int) -> str:
    """Run the killing child against `source`; return its output. Fails unless it was killed."""
    shared.push()
    env = {
        **os.environ,
        "DATABASE_URL": shared.url(),
        "DJANGO_SETTINGS_MODULE": "config.settings.test",
    }
    child = subprocess.run(
        [sys.executable, "-m", "tests.faults.child", str(source.pk), label, str(page), str(rows)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    shared.pull()
    output = child.stdout + child.stderr
    assert child.returncode == -signal.SIGKILL, output
    return output


def test_killed_mid_page_then_run_again_gives_the_clean_rows(tmp_path, settings) -> None:
    now = now_seconds()
    want = clean_rows("github-rest", now)  # page-sized pulls: REST pages of 5

    with serving("github-rest", now) as upstream:
        source = upstream.make_source()
        sync_killed(SharedDatabase(tmp_path), source, "delivery.PullRequest", page=2, rows=3)
        first = upstream.world.repos[0].full_name
        # Page 1 of the first repo's pull requests was committed; the 3 rows written of page 2
        # were rolled back with its transaction; nothing later was reached.
        assert PullRequest.objects.filter(repo__full_name=first).count() == GH_PAGE
        assert PullRequest.objects.count() == GH_PAGE
        assert not SyncCursor.objects.filter(source=source, endpoint="pulls").exists()
        lists = {v.url.split("?")[0].rsplit("/", 1)[1] for v in HttpValidator.objects.all()}
        assert lists == {"releases", "tags", "deployments"}  # the lists finished before it
        assert github_state_ahead(upstream.world, source) == []
        killed = SyncRun.objects.get(source=source)
        assert killed.status == SyncRun.Status.RUNNING  # nobody was left to close it

        settings.KEEL_SYNC_RUN_STALE_SECONDS = 0  # the killed run is stale at once
        again = source_sync(source=Source.objects.get(pk=source.pk))

    assert again.status == "succeeded", again.error
    assert rows_snapshot() == want
    assert github_state_ahead(upstream.world, source) == []
    assert SyncCursor.objects.filter(source=source, endpoint="pulls").count() == 2
    killed.refresh_from_db()
    assert (killed.status, killed.error) == (SyncRun.Status.FAILED, INTERRUPTED)


def test_a_running_run_is_closed_only_once_it_is_stale(settings) -> None:
    with serving("pagerduty", now_seconds()) as upstream:
        source = upstream.make_source()
        settings.KEEL_SYNC_RUN_STALE_SECONDS = 3600
        running = SyncRun.objects.create(source=source, status="running", started_at=now_seconds())
        assert source_sync(source=source).status == "succeeded"  # a running run blocks nothing
        running.refresh_from_db()
        assert running.status == "running"  # it may still be alive
        settings.KEEL_SYNC_RUN_STALE_SECONDS = 0
        assert source_sync(source=source).status == "succeeded"
    running.refresh_from_db()
    assert (running.status, running.error) == ("failed", INTERRUPTED)
    assert running.finished_at is not None
