"""The life of a `SyncRun`: started, progressing, finished (succeeded, partial or failed).

Run bookkeeping is written outside the data transactions, so a failed sync still leaves a
visible, failed run with its error.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from django.utils import timezone

from apps.ingestion.models import SyncRun
from apps.organization.models import Source
from integrations.errors import NotFoundError

logger = logging.getLogger(__name__)
T = TypeVar("T")


@dataclass
class RunTally:
    """What a run did so far: rows upserted per `<scope>/<endpoint>`, and per-scope errors."""

    counts: dict[str, int] = field(default_factory=dict)
    scope_errors: dict[str, str] = field(default_factory=dict)
    stats: object | None = None  # the client's ClientStats, shared live with the client

    def add(self, scope: str, endpoint: str, rows: int) -> None:
        key = f"{scope}/{endpoint}"
        self.counts[key] = self.counts.get(key, 0) + rows

    @property
    def rows_written(self) -> int:
        return sum(self.counts.values())


def sync_run_start(*, source: Source, full: bool) -> SyncRun:
    """Create the run row in status `running`."""
    return SyncRun.objects.create(
        source=source, full=full, status=SyncRun.Status.RUNNING, started_at=timezone.now()
    )


def sync_run_progress(*, run: SyncRun, message: str) -> None:
    """Record a human-readable progress line (shown by the command and the sources page)."""
    run.progress = message[:500]
    SyncRun.objects.filter(pk=run.pk).update(progress=run.progress)


def sync_run_finish(
    *, run: SyncRun, tally: RunTally, stats: object | None, error: str = ""
) -> SyncRun:
    """Close the run: `failed` with `error`, `partial` when some scopes failed, else
    `succeeded`. `stats` is the client's ClientStats (requests, 304s, rate-limit waits)."""
    if error:
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
    run.save()
    return run


def scopes_sync(
    *, items: list[T], key: Callable[[T], str], noun: str, step: Callable[[T], None],
    tally: RunTally, progress: Callable[[str], None],
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
