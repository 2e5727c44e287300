"""GitLab → Keel: one project's releases, tags, deployments, merge requests and issues, and the
projects of a group.

As the GitHub sync (apps.ingestion.github_sync): every list is read page by page, each page is
upserted in its own transaction (idempotent, keyed by GitLab ids within the repo), and a list's
cursor (the newest `updated_at` seen) and first-page ETag are stored only after its last page is
committed. Merge requests, deployments and issues are read from the cursor on
(`updated_after`, which GitLab includes): what is stored as of the cursor is dropped before any
detail is requested, so a sync with nothing new costs one request per list. Releases and tags
have no `updated_after`; their first page is asked with `If-None-Match`.
Endpoints: https://docs.gitlab.com/ee/api/ (projects, merge_requests, notes, tags, releases,
deployments, issues, groups).
"""

import time
from collections.abc import Callable, Iterator
from datetime import datetime

from django.conf import settings
from django.db import models, transaction

from apps.delivery.models import Deployment, PullRequest, Release
from apps.ingestion import mapping_gitlab as m
from apps.ingestion.change_details import change_details_tally
from apps.ingestion.cursors import cursor_get, validators_get
from apps.ingestion.repo_lists import list_sync, repos_to_sync, stored_at_cursor_drop
from apps.ingestion.runs import RunTally, scopes_sync
from apps.organization.models import Repo, RepoGroup, Source
from apps.organization.selectors import source_credentials
from apps.organization.services import GROUP_REPO_FIELDS
from apps.quality.models import Issue
from integrations.gitlab import GitLabClient, MergeRequestDetailRecord, MergeRequestRecord
from integrations.http import Page

Progress = Callable[[str], None]


def gitlab_client_build(
    *, source: Source, sleep: Callable[[float], None] = time.sleep
) -> GitLabClient:
    """A GitLabClient for `source` (its token sent as `PRIVATE-TOKEN`), with its stored ETags
    and the configured limits. Raises KeelError when the source has no token."""
    credentials = source_credentials(source=source)
    return GitLabClient(
        source.base_url,
        credentials.token,
        validators=validators_get(source=source),
        timeout=settings.KEEL_HTTP_TIMEOUT_SECONDS,
        max_wait=settings.KEEL_MAX_RATE_LIMIT_WAIT_SECONDS,
        sleep=sleep,
    )


def gitlab_source_sync(
    *,
    source: Source,
    tally: RunTally,
    progress: Progress,
    full: bool,
    scopes: list[str] | None = None,
) -> None:
    """The projects of the source's enabled groups are found first, then every enabled project
    (or those named in `scopes`) is synced, one after the other; a group or project GitLab
    does not know fails alone (the run ends partial)."""
    client = gitlab_client_build(source=source)
    tally.stats = client.stats  # kept even when the run fails part-way
    if scopes is None:  # a webhook's sync names its project: the groups are not re-read
        scopes_sync(
            items=list(source.repo_groups.filter(enabled=True)),
            key=lambda g: g.path,
            noun="group",
            tally=tally,
            progress=progress,
            step=lambda g: tally.add(
                g.path, "projects", group_projects_sync(client=client, group=g)
            ),
        )
    scopes_sync(
        items=repos_to_sync(source=source, scopes=scopes),
        key=lambda r: r.full_name,
        noun="project",
        tally=tally,
        progress=progress,
        step=lambda r: gitlab_project_sync(
            client=client, repo=r, tally=tally, progress=progress, full=full
        ),
    )


def project_info_sync(*, client: GitLabClient, repo: Repo) -> None:
    """GET /projects/:id: the project id and default branch. NotFoundError for a bad path."""
    record = client.get_project(repo.full_name)
    if (repo.external_id, repo.default_branch) != (record.id, record.default_branch):
        repo.external_id, repo.default_branch = record.id, record.default_branch
        repo.save(update_fields=["external_id", "default_branch"])


def _unseen(model: type[models.Model], repo: Repo, records: list, since: datetime | None) -> list:
    """`records` without those stored as of the cursor (the list is read from it inclusive)."""
    return stored_at_cursor_drop(
        model=model, repo=repo, records=records, since=since, external_id=lambda r: r.id
    )


def releases_sync(*, client: GitLabClient, repo: Repo, tally: RunTally, progress: Progress) -> None:
    """All releases (a short list without `updated_after`; its ETag makes a re-read free)."""
    list_sync(
        repo=repo,
        endpoint="releases",
        pages=client.list_releases(repo.full_name),
        save=lambda items: m.rows_save(repo, Release, m.release_row, m.RELEASE_FIELDS, items),
        tally=tally,
        progress=progress,
    )


def tags_sync(*, client: GitLabClient, repo: Repo, tally: RunTally, progress: Progress) -> None:
    """All tags with their commit dates (in the list: no request per tag)."""
    list_sync(
        repo=repo,
        endpoint="tags",
        pages=client.list_tags(repo.full_name),
        save=lambda items: m.tags_save(repo, items),
        tally=tally,
        progress=progress,
    )


