"""The life of a `SyncRun`: started, progressing, finished (succeeded, partial or failed).

Run bookkeeping is written outside the data transactions, so a failed sync still leaves a
visible, failed run with its error.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, Protocol, TypeVar

from django.conf import settings
from django.db import connection
from django.utils import timezone

from apps.ingestion.models import SyncRun
from apps.organization.models import Source
from integrations.errors import NotFoundError
from integrations.http import ClientStats

logger = logging.getLogger(__name__)
T = TypeVar("T")


class RunStats(Protocol):
    """What a run records of its clients' work: one client's ClientStats
    (integrations.http.types), or several summed (StatsSum)."""

    requests: int
    not_modified: int
    rate_limit_waits: int
    rate_limit_wait_seconds: float
    points: int


@dataclass
class RunTally:
    """What a run did so far: rows upserted per `<scope>/<endpoint>`, and per-scope errors."""

    counts: dict[str, int] = field(default_factory=dict)
    scope_errors: dict[str, str] = field(default_factory=dict)
    stats: RunStats | None = None  # the client's ClientStats, shared live with the client

    def add(self, scope: str, endpoint: str, rows: int) -> None:
        key = f"{scope}/{endpoint}"
        self.counts[key] = self.counts.get(key, 0) + rows

    @property
    def rows_written(self) -> int:
        return sum(self.counts.values())


INTERRUPTED = (
    "interrupted: the run never finished (its process or worker was killed, or the database "
    "went away); the pages it committed are kept and a later run re-reads the rest"
)


def sync_run_start(*, source: Source, full: bool) -> SyncRun:
    """Create the run row in status `running`, after closing the source's stale runs
    (`sync_runs_stale_fail`)."""
    sync_runs_stale_fail(source=source)
    return SyncRun.objects.create(
        source=source, full=full, status=SyncRun.Status.RUNNING, started_at=timezone.now()
    )


def sync_runs_stale_fail(*, source: Source) -> int:
    """Mark the source's runs still `running` after `KEEL_SYNC_RUN_STALE_SECONDS` (default: the
    sync task's hard time limit) as failed with `INTERRUPTED`. A process killed mid-run never
    closes its run; without this it would show as in progress forever. Returns how many."""
    age = timedelta(seconds=getattr(settings, "KEEL_SYNC_RUN_STALE_SECONDS", 3600))
    now = timezone.now()
    return SyncRun.objects.filter(
        source=source, status=SyncRun.Status.RUNNING, started_at__lte=now - age
    ).update(status=SyncRun.Status.FAILED, error=INTERRUPTED, finished_at=now)


def database_error_describe(exc: Exception) -> str:
    """A run error for a lost or refused database connection, naming the database (vendor and
    name, never the URL or its password) and the driver's first line."""
    lines = str(exc).strip().splitlines()
    detail = lines[0] if lines else type(exc).__name__
    name = connection.settings_dict.get("NAME")
    return (
        f"database unavailable ({connection.vendor} database '{name}'): {detail}; "
        "the pages committed before it are kept and the next run re-reads the rest"
    )


def connection_reset_if_broken() -> None:
    """Close this thread's database connection when a failed query left it unusable (the
    server was restarted, a failover, a killed backend), so that the next query opens a fresh
    one. Left alone inside a transaction, which a closed connection would break."""
    if connection.connection is None or connection.in_atomic_block:
        return
    if not connection.is_usable():
        connection.close()


def sync_run_progress(*, run: SyncRun, message: str) -> None:
    """Record a human-readable progress line (shown by the command and the sources page)."""
    run.progress = message[:500]
    SyncRun.objects.filter(pk=run.pk).update(progress=run.progress)


def sync_run_finish(
    *, run: SyncRun, tally: RunTally, stats: RunStats | None, error: str = ""
) -> SyncRun:
    """Close the run: `failed` with `error`, `partial` when some scopes failed, else
    `succeeded`. `stats` is the client's ClientStats (requests, 304s, rate-limit waits).
    After an error the connection is checked first: a sync that failed because the database
    went away is recorded on a fresh connection once the database answers again."""
    if error:
        connection_reset_if_broken()
        run.status = SyncRun.Status.FAILED
    elif tally.scope_errors:
        run.status = SyncRun.Status.PARTIAL
    else:
        run.status = SyncRun.Status.SUCCEEDED
    run.error = error
    run.counts = tally.counts
    run.scope_errors = tally.scope_errors
    run.finished_at = timezone.now()
    if stats is not None:
        run.requests_made = stats.requests
        run.not_modified = stats.not_modified
        run.rate_limit_waits = stats.rate_limit_waits
        run.rate_limit_wait_seconds = stats.rate_limit_wait_seconds
        run.points_spent = stats.points
    run.save()
    return run


def scopes_sync(
    *,
    items: list[T],
    key: Callable[[T], str],
    noun: str,
    step: Callable[[T], None],
    tally: RunTally,
    progress: Callable[[str], None],
) -> None:
    """Run `step` for each scope of a source (a repo, a service) in order. A scope the upstream
    does not know (404) is recorded in `tally.scope_errors` as "<noun> not found (404) at URL"
    and the others still sync (the run ends `partial`); any other error stops the run."""
    for index, item in enumerate(items, start=1):
        name = key(item)
        progress(f"{noun} {index}/{len(items)}: {name}")
        try:
            step(item)
        except NotFoundError as exc:
            tally.scope_errors[name] = f"{noun} not found (404) at {exc.url}"
            logger.warning("%s %s not found upstream", noun, name)


@dataclass
class StatsSum:
    """The ClientStats of several clients of one run, summed when read."""

    parts: list[ClientStats]

    def __getattr__(self, name: str) -> Any:
        return sum(getattr(part, name) for part in self.parts)
