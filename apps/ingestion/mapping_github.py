"""Mapping of GitHub client records (integrations.github.records) to Keel's models."""

from django.db import transaction

from apps.delivery.links import pull_refs
from apps.delivery.models import (
    Deployment,
    PullRequest,
    PullRequestCommit,
    PullRequestFile,
    PullRequestReview,
    Release,
    Tag,
)
from apps.ingestion.change_details import REPO_KEY, ChangeDetail, change_details_save
from apps.ingestion.upserts import rows_upsert
from apps.organization.models import Repo
from apps.quality.models import Issue

# The `provider` of every row this module writes (Source.kind of GitHub sources).
PROVIDER = "github"
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
        provider=PROVIDER,
        external_id=r.id,
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


def pull_detail_row(repo: Repo, d) -> PullRequest:
    """A PullRequest with its detail fields from a PullDetailRecord."""
    row = pull_row(repo, d.pull)
    row.additions, row.deletions = d.pull.additions, d.pull.deletions
    row.changed_files = d.changed_files
    row.commits_count = d.commits_total
    row.is_draft = d.draft
    row.ready_for_review_at = d.ready_for_review_at
    row.user_is_bot = d.pull.user_type == "Bot"
    row.closing_issue_refs = list(d.closing_issues)
    row.merge_commit_sha = d.merge_commit_sha
    return row


def pull_details_save(repo: Repo, records: list) -> dict[str, int]:
    """Upsert pull requests (PullDetailRecord) with their commits, reviews and files, and
    delete the stored children they no longer have (see `change_details_save`). Returns rows
    sent per kind: {"pulls", "pull_commits", "pull_reviews", "pull_files"}. Call inside the
    transaction that commits the page."""
    return change_details_save(repo=repo, details=[_change_detail(repo, d) for d in records])


def _change_detail(repo: Repo, d) -> ChangeDetail:
    return ChangeDetail(
        pull=pull_detail_row(repo, d),
        commits=[
            PullRequestCommit(
                sha=c.sha,
                message=c.message,
                author_login=c.author_login or "",
                authored_at=c.authored_at,
                committed_at=c.committed_at,
            )
            for c in d.commits
        ],
        reviews=[
            PullRequestReview(
                external_id=r.id,
                state=r.state,
                author_login=r.author_login,
                author_type=r.author_type,
                submitted_at=r.submitted_at,
            )
            for r in d.reviews
        ],
        files=[
            PullRequestFile(path=f.path, additions=f.additions, deletions=f.deletions)
            for f in d.files
        ],
    )


def release_row(repo: Repo, r) -> Release:
    return Release(
        repo=repo,
        provider=PROVIDER,
        external_id=r.id,
        tag_name=r.tag_name,
        name=r.name or "",
        draft=r.draft,
        prerelease=r.prerelease,
        created_at=r.created_at,
        published_at=r.published_at,
        html_url=r.html_url or "",
    )


def issue_row(repo: Repo, r) -> Issue:
    return Issue(
        repo=repo,
        provider=PROVIDER,
        external_id=r.id,
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
    new = [
        Tag(repo=repo, provider=PROVIDER, name=r.name, sha=r.sha)
        for r in records
        if known.get(r.name) != r.sha
    ]
    return rows_upsert(model=Tag, rows=new, unique_fields=["repo", "name"], update_fields=["sha"])


def deployments_save(repo: Repo, records: list) -> int:
    """Upsert deployments by GitHub id within the repo, keeping the statuses already learned."""
    rows = [
        Deployment(
            repo=repo,
            provider=PROVIDER,
            external_id=r.id,
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
            unique_fields=REPO_KEY,
            update_fields=["environment", "sha", "ref", "created_at", "updated_at"],
        )
