"""GitHub → Keel: one repo's releases, tags, deployments, pull requests and issues.

Every list is read page by page, each page upserted in its own transaction and the list's
cursor and ETag stored after its last page (apps.ingestion.repo_lists). Endpoints:
https://docs.github.com/en/rest (repos, releases, repos#list-repository-tags, deployments,
pulls, issues) and, for pull requests with their detail when the source's `api` is
`graphql`, https://docs.github.com/en/graphql (integrations.github.graphql).
"""

import time
from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from apps.delivery.models import Deployment, PullRequest, Release, Tag
from apps.ingestion import mapping_github as m
from apps.ingestion.change_details import change_details_tally
from apps.ingestion.cursors import cursor_get, validators_get
from apps.ingestion.repo_lists import list_sync, repos_to_sync, stored_at_cursor_drop
from apps.ingestion.runs import RunTally, StatsSum, scopes_sync
from apps.ingestion.upserts import change_note, rows_upsert
from apps.organization.models import Repo, Source
from apps.organization.selectors import source_credentials
from apps.quality.models import Issue
from integrations.github import GitHubClient
from integrations.github.detail import PullDetailRecord
from integrations.github.graphql import GitHubGraphQLClient
from integrations.http import Page

Progress = Callable[[str], None]


def _upsert_by_external_id(repo: Repo, model: type, to_row: Callable, fields: list[str]):
    """A page saver that upserts `to_row(repo, record)` rows by (repo, `external_id`)."""

    def save(items: list) -> int:
        rows = [to_row(repo, item) for item in items]
        return rows_upsert(model=model, rows=rows, unique_fields=m.REPO_KEY, update_fields=fields)

    return save


def repo_info_sync(*, client: GitHubClient, repo: Repo) -> None:
    """GET /repos/{owner}/{repo}: GitHub id and default branch. NotFoundError for a bad name."""
    record = client.get_repo(repo.full_name)
    if (repo.external_id, repo.default_branch) != (record.id, record.default_branch):
        repo.external_id, repo.default_branch = record.id, record.default_branch
        repo.save(update_fields=["external_id", "default_branch"])


def releases_sync(*, client: GitHubClient, repo: Repo, tally: RunTally, progress: Progress) -> None:
    """All releases (the list is short and has no `since`; its ETag makes a re-read free)."""
    save = _upsert_by_external_id(repo, Release, m.release_row, m.RELEASE_FIELDS)
    list_sync(
        repo=repo,
        endpoint="releases",
        pages=client.list_releases(repo.full_name),
        save=save,
        tally=tally,
        progress=progress,
    )


def tags_sync(*, client: GitHubClient, repo: Repo, tally: RunTally, progress: Progress) -> None:
    """All tags, then the committer date of each tag commit not yet known (one GET each, ever).
    Dates are fetched only for repos whose releases come from tags."""

    list_sync(
        repo=repo,
        endpoint="tags",
        pages=client.list_tags(repo.full_name),
        save=lambda items: m.tags_save(repo, items),
        tally=tally,
        progress=progress,
    )
    if repo.release_source != Repo.ReleaseSource.TAGS:
        return
    missing = Tag.objects.filter(repo=repo, committed_at__isnull=True).values_list("sha", flat=True)
    dates: dict[str, datetime] = {}
    for sha in sorted(set(missing)):
        dates[sha] = client.get_commit(repo.full_name, sha).committed_at
    with transaction.atomic():
        for sha, committed_at in dates.items():
            Tag.objects.filter(repo=repo, sha=sha).update(committed_at=committed_at)
            change_note([committed_at])
    tally.add(repo.full_name, "tag_commits", len(dates))


def deployments_sync(
    *, client: GitHubClient, repo: Repo, tally: RunTally, progress: Progress
) -> None:
    """All deployments, then the statuses of each deployment that changed and has no success
    yet (the earliest success never moves once known)."""

    list_sync(
        repo=repo,
        endpoint="deployments",
        pages=client.list_deployments(repo.full_name),
        save=lambda items: m.deployments_save(repo, items),
        tally=tally,
        progress=progress,
    )
    stale = Q(statuses_synced_at__isnull=True) | Q(updated_at__gt=F("statuses_synced_at"))
    pending = list(Deployment.objects.filter(stale, repo=repo, first_success_at__isnull=True))
    for deployment in pending:
        statuses = client.list_deployment_statuses(repo.full_name, deployment.external_id)
        successes = [s.created_at for s in statuses if s.state == "success"]
        Deployment.objects.filter(pk=deployment.pk).update(
            first_success_at=min(successes) if successes else None,
            statuses_synced_at=timezone.now(),
        )
        change_note([min(successes) if successes else None])
    tally.add(repo.full_name, "deployment_statuses", len(pending))


