"""Typed records parsed from GitHub REST payloads (frozen; datetimes are aware UTC).

Each ``parse_*`` function takes one decoded JSON object and raises KeyError, TypeError or
ValueError when a required field (ids, numbers, dates, shas) is missing or has the wrong type;
the client turns those into MalformedResponseError naming the URL. Text fields GitHub may return
as null (a PR body, a release name) become "".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any


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


def parse_time(value: Any) -> datetime:
    """GitHub ISO 8601 timestamp (``2018-07-25T08:19:30Z``) → aware UTC datetime.

    Raises TypeError when not a string, ValueError when unparseable or without a time zone.
    """
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 timestamp, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(UTC)


def _opt_time(value: Any) -> datetime | None:
    return None if value is None else parse_time(value)


def _int(item: dict[str, Any], key: str) -> int:
    value = item[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"field {key!r} must be an integer, got {value!r}")
    return value


def _opt_int(item: dict[str, Any], key: str) -> int | None:
    return None if item.get(key) is None else _int(item, key)


def _str(item: dict[str, Any], key: str) -> str:
    value = item[key]
    if not isinstance(value, str):
        raise TypeError(f"field {key!r} must be a string, got {value!r}")
    return value


def _text(item: dict[str, Any], key: str) -> str:
    value = item.get(key)
    return "" if value is None else str(value)


def _login(user: Any) -> str | None:
    return user.get("login") if isinstance(user, dict) else None


def _labels(item: dict[str, Any]) -> tuple[str, ...]:
    return tuple(label["name"] for label in item.get("labels") or [])


def parse_repo(item: dict[str, Any]) -> RepoRecord:
    """``GET /repos/{owner}/{repo}`` → RepoRecord."""
    return RepoRecord(
        id=_int(item, "id"),
        full_name=_str(item, "full_name"),
        default_branch=_text(item, "default_branch"),
    )


def parse_pull(item: dict[str, Any]) -> PullRequestRecord:
    """A ``/pulls`` list item or ``GET /pulls/{n}`` → PullRequestRecord."""
    user = item.get("user")
    return PullRequestRecord(
        id=_int(item, "id"),
        number=_int(item, "number"),
        title=_text(item, "title"),
        body=_text(item, "body"),
        state=_str(item, "state"),
        user_login=_login(user),
        user_type=user.get("type") if isinstance(user, dict) else None,
        head_ref=_text(item.get("head") or {}, "ref"),
        labels=_labels(item),
        html_url=_text(item, "html_url"),
        created_at=parse_time(item["created_at"]),
        updated_at=parse_time(item["updated_at"]),
        closed_at=_opt_time(item.get("closed_at")),
        merged_at=_opt_time(item.get("merged_at")),
        additions=_opt_int(item, "additions"),
        deletions=_opt_int(item, "deletions"),
    )


def parse_release(item: dict[str, Any]) -> ReleaseRecord:
    """A ``/releases`` item → ReleaseRecord (``published_at`` is null on drafts)."""
    return ReleaseRecord(
        id=_int(item, "id"),
        tag_name=_str(item, "tag_name"),
        name=_text(item, "name"),
        draft=bool(item.get("draft")),
        prerelease=bool(item.get("prerelease")),
        created_at=parse_time(item["created_at"]),
        published_at=_opt_time(item.get("published_at")),
        html_url=_text(item, "html_url"),
    )


def parse_tag(item: dict[str, Any]) -> TagRecord:
    """A ``/tags`` item → TagRecord (``sha`` is the tagged commit's)."""
    return TagRecord(name=_str(item, "name"), sha=_str(item["commit"], "sha"))


def parse_commit(item: dict[str, Any]) -> CommitRecord:
    """``GET /commits/{sha}`` → CommitRecord."""
    commit = item["commit"]
    return CommitRecord(
        sha=_str(item, "sha"),
        committed_at=parse_time(commit["committer"]["date"]),
        authored_at=parse_time(commit["author"]["date"]),
    )


def parse_deployment(item: dict[str, Any]) -> DeploymentRecord:
    """A ``/deployments`` item → DeploymentRecord."""
    return DeploymentRecord(
        id=_int(item, "id"),
        environment=_str(item, "environment"),
        sha=_text(item, "sha"),
        ref=_text(item, "ref"),
        created_at=parse_time(item["created_at"]),
        updated_at=parse_time(item["updated_at"]),
    )


def parse_deployment_status(item: dict[str, Any]) -> DeploymentStatusRecord:
    """A ``/deployments/{id}/statuses`` item → DeploymentStatusRecord."""
    return DeploymentStatusRecord(
        id=_int(item, "id"), state=_str(item, "state"), created_at=parse_time(item["created_at"])
    )


def parse_issue(item: dict[str, Any]) -> IssueRecord:
    """An ``/issues`` item → IssueRecord (callers drop items that carry ``pull_request``)."""
    return IssueRecord(
        id=_int(item, "id"),
        number=_int(item, "number"),
        title=_text(item, "title"),
        state=_str(item, "state"),
        state_reason=_text(item, "state_reason"),
        labels=_labels(item),
        user_login=_login(item.get("user")),
        assignee_login=_login(item.get("assignee")),
        html_url=_text(item, "html_url"),
        created_at=parse_time(item["created_at"]),
        updated_at=parse_time(item["updated_at"]),
        closed_at=_opt_time(item.get("closed_at")),
    )
