"""Jira → Keel: the issues of a source's configured projects (bugs, bug-fix load and story points;
docs/metrics.md#jira-sync).

One JQL search per source over all its projects, `ORDER BY updated ASC`. Incremental runs ask
for `updated >= cursor - 5 min` (JQL has minute precision, read in the API user's zone, which
`/myself` gives), so a few issues are re-read and de-duplicated by id through the upsert. Each
page is upserted in its own transaction; the cursor is committed after the last page. A run
without a cursor (first or `--full`) also deletes the stored issues the search no longer
returns (deleted upstream, or moved to a project that is not configured).
# Jira: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/
"""

import time
from collections.abc import Callable
from datetime import datetime

from django.conf import settings
from django.db import transaction

from apps.ingestion.cursors import cursor_get, cursor_set
from apps.ingestion.runs import RunTally
from apps.ingestion.upserts import rows_upsert
from apps.organization.models import JiraProject, Source
from apps.organization.selectors import source_credentials
from apps.quality.models import JiraIssue
from integrations.jira import JiraClient, JiraIssueRecord

Progress = Callable[[str], None]
ISSUE_FIELDS = [
    "project",
    "key",
    "summary",
    "issue_type",
    "issue_type_id",
    "subtask",
    "priority",
    "status",
    "status_category",
    "resolution",
    "resolution_date",
    "status_category_changed_at",
    "created_at",
    "updated_at",
    "assignee_id",
    "assignee_name",
    "reporter_id",
    "reporter_name",
    "labels",
    "story_points",
]


def jira_client_build(
    *, source: Source, sleep: Callable[[float], None] | None = None
) -> JiraClient:
    """A JiraClient for `source` with its e-mail and token. Raises KeelError without them."""
    credentials = source_credentials(source=source)
    return JiraClient(
        source.base_url,
        credentials.email,
        credentials.token,
        timeout=settings.KEEL_HTTP_TIMEOUT_SECONDS,
        max_wait=settings.KEEL_MAX_RATE_LIMIT_WAIT_SECONDS,
        sleep=time.sleep if sleep is None else sleep,
    )


def issue_row(source: Source, project: JiraProject, r: JiraIssueRecord) -> JiraIssue:
    return JiraIssue(
        source=source,
        project=project,
        jira_id=r.id,
        key=r.key,
        summary=r.summary,
        issue_type=r.issue_type,
        issue_type_id=r.issue_type_id,
        subtask=r.subtask,
        priority=r.priority,
        status=r.status,
        status_category=r.status_category,
        resolution=r.resolution,
        resolution_date=r.resolution_date,
        status_category_changed_at=r.status_category_changed_at,
        created_at=r.created_at,
        updated_at=r.updated_at,
        assignee_id=r.assignee_id,
        assignee_name=r.assignee_name,
        reporter_id=r.reporter_id,
        reporter_name=r.reporter_name,
        labels=list(r.labels),
        story_points=r.story_points,
    )


def _save(source: Source, projects: dict[str, JiraProject], records: list) -> int:
    rows = {
        r.id: issue_row(source, projects[r.project_key], r)
        for r in records
        if r.project_key in projects
    }
    with transaction.atomic():
        return rows_upsert(
            model=JiraIssue,
            rows=list(rows.values()),
            unique_fields=["source", "jira_id"],
            update_fields=ISSUE_FIELDS,
        )


def jira_source_sync(
    *,
    source: Source,
    tally: RunTally,
    progress: Progress,
    full: bool,
    scopes: list[str] | None = None,
) -> None:
    """Sync every enabled project of a Jira source (the `sync` of the adapter in
    apps.ingestion.adapters.jira). `scopes` is accepted like every syncer's but ignored: one JQL
    search covers all projects at once. The issues of a disabled project are kept (not read,
    not removed) for when it is enabled."""
    client = jira_client_build(source=source)
    tally.stats = client.stats
    projects = {p.key: p for p in source.jira_projects.filter(enabled=True)}
    if not projects:
        return
    scope = ",".join(sorted(projects))  # a new project in the config means a full read
    since = None if full else cursor_get(source=source, scope=scope, endpoint="issues")
    time_zone = str(client.myself().get("timeZone") or "UTC")
    points_field = source.story_points_field or client.story_points_field_find()
    seen: set[int] = set()
    newest: datetime | None = None
    pages = client.issues_updated(
        projects, since=since, tz=time_zone, story_points_field=points_field
    )
    for page in pages:
        tally.add(scope, "issues", _save(source, projects, page.items))
        seen.update(r.id for r in page.items if r.project_key in projects)
        latest = max((r.updated_at for r in page.items), default=None)
        newest = latest if newest is None or (latest and latest > newest) else newest
        progress(f"jira {scope}: {len(seen)} issues read")
    with transaction.atomic():
        if since is None:
            tally.add(scope, "issues_removed", _remove_unseen(source, projects, seen))
        if newest is not None:
            cursor_set(source=source, scope=scope, endpoint="issues", value=newest)


def _remove_unseen(source: Source, projects: dict[str, JiraProject], seen: set[int]) -> int:
    """Delete the stored issues of the searched `projects` that a complete search did not
    return (deleted upstream, or moved to a project not searched); the count."""
    searched = JiraIssue.objects.filter(source=source, project__in=list(projects.values()))
    stored = set(searched.values_list("jira_id", flat=True))
    gone = sorted(stored - seen)
    for start in range(0, len(gone), 500):
        JiraIssue.objects.filter(source=source, jira_id__in=gone[start : start + 500]).delete()
    return len(gone)
