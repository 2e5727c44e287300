"""Typed records parsed from GitHub REST payloads (frozen; datetimes are aware UTC).

Each ``parse_*`` function takes one decoded JSON object and raises KeyError, TypeError or
ValueError when a required field (ids, numbers, dates, shas) is missing or has the wrong type;
the client turns those into MalformedResponseError naming the URL. Text fields GitHub may return
as null (a PR body, a release name) become "".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrations.http.fields import (
    as_int,
    as_str,
    opt_int,
    opt_time,
    parse_time,
    text,
)


@dataclass(frozen=True)
class RepoRecord:
    id: int
    full_name: str
    default_branch: str


@dataclass(frozen=True)
class PullRequestRecord:
    """A pull request. ``additions``/``deletions`` are None for list items (only
    ``GET /pulls/{n}`` returns them). Merged means ``merged_at is not None``."""

    id: int
    number: int
    title: str
    body: str
    state: str
    user_login: str | None
    user_type: str | None
    head_ref: str
    labels: tuple[str, ...]
    html_url: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    merged_at: datetime | None
    additions: int | None
    deletions: int | None


@dataclass(frozen=True)
class ReleaseRecord:
    id: int
    tag_name: str
    name: str
    draft: bool
    prerelease: bool
    created_at: datetime
    published_at: datetime | None
    html_url: str


@dataclass(frozen=True)
class TagRecord:
    name: str
    sha: str


@dataclass(frozen=True)
class CommitRecord:
    """``committed_at`` is ``commit.committer.date``; ``authored_at`` is ``commit.author.date``."""

    sha: str
    committed_at: datetime
    authored_at: datetime


@dataclass(frozen=True)
class DeploymentRecord:
    id: int
    environment: str
    sha: str
    ref: str
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True)
class DeploymentStatusRecord:
    id: int
    state: str
    created_at: datetime


@dataclass(frozen=True)
class IssueRecord:
    """An issue. ``state_reason`` is how it was closed (``completed``, ``not_planned``,
    ``duplicate``; ``reopened``), "" when GitHub gives none (open, or closed before 2022)."""

    id: int
    number: int
    title: str
    state: str
    state_reason: str
    labels: tuple[str, ...]
    user_login: str | None
    assignee_login: str | None
    html_url: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def _labels(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(label["name"] for label in item.get("labels") or [])


def parse_repo(item: dict[str, Any]) -> RepoRecord:
    """``GET /repos/{owner}/{repo}`` → RepoRecord."""
    return RepoRecord(
        id=as_int(item, "id"),
        full_name=as_str(item, "full_name"),
        default_branch=text(item, "default_branch"),
    )


def parse_pull(item: dict[str, Any]) -> PullRequestRecord:
    """A ``/pulls`` list item or ``GET /pulls/{n}`` → PullRequestRecord."""
    user = item.get("user")
    return PullRequestRecord(
        id=as_int(item, "id"),
        number=as_int(item, "number"),
        title=text(item, "title"),
        body=text(item, "body"),
        state=as_str(item, "state"),
        user_login=_login(user),
        user_type=user.get("type") if isinstance(user, dict) else None,
        head_ref=text(item.get("head") or {}, "ref"),
        labels=_labels(item),
        html_url=text(item, "html_url"),
        created_at=parse_time(item["created_at"]),
        updated_at=parse_time(item["updated_at"]),
        closed_at=opt_time(item.get("closed_at")),
        merged_at=opt_time(item.get("merged_at")),
        additions=opt_int(item, "additions"),
        deletions=opt_int(item, "deletions"),
    )


def parse_release(item: dict[str, Any]) -> ReleaseRecord:
    """A ``/releases`` item → ReleaseRecord (``published_at`` is null on drafts)."""
    return ReleaseRecord(
        id=as_int(item, "id"),
        tag_name=as_str(item, "tag_name"),
        name=text(item, "name"),
        draft=bool(item.get("draft")),
        prerelease=bool(item.get("prerelease")),
        created_at=parse_time(item["created_at"]),
        published_at=opt_time(item.get("published_at")),
        html_url=text(item, "html_url"),
    )


def parse_tag(item: dict[str, Any]) -> TagRecord:
    """A ``/tags`` item → TagRecord (``sha`` is the tagged commit's)."""
    return TagRecord(name=as_str(item, "name"), sha=as_str(item["commit"], "sha"))


def parse_commit(item: dict[str, Any]) -> CommitRecord:
    """``GET /commits/{sha}`` → CommitRecord."""
    commit = item["commit"]
    return CommitRecord(
        sha=as_str(item, "sha"),
        committed_at=parse_time(commit["committer"]["date"]),
        authored_at=parse_time(commit["author"]["date"]),
    )


def parse_deployment(item: dict[str, Any]) -> DeploymentRecord:
    """A ``/deployments`` item → DeploymentRecord."""
    return DeploymentRecord(
        id=as_int(item, "id"),
        environment=as_str(item, "environment"),
        sha=text(item, "sha"),
        ref=text(item, "ref"),
        created_at=parse_time(item["created_at"]),
        updated_at=parse_time(item["updated_at"]),
    )


def parse_deployment_status(item: dict[str, Any]) -> DeploymentStatusRecord:
    """A ``/deployments/{id}/statuses`` item → DeploymentStatusRecord."""
    return DeploymentStatusRecord(
        id=as_int(item, "id"),
        state=as_str(item, "state"),
        created_at=parse_time(item["created_at"]),
    )


def parse_issue(item: dict[str, Any]) -> IssueRecord:
    """An ``/issues`` item → IssueRecord (callers drop items that carry ``pull_request``)."""
    return IssueRecord(
        id=as_int(item, "id"),
        number=as_int(item, "number"),
        title=text(item, "title"),
        state=as_str(item, "state"),
        state_reason=text(item, "state_reason"),
        labels=_labels(item),
        user_login=_login(item.get("user")),
        assignee_login=_login(item.get("assignee")),
        html_url=text(item, "html_url"),
        created_at=parse_time(item["created_at"]),
        updated_at=parse_time(item["updated_at"]),
        closed_at=opt_time(item.get("closed_at")),
    )
