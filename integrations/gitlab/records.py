"""Typed records parsed from GitLab REST v4 payloads (frozen; datetimes are aware UTC).

Each ``parse_*`` function takes one decoded JSON object and raises KeyError, TypeError or
ValueError when a required field (ids, iids, dates) is missing or has the wrong type; the client
turns those into MalformedResponseError naming the URL. Text GitLab may send as null (a
description, a release name) becomes "". A user is kept by ``username`` (GitLab's login).

# GitLab: https://docs.gitlab.com/ee/api/projects.html
# GitLab: https://docs.gitlab.com/ee/api/merge_requests.html
# GitLab: https://docs.gitlab.com/ee/api/issues.html
# GitLab: https://docs.gitlab.com/ee/api/tags.html
# GitLab: https://docs.gitlab.com/ee/api/releases/
# GitLab: https://docs.gitlab.com/ee/api/deployments.html
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrations.http.fields import Item, as_int, as_str, opt_time_at, text, time_at


@dataclass(frozen=True)
class ProjectRecord:
    """``GET /projects/:id``: ``path`` is ``path_with_namespace`` (``group/sub/project``)."""

    id: int
    path: str
    default_branch: str
    web_url: str


@dataclass(frozen=True)
class MergeRequestRecord:
    """A merge request as the list returns it (no sizes: see :mod:`integrations.gitlab.detail`).

    ``state`` is ``opened``, ``closed``, ``merged`` or ``locked``; merged means
    ``merged_at is not None``. ``draft`` is ``draft`` (or the older ``work_in_progress``).
    ``merge_commit_sha`` is the merge commit, else the squash commit, else "" (fast-forward
    merges have neither; ``sha`` is then the head that landed).
    """

    id: int
    iid: int
    project_id: int
    title: str
    description: str
    state: str
    draft: bool
    author_username: str | None
    source_branch: str
    target_branch: str
    labels: tuple[str, ...]
    web_url: str
    sha: str
    merge_commit_sha: str
    created_at: datetime
    updated_at: datetime
    merged_at: datetime | None
    closed_at: datetime | None


@dataclass(frozen=True)
class TagRecord:
    """A tag with its commit's dates (the tags list embeds the commit: no request per tag)."""

    name: str
    sha: str
    message: str
    committed_at: datetime | None
    created_at: datetime | None


@dataclass(frozen=True)
class ReleaseRecord:
    """A release. GitLab releases have no id: a release is its project's ``tag_name``.

    ``released_at`` is when it was (or will be: ``upcoming``) released; ``web_url`` is the
    release page (``_links.self``).
    """

    tag_name: str
    name: str
    sha: str
    created_at: datetime
    released_at: datetime | None
    upcoming: bool
    web_url: str


@dataclass(frozen=True)
class DeploymentRecord:
    """A deployment. ``status`` is GitLab's: created, running, success, failed, canceled,
    skipped or blocked. ``finished_at`` is the deploy job's ``finished_at`` (None while it
    runs or when it has no job); ``updated_at`` falls back to ``created_at`` when absent."""

    id: int
    iid: int
    environment: str
    status: str
    ref: str
    sha: str
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class IssueRecord:
    """An issue. ``state`` is ``opened`` or ``closed``; ``issue_type`` is ``issue``,
    ``incident``, ``test_case`` or ``task``."""

    id: int
    iid: int
    project_id: int
    title: str
    state: str
    issue_type: str
    labels: tuple[str, ...]
    author_username: str | None
    assignee_username: str | None
    web_url: str
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None


def username(user: Any) -> str | None:
    """A user object's ``username``, None for null (a deleted or hidden user)."""
    if not isinstance(user, dict):
        return None
    value = user.get("username")
    return value if isinstance(value, str) and value else None


def _object(item: Item, key: str) -> Item:
    """``item[key]`` when it is an object, else {} (an optional nested object)."""
    value = item.get(key)
    return value if isinstance(value, dict) else {}