def _updated_rows_sync(
    *,
    repo: Repo,
    endpoint: str,
    list_pages: Callable[..., Iterator[Page]],
    model: type[models.Model],
    to_row: Callable,
    fields: list[str],
    tally: RunTally,
    progress: Progress,
) -> None:
    """The `endpoint` list read from its cursor on (`updated_after`), upserted as `to_row`
    rows of `model` without those stored as of the cursor; the cursor after the last page."""
    since = cursor_get(source=repo.source, scope=repo.full_name, endpoint=endpoint)

    def save(items: list) -> int:
        fresh = _unseen(model, repo, items, since)
        return m.rows_save(repo, model, to_row, fields, fresh)

    list_sync(
        repo=repo,
        endpoint=endpoint,
        pages=list_pages(repo.full_name, updated_after=since),
        save=save,
        tally=tally,
        progress=progress,
        cursor=True,
    )


def deployments_sync(
    *, client: GitLabClient, repo: Repo, tally: RunTally, progress: Progress
) -> None:
    """Deployments of every environment updated from the cursor on, with their success time."""
    _updated_rows_sync(
        repo=repo,
        endpoint="deployments",
        list_pages=client.list_deployments,
        model=Deployment,
        to_row=m.deployment_row,
        fields=m.DEPLOYMENT_FIELDS,
        tally=tally,
        progress=progress,
    )


def _details(
    client: GitLabClient,
    repo: Repo,
    pages: Iterator[Page[MergeRequestRecord]],
    since: datetime | None,
) -> Iterator[Page[MergeRequestDetailRecord]]:
    """Each page of merge requests with the detail of those not already stored as of `since`
    (their commits, notes and diffs are requested only for them)."""
    for page in pages:
        fresh = _unseen(PullRequest, repo, page.items, since)
        details = [client.get_merge_request_detail(repo.full_name, mr) for mr in fresh]
        yield Page(url=page.url, etag=page.etag, items=details, not_modified=page.not_modified)


def merge_requests_sync(
    *, client: GitLabClient, repo: Repo, tally: RunTally, progress: Progress
) -> None:
    """Merge requests of every state updated from the cursor on, oldest update first, each with
    its commits, approvals and files; a page is stored with its detail in one transaction."""
    since = cursor_get(source=repo.source, scope=repo.full_name, endpoint="merge_requests")

    def save(records: list[MergeRequestDetailRecord]) -> int:
        return change_details_tally(tally, repo, m.merge_requests_save(repo, records))

    pages = client.list_merge_requests(repo.full_name, updated_after=since)
    list_sync(
        repo=repo,
        endpoint="merge_requests",
        pages=_details(client, repo, pages, since),
        save=save,
        tally=tally,
        progress=progress,
        cursor=True,
    )


def issues_sync(*, client: GitLabClient, repo: Repo, tally: RunTally, progress: Progress) -> None:
    """Issues of every state and type updated from the cursor on."""
    _updated_rows_sync(
        repo=repo,
        endpoint="issues",
        list_pages=client.list_issues,
        model=Issue,
        to_row=m.issue_row,
        fields=m.ISSUE_FIELDS,
        tally=tally,
        progress=progress,
    )


def gitlab_project_sync(
    *, client: GitLabClient, repo: Repo, tally: RunTally, progress: Progress, full: bool = False
) -> None:
    """Every list of one project (`repo.full_name` is its path). The project itself is read
    when its id is not known yet (or on a full sync)."""
    if full or repo.external_id is None:
        project_info_sync(client=client, repo=repo)
    for step in (releases_sync, tags_sync, deployments_sync, merge_requests_sync, issues_sync):
        step(client=client, repo=repo, tally=tally, progress=progress)


def group_projects_sync(*, client: GitLabClient, group: RepoGroup) -> int:
    """The projects of `group` and its subgroups as repos of its source, with the group's
    settings: new ones are created, those that left the group are disabled (their rows stay),
    those back in it enabled again. A project configured by name, or found first in another
    group, is left as it is. Returns how many repos were created."""
    projects = [p for page in client.list_group_projects(group.path) for p in page.items]
    listed = {p.path.lower(): p for p in projects}
    known = {r.full_name.lower(): r for r in Repo.objects.filter(source=group.source)}
    shared = {name: getattr(group, name) for name in GROUP_REPO_FIELDS}
    mine = [r for r in known.values() if r.group_id == group.pk]
    with transaction.atomic():
        new = [
            Repo(
                source=group.source,
                full_name=p.path,
                group=group,
                external_id=p.id,
                default_branch=p.default_branch,
                **shared,
            )
            for path, p in listed.items()
            if path not in known
        ]
        Repo.objects.bulk_create(new)
        back = [r.pk for r in mine if r.full_name.lower() in listed and not r.enabled]
        gone = [r.pk for r in mine if r.full_name.lower() not in listed and r.enabled]
        Repo.objects.filter(pk__in=back).update(enabled=True)
        Repo.objects.filter(pk__in=gone).update(enabled=False)
    return len(new)
