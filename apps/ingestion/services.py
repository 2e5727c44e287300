"""Sync services: one run per source, the same code for the command, Celery and the demo.

Errors are mapped once (integrations/errors.py): a rejected token or a malformed page fails the
whole run with a clear message (nothing already stored is lost, cursors stay where their data is); a
repo that is not found fails only that repo (the run ends `partial`, the rest is synced).
"""

import logging
import time
from collections.abc import Callable

from django.db import InterfaceError, OperationalError

from apps.core.errors import KeelError
from apps.ingestion.cursors import source_sync_state_reset
from apps.ingestion.models import SyncRun
from apps.ingestion.runs import (
    RunTally,
    database_error_describe,
    sync_run_finish,
    sync_run_progress,
    sync_run_start,
)
from apps.ingestion.upserts import ChangeWindow, changes_tracked
from apps.organization.models import Source
from apps.organization.sources import source_adapter
from integrations.errors import UpstreamError

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


def _throttled(run: SyncRun, echo: Progress | None) -> Progress:
    last = [0.0]

    def progress(message: str) -> None:
        if echo is not None:
            echo(message)
        now = time.monotonic()
        if now - last[0] >= 1.0:
            last[0] = now
            sync_run_progress(run=run, message=message)

    return progress


def source_sync(
    *,
    source: Source,
    full: bool = False,
    echo: Progress | None = None,
    scopes: list[str] | None = None,
) -> SyncRun:
    """Sync one source now, in this process. Returns the finished SyncRun (never raises for an
    upstream or configuration problem: the run is `failed` with the error instead).

    `full` forgets the source's cursors and ETags first, so everything is read again.
    `scopes` limits the run to those scopes (repos, services: the adapter's `scope_noun`) where
    the kind syncs scope by scope; a kind whose one search covers every scope (Jira) syncs the
    whole source.
    """
    run = sync_run_start(source=source, full=full)
    tally, error, changes = RunTally(), "", ChangeWindow()
    progress = _throttled(run, echo)
    # Each kind's syncer (its adapter's `sync`, apps.organization.sources) sets `tally.stats` to
    # its clients' stats and records per-scope failures in `tally.scope_errors`.
    adapter = source_adapter(source.kind)
    syncer = adapter.sync if adapter is not None else None
    try:
        if syncer is None:
            raise KeelError(f"source '{source.name}': syncing {source.kind} is not available yet")
        if full:
            source_sync_state_reset(source=source)
        with changes_tracked(changes):
            syncer(source=source, tally=tally, progress=progress, full=full, scopes=scopes)
    except (UpstreamError, KeelError) as exc:
        error = f"{source.kind} source '{source.name}': {exc}"
        logger.error("sync failed: %s", error)
    except (OperationalError, InterfaceError) as exc:  # the database went away mid-run
        error = f"{source.kind} source '{source.name}': {database_error_describe(exc)}"
        logger.error("sync failed: %s", error)
    except Exception as exc:  # noqa: BLE001 - any other failure still closes the run
        error = f"{source.kind} source '{source.name}': unexpected {type(exc).__name__}: {exc}"
        logger.exception("sync crashed")
    run.changed_from = changes.earliest  # committed pages count even when the run failed
    run = sync_run_finish(run=run, tally=tally, stats=tally.stats, error=error)
    progress(f"done: {run.status}, {tally.rows_written} rows, {run.requests_made} requests")
    return run


def sources_sync(
    *, names: list[str] | None = None, full: bool = False, echo: Progress | None = None
) -> list[SyncRun]:
    """Sync the enabled sources (or those named), one after the other; a failure of one never
    stops the others. Raises KeelError for a name that is not configured."""
    sources = Source.objects.filter(enabled=True).order_by("name")
    if names:
        unknown = sorted(set(names) - set(Source.objects.values_list("name", flat=True)))
        if unknown:
            raise KeelError(f"unknown source(s): {', '.join(unknown)}")
        sources = sources.filter(name__in=names)
    return [source_sync(source=s, full=full, echo=echo) for s in sources]