def _labels(item: Item) -> tuple[str, ...]:
    """``labels`` is a list of names by default (objects with ``with_labels_details``)."""
    names = []
    for label in item.get("labels") or []:
        names.append(label["name"] if isinstance(label, dict) else str(label))
    return tuple(names)


def parse_project(item: Item) -> ProjectRecord:
    return ProjectRecord(
        id=as_int(item, "id"),
        path=as_str(item, "path_with_namespace"),
        default_branch=text(item, "default_branch"),
        web_url=text(item, "web_url"),
    )


def parse_merge_request(item: Item) -> MergeRequestRecord:
    merge_sha = item.get("merge_commit_sha") or item.get("squash_commit_sha") or ""
    return MergeRequestRecord(
        id=as_int(item, "id"),
        iid=as_int(item, "iid"),
        project_id=as_int(item, "project_id"),
        title=text(item, "title"),
        description=text(item, "description"),
        state=as_str(item, "state"),
        draft=bool(item.get("draft", item.get("work_in_progress", False))),
        author_username=username(item.get("author")),
        source_branch=text(item, "source_branch"),
        target_branch=text(item, "target_branch"),
        labels=_labels(item),
        web_url=text(item, "web_url"),
        sha=text(item, "sha"),
        merge_commit_sha=str(merge_sha),
        created_at=time_at(item, "created_at"),
        updated_at=time_at(item, "updated_at"),
        merged_at=opt_time_at(item, "merged_at"),
        closed_at=opt_time_at(item, "closed_at"),
    )


def parse_tag(item: Item) -> TagRecord:
    commit = item["commit"]
    if not isinstance(commit, dict):
        raise TypeError("field 'commit' must be an object")
    return TagRecord(
        name=as_str(item, "name"),
        sha=as_str(commit, "id"),
        message=text(item, "message"),
        committed_at=opt_time_at(commit, "committed_date", "commit.committed_date"),
        created_at=opt_time_at(item, "created_at"),
    )


def parse_release(item: Item) -> ReleaseRecord:
    commit, links = _object(item, "commit"), _object(item, "_links")
    return ReleaseRecord(
        tag_name=as_str(item, "tag_name"),
        name=text(item, "name"),
        sha=text(commit, "id"),
        created_at=time_at(item, "created_at"),
        released_at=opt_time_at(item, "released_at"),
        upcoming=bool(item.get("upcoming_release")),
        web_url=text(links, "self"),
    )


def parse_deployment(item: Item) -> DeploymentRecord:
    environment = item["environment"]
    if not isinstance(environment, dict):
        raise TypeError("field 'environment' must be an object")
    job = _object(item, "deployable")
    created = time_at(item, "created_at")
    return DeploymentRecord(
        id=as_int(item, "id"),
        iid=as_int(item, "iid"),
        environment=as_str(environment, "name"),
        status=as_str(item, "status"),
        ref=text(item, "ref"),
        sha=text(item, "sha"),
        created_at=created,
        updated_at=opt_time_at(item, "updated_at") or created,
        finished_at=opt_time_at(job, "finished_at", "deployable.finished_at"),
    )


def parse_issue(item: Item) -> IssueRecord:
    assignees = item.get("assignees") or []
    assignee = item.get("assignee") or (assignees[0] if assignees else None)
    return IssueRecord(
        id=as_int(item, "id"),
        iid=as_int(item, "iid"),
        project_id=as_int(item, "project_id"),
        title=text(item, "title"),
        state=as_str(item, "state"),
        issue_type=text(item, "issue_type") or "issue",
        labels=_labels(item),
        author_username=username(item.get("author")),
        assignee_username=username(assignee),
        web_url=text(item, "web_url"),
        created_at=time_at(item, "created_at"),
        updated_at=time_at(item, "updated_at"),
        closed_at=opt_time_at(item, "closed_at"),
    )
