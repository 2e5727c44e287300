"""Mapping of GitHub client records (integrations.github.records) to Keel's models."""

from django.db import transaction

from apps.delivery.links import pull_refs
from apps.delivery.models import Deployment, GitHubRelease, PullRequest, Tag
from apps.ingestion.upserts import rows_upsert
from apps.organization.models import Repo
from apps.quality.models import GitHubIssue

PULL_FIELDS = [
    "repo",
    "number",
    "title",
    "body",
    "state",
    "user_login",
    "user_type",
    "head_ref",
    "issue_refs",
    "labels",
    "html_url",
    "created_at",
    "updated_at",
    "closed_at",
    "merged_at",
]
RELEASE_FIELDS = [
    "repo",
    "tag_name",
    "name",
    "draft",
    "prerelease",
    "created_at",
    "published_at",
    "html_url",
]
ISSUE_FIELDS = [
    "repo",
    "number",
    "title",
    "state",
    "state_reason",
    "labels",
    "user_login",
    "assignee_login",
    "html_url",
    "created_at",
    "updated_at",
    "closed_at",
]


def pull_row(repo: Repo, r) -> PullRequest:
    """A PullRequest from a PullRequestRecord (list item: size fields are filled separately)."""
    return PullRequest(
        repo=repo,
        github_id=r.id,
        number=r.number,
        title=r.title,
        body=r.body or "",
        state=r.state,
        user_login=r.user_login or "",
        user_type=r.user_type or "",
        head_ref=r.head_ref or "",
        issue_refs=pull_refs(r.title or "", r.head_ref or ""),
        labels=list(r.labels),
        html_url=r.html_url or "",
        created_at=r.created_at,
        updated_at=r.updated_at,
        closed_at=r.closed_at,
        merged_at=r.merged_at,
    )


def release_row(repo: Repo, r) -> GitHubRelease:
    return GitHubRelease(
        repo=repo,
        github_id=r.id,
        tag_name=r.tag_name,
        name=r.name or "",
        draft=r.draft,
        prerelease=r.prerelease,
        created_at=r.created_at,
        published_at=r.published_at,
        html_url=r.html_url or "",
    )


def issue_row(repo: Repo, r) -> GitHubIssue:
    return GitHubIssue(
        repo=repo,
        github_id=r.id,
        number=r.number,
        title=r.title or "",
        state=r.state,
        state_reason=r.state_reason or "",
        labels=list(r.labels),
        user_login=r.user_login or "",
        assignee_login=r.assignee_login or "",
        html_url=r.html_url or "",
        created_at=r.created_at,
        updated_at=r.updated_at,
        closed_at=r.closed_at,
    )


def tags_save(repo: Repo, records: list) -> int:
    """Upsert tags by (repo, name). A tag moved to another commit loses its commit date, so the
    next step fetches the new one."""
    known = dict(
        Tag.objects.filter(repo=repo, name__in=[r.name for r in records]).values_list("name", "sha")
    )
    moved = [r.name for r in records if r.name in known and known[r.name] != r.sha]
    if moved:
        Tag.objects.filter(repo=repo, name__in=moved).update(committed_at=None)
    new = [Tag(repo=repo, name=r.name, sha=r.sha) for r in records if known.get(r.name) != r.sha]
    return rows_upsert(model=Tag, rows=new, unique_fields=["repo", "name"], update_fields=["sha"])


def deployments_save(repo: Repo, records: list) -> int:
    """Upsert deployments by GitHub id, keeping the statuses already learned."""
    rows = [
        Deployment(
            repo=repo,
            github_id=r.id,
            environment=r.environment,
            sha=r.sha or "",
            ref=r.ref or "",
            created_at=r.created_at,
            updated_at=r.updated_at,
        )
        for r in records
    ]
    with transaction.atomic():
        return rows_upsert(
            model=Deployment,
            rows=rows,
            unique_fields=["github_id"],
            update_fields=["environment", "sha", "ref", "created_at", "updated_at"],
        )
