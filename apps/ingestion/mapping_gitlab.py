"""Mapping of GitLab client records (integrations.gitlab) to Keel's provider-neutral models.

GitLab's words become the ones the metrics read (docs/metrics.md): a merge request is a
`PullRequest` (its `iid` the number, `opened`/`locked` → `open`, `merged`/`closed` → `closed`,
`closed_at` of a merged one its `merged_at`), an approval a `PullRequestReview` (APPROVED, or
DISMISSED once unapproved), an issue's `opened` → `open`. A bot is a project or group access
token's user (`project_<id>_bot_…`, `group_<id>_bot_…`).
# GitLab: https://docs.gitlab.com/ee/user/project/settings/project_access_tokens.html#bot-users-for-projects
"""

import hashlib
import re

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
from apps.ingestion.change_details import REPO_KEY, ChangeDetail, change_details_save, unique
from apps.ingestion.upserts import rows_upsert
from apps.organization.models import Repo
from apps.quality.models import Issue
from integrations.gitlab import (
    DeploymentRecord,
    IssueRecord,
    MergeRequestDetailRecord,
    ReleaseRecord,
    TagRecord,
)
from integrations.gitlab.detail import closing_refs

PROVIDER = "gitlab"
BOT_USERNAME = re.compile(r"^(project|group)_\d+_bot(_[0-9a-f]+)?\d*$")
RELEASE_FIELDS = ["tag_name", "name", "created_at", "published_at", "html_url"]
ISSUE_FIELDS = [
    "number",
    "title",
    "state",
    "labels",
    "user_login",
    "assignee_login",
    "html_url",
    "created_at",
    "updated_at",
    "closed_at",
]
DEPLOYMENT_FIELDS = ["environment", "sha", "ref", "created_at", "updated_at", "first_success_at"]


def user_type(username: str | None) -> str:
    """ "Bot" for a project or group access token's user, else "User"."""
    return "Bot" if username and BOT_USERNAME.match(username) else "User"


def release_external_id(tag_name: str) -> int:
    """A GitLab release has no id (it is its project's tag): a stable 63-bit number from the
    tag name stands for it, unique within the repo."""
    return int.from_bytes(hashlib.sha256(tag_name.encode()).digest()[:8], "big") >> 1


def pull_detail_row(repo: Repo, d: MergeRequestDetailRecord) -> PullRequest:
    mr = d.merge_request
    return PullRequest(
        repo=repo,
        provider=PROVIDER,
        external_id=mr.id,
        number=mr.iid,
        title=mr.title,
        body=mr.description,
        state="open" if mr.state in ("opened", "locked") else "closed",
        user_login=mr.author_username or "",
        user_type=user_type(mr.author_username),
        head_ref=mr.source_branch,
        issue_refs=pull_refs(mr.title, mr.source_branch),
        labels=list(mr.labels),
        html_url=mr.web_url,
        created_at=mr.created_at,
        updated_at=mr.updated_at,
        closed_at=mr.closed_at or mr.merged_at,
        merged_at=mr.merged_at,
        additions=d.additions,
        deletions=d.deletions,
        changed_files=len(d.files),
        commits_count=len(d.commits),
        is_draft=mr.draft,
        ready_for_review_at=d.ready_at,
        user_is_bot=user_type(mr.author_username) == "Bot",
        closing_issue_refs=list(closing_refs(mr.description, repo.full_name)),
        merge_commit_sha=(mr.merge_commit_sha or mr.sha) if mr.merged_at else "",
    )


def merge_requests_save(repo: Repo, records: list[MergeRequestDetailRecord]) -> dict[str, int]:
    """Upsert merge requests with their commits, approvals and files, and delete the stored
    children they no longer have (see `change_details_save`). Returns rows sent per kind
    ("pulls", "pull_commits", "pull_reviews", "pull_files"). Call inside the transaction that
    commits the page."""
    return change_details_save(repo=repo, details=[_change_detail(repo, d) for d in records])


def _change_detail(repo: Repo, d: MergeRequestDetailRecord) -> ChangeDetail:
    return ChangeDetail(
        pull=pull_detail_row(repo, d),
        commits=[
            PullRequestCommit(
                sha=c.sha,
                message=c.title,
                author_login="",  # GitLab names a commit's author, not an account
                authored_at=c.authored_at,
                committed_at=c.committed_at,
            )
            for c in d.commits
        ],
        reviews=[
            PullRequestReview(
                external_id=a.id,
                state=a.state,
                author_login=a.author_username,
                author_type=user_type(a.author_username),
                submitted_at=a.submitted_at,
            )
            for a in d.approvals
        ],
        files=[
            PullRequestFile(path=f.path, additions=f.additions, deletions=f.deletions)
            for f in d.files
        ],
    )


def release_row(repo: Repo, r: ReleaseRecord) -> Release:
    """An upcoming release (`released_at` in the future) is stored unpublished."""
    return Release(
        repo=repo,
        provider=PROVIDER,
        external_id=release_external_id(r.tag_name),
        tag_name=r.tag_name,
        name=r.name,
        created_at=r.created_at,
        published_at=None if r.upcoming else r.released_at or r.created_at,
        html_url=r.web_url,
    )


def issue_row(repo: Repo, r: IssueRecord) -> Issue:
    return Issue(
        repo=repo,
        provider=PROVIDER,
        external_id=r.id,
        number=r.iid,
        title=r.title,
        state="open" if r.state == "opened" else "closed",
        state_reason="",
        labels=list(r.labels),
        user_login=r.author_username or "",
        assignee_login=r.assignee_username or "",
        html_url=r.web_url,
        created_at=r.created_at,
        updated_at=r.updated_at,
        closed_at=r.closed_at,
    )


def deployment_row(repo: Repo, r: DeploymentRecord) -> Deployment:
    """A successful deployment's success time is its job's `finished_at`, else its last
    update (GitLab lists no statuses per deployment)."""
    succeeded = r.finished_at or r.updated_at if r.status == "success" else None
    return Deployment(
        repo=repo,
        provider=PROVIDER,
        external_id=r.id,
        environment=r.environment,
        sha=r.sha,
        ref=r.ref,
        created_at=r.created_at,
        updated_at=r.updated_at,
        first_success_at=succeeded,
    )


def tags_save(repo: Repo, records: list[TagRecord]) -> int:
    """Upsert tags by (repo, name) with their commit's date (GitLab's list embeds it)."""
    rows = [
        Tag(repo=repo, provider=PROVIDER, name=r.name, sha=r.sha, committed_at=r.committed_at)
        for r in unique(records, key=lambda r: r.name)
    ]
    return rows_upsert(
        model=Tag, rows=rows, unique_fields=["repo", "name"], update_fields=["sha", "committed_at"]
    )


def rows_save(repo: Repo, model: type, to_row, fields: list[str], records: list) -> int:  # noqa: ANN001
    """Upsert `to_row(repo, record)` rows by (repo, external_id)."""
    rows = [to_row(repo, r) for r in records]
    return rows_upsert(model=model, rows=rows, unique_fields=REPO_KEY, update_fields=fields)