class PullDetailReader(Protocol):
    """A client that lists pull requests with their detail: GitHubGraphQLClient (one query per
    page of PRs) or GitHubClient (GET /pulls/{n} and its lists per PR)."""

    def list_pull_details(
        self, full_name: str, *, stop_before: datetime | None
    ) -> Iterator[Page[PullDetailRecord]]: ...


def pulls_sync(
    *, client: PullDetailReader, repo: Repo, tally: RunTally, progress: Progress
) -> None:
    """PRs of every state by `updated` descending, stopping at the cursor, each with its
    commits, reviews, files, draft and ready time, closing issues and merge commit; every page
    of PRs is stored with its detail in one transaction, the cursor after the last."""
    since = cursor_get(source=repo.source, scope=repo.full_name, endpoint="pulls")

    def save(records: list[PullDetailRecord]) -> int:
        fresh = stored_at_cursor_drop(
            model=PullRequest,
            repo=repo,
            records=records,
            since=since,
            external_id=lambda r: r.pull.id,
        )
        return change_details_tally(tally, repo, m.pull_details_save(repo, fresh))

    list_sync(
        repo=repo,
        endpoint="pulls",
        pages=client.list_pull_details(repo.full_name, stop_before=since),
        save=save,
        tally=tally,
        progress=progress,
        cursor=True,
    )


def issues_sync(*, client: GitHubClient, repo: Repo, tally: RunTally, progress: Progress) -> None:
    """Issues by `updated` descending down to the cursor, without the PRs GitHub mixes into
    that list (see GitHubClient.list_issues for why not `since=`)."""
    since = cursor_get(source=repo.source, scope=repo.full_name, endpoint="issues")
    list_sync(
        repo=repo,
        endpoint="issues",
        pages=client.list_issues(repo.full_name, stop_before=since),
        save=_upsert_by_external_id(repo, Issue, m.issue_row, m.ISSUE_FIELDS),
        tally=tally,
        progress=progress,
        cursor=True,
    )


def github_repo_sync(
    *,
    client: GitHubClient,
    repo: Repo,
    tally: RunTally,
    progress: Progress,
    full: bool = False,
    pulls_client: PullDetailReader | None = None,
) -> None:
    """Every endpoint of one repo, in dependency order. The repo itself is read when it was
    never read (or on a full sync): its id never changes and an incremental sync should cost
    one request per list endpoint when nothing changed. Pull requests are read with
    `pulls_client` (the source's `api`), everything else over REST, where ETags make an
    unchanged list one free 304 (docs/performance.md#github-graphql)."""
    if full or repo.external_id is None:
        repo_info_sync(client=client, repo=repo)
    for step in (releases_sync, tags_sync, deployments_sync):
        step(client=client, repo=repo, tally=tally, progress=progress)
    pulls_sync(client=pulls_client or client, repo=repo, tally=tally, progress=progress)
    issues_sync(client=client, repo=repo, tally=tally, progress=progress)


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


def github_source_sync(
    *,
    source: Source,
    tally: RunTally,
    progress: Progress,
    full: bool,
    scopes: list[str] | None = None,
) -> None:
    """Every enabled repo of a GitHub source (or those in `scopes`), one after the other (the
    adapter's `sync`, apps.ingestion.adapters.github)."""
    client = github_client_build(source=source)
    pulls_client: GitHubClient | GitHubGraphQLClient = client
    if source.api == Source.Api.GRAPHQL:
        pulls_client = github_graphql_client_build(source=source)
    clients = [client] if pulls_client is client else [client, pulls_client]
    tally.stats = StatsSum([c.stats for c in clients])  # kept even when the run fails part-way
    scopes_sync(
        items=repos_to_sync(source=source, scopes=scopes),
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
