"""Sync services: one run per source, the same code for the command, Celery and the demo.

Errors are mapped once (integrations/errors.py): a rejected token or a malformed page fails the
whole run with a clear message (nothing already stored is lost, cursors stay where their data is); a
repo that is not found fails only that repo (the run ends `partial`, the rest is synced).
"""

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import InterfaceError, OperationalError

from apps.core.errors import KeelError
from apps.ingestion.cursors import source_sync_state_reset, validators_get
from apps.ingestion.github_sync import github_repo_sync
from apps.ingestion.gitlab_sync import gitlab_source_sync
from apps.ingestion.jira_sync import jira_source_sync
from apps.ingestion.models import SyncRun
from apps.ingestion.pagerduty_sync import pagerduty_source_sync
from apps.ingestion.runs import (
    RunTally,
    database_error_describe,
    scopes_sync,
    sync_run_finish,
    sync_run_progress,
    sync_run_start,
)
from apps.ingestion.upserts import ChangeWindow, changes_tracked
from apps.organization.models import Source
from apps.organization.selectors import source_credentials
from integrations.errors import UpstreamError
from integrations.github import GitHubClient
from integrations.github.graphql import GitHubGraphQLClient
from integrations.http import ClientStats

logger = logging.getLogger(__name__)

Progress = Callable[[str], None]


def github_client_build(
    *, source: Source, sleep: Callable[[float], None] = time.sleep
) -> GitHubClient:
    """A GitHubClient for `source` with its secret, stored ETags and the configured limits.
    Raises KeelError when the source has no token."""
    credentials = source_credentials(source=source)
    return GitHubClient(
        source.base_url,
        credentials.token,
        validators=validators_get(source=source),
        timeout=settings.KEEL_HTTP_TIMEOUT_SECONDS,
        max_wait=settings.KEEL_MAX_RATE_LIMIT_WAIT_SECONDS,
        sleep=sleep,
    )


def github_graphql_client_build(
    *, source: Source, sleep: Callable[[float], None] = time.sleep
) -> GitHubGraphQLClient:
    """A GitHubGraphQLClient for `source` (pull requests with their detail). Raises KeelError
    when the source has no token."""
    credentials = source_credentials(source=source)
    return GitHubGraphQLClient(
        source.base_url,
        credentials.token,
        timeout=settings.KEEL_HTTP_TIMEOUT_SECONDS,
        max_wait=settings.KEEL_MAX_RATE_LIMIT_WAIT_SECONDS,
        sleep=sleep,
    )


@dataclass
class StatsSum:
    """The ClientStats of several clients of one run, summed when read."""

    parts: list[ClientStats]

    def __getattr__(self, name: str) -> Any:
        return sum(getattr(part, name) for part in self.parts)


def _github_source_sync(
    *,
    source: Source,
    tally: RunTally,
    progress: Progress,
    full: bool,
    scopes: list[str] | None = None,
) -> None:
    client = github_client_build(source=source)
    pulls_client: GitHubClient | GitHubGraphQLClient = client
    if source.api == Source.Api.GRAPHQL:
        pulls_client = github_graphql_client_build(source=source)
    clients = [client] if pulls_client is client else [client, pulls_client]
    tally.stats = StatsSum([c.stats for c in clients])  # kept even when the run fails part-way
    repos = list(source.repos.filter(enabled=True).select_related("source"))
    if scopes is not None:
        wanted = {s.lower() for s in scopes}
        repos = [r for r in repos if r.full_name.lower() in wanted]
    scopes_sync(
        items=repos,
        key=lambda r: r.full_name,
        noun="repo",
        tally=tally,
        progress=progress,
        step=lambda r: github_repo_sync(
            client=client,
            pulls_client=pulls_client,
            repo=r,
            tally=tally,
            progress=progress,
            full=full,
        ),
    )


# One syncer per source kind; each sets `tally.stats` to its client's stats and records
# per-scope failures in `tally.scope_errors`.
SYNCERS: dict[str, Callable[..., None]] = {
    Source.Kind.GITHUB: _github_source_sync,
    "gitlab": gitlab_source_sync,
    Source.Kind.JIRA: jira_source_sync,
    Source.Kind.PAGERDUTY: pagerduty_source_sync,
}


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
    `scopes` limits the run to those repos (GitHub) or services (PagerDuty); Jira, whose one
    search covers every project, syncs the whole source.
    """
    run = sync_run_start(source=source, full=full)
    tally, error, changes = RunTally(), "", ChangeWindow()
    progress = _throttled(run, echo)
    syncer = SYNCERS.get(source.kind)
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
