"""Pull-request detail: commits, reviews, changed files, draft and ready-for-review time,
closing issue references and the merge commit, as one record per pull request.

The GraphQL client (:mod:`integrations.github.graphql_nodes`) and the REST client
(``/pulls/{n}`` with ``/commits``, ``/reviews``, ``/files`` and the issue timeline) both
build :class:`PullDetailRecord`, normalised so the two give identical rows:

- an author that is null (a deleted account: REST shows GitHub's ``ghost`` user, GraphQL
  ``null``) is ``ghost`` of type ``User``;
- a bot keeps REST's login form, ``name[bot]`` (GraphQL's ``Bot.login`` has no suffix);
- a commit's ``author_login`` is that of the GitHub *user* its author e-mail belongs to, else
  ``None`` (GraphQL's ``GitActor.user`` is a ``User``, never a bot, and null for a deleted
  account, which REST may show as ``ghost``);
- pending reviews (not submitted; visible only to their author) are left out;
- ``closing_issues`` are ``owner/name#N`` strings, in the pull request's order. They are the
  one field that can differ: GraphQL's ``closingIssuesReferences`` is GitHub's list (issues
  linked by hand too; only issues that exist), REST has no such list, so there they are the
  body's closing-keyword references (:func:`closing_refs`).

GitHub lists at most 250 commits of a pull request through either API
(# GitHub: https://docs.github.com/en/rest/pulls/pulls#list-commits-on-a-pull-request);
``commits_total`` is the true count, so a shorter ``commits`` tuple is known to be cut.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from integrations.github.records import PullRequestRecord, parse_pull
from integrations.http.fields import parse_time

GHOST = "ghost"
MAX_PULL_COMMITS = 250
#: GitHub's closing keywords followed by `#N` or `owner/repo#N`.
# GitHub: https://docs.github.com/en/issues/tracking-your-work-with-issues/linking-a-pull-request-to-an-issue
CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+"
    r"(?:(?P<repo>[\w.-]+/[\w.-]+))?#(?P<number>[1-9][0-9]*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class PullCommitRecord:
    sha: str
    message: str
    author_login: str | None
    authored_at: datetime
    committed_at: datetime


@dataclass(frozen=True)
class PullReviewRecord:
    id: int
    state: str
    author_login: str
    author_type: str
    submitted_at: datetime


@dataclass(frozen=True)
class PullFileRecord:
    path: str
    additions: int
    deletions: int


@dataclass(frozen=True)
class PullDetailRecord:
    """One pull request with its detail; ``pull.additions``/``deletions`` are always set."""

    pull: PullRequestRecord
    draft: bool
    ready_for_review_at: datetime | None
    changed_files: int
    commits_total: int
    merge_commit_sha: str
    closing_issues: tuple[str, ...]
    commits: tuple[PullCommitRecord, ...]
    reviews: tuple[PullReviewRecord, ...]
    files: tuple[PullFileRecord, ...]

    @property
    def updated_at(self) -> datetime:
        """The pull request's ``updated_at`` (what a sync's cursor follows)."""
        return self.pull.updated_at


def actor(login: Any, kind: Any) -> tuple[str, str]:
    """(login, type) of an author: null → ``("ghost", "User")``; a ``Bot`` login gets the
    ``[bot]`` suffix REST uses (``dependabot`` → ``dependabot[bot]``)."""
    if not isinstance(login, str) or not login:
        return GHOST, "User"
    kind = kind if isinstance(kind, str) and kind else "User"
    if kind == "Bot" and not login.endswith("[bot]"):
        login = f"{login}[bot]"
    return login, kind


def closing_refs(body: str, full_name: str) -> tuple[str, ...]:
    """``owner/name#N`` for each closing keyword reference in ``body`` (``#N`` is in
    ``full_name``), in order, without repeats."""
    refs: dict[str, None] = {}
    for match in CLOSING.finditer(body or ""):
        refs[f"{match['repo'] or full_name}#{match['number']}"] = None
    return tuple(refs)


def _count(item: dict[str, Any], key: str) -> int:
    value = item[key]
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"field {key!r} must be a non-negative integer, got {value!r}")
    return value


def rest_commit(item: dict[str, Any]) -> PullCommitRecord:
    """A ``/pulls/{n}/commits`` item → PullCommitRecord."""
    commit, user = item["commit"], item.get("author")
    login = user.get("login") if isinstance(user, dict) and user.get("type") != "Bot" else None
    return PullCommitRecord(
        sha=item["sha"],
        message=str(commit.get("message") or ""),
        author_login=None if login == GHOST else login or None,  # a deleted account: no user
        authored_at=parse_time(commit["author"]["date"]),
        committed_at=parse_time(commit["committer"]["date"]),
    )


def rest_review(item: dict[str, Any]) -> PullReviewRecord | None:
    """A ``/pulls/{n}/reviews`` item → PullReviewRecord; None for a pending review."""
    if item.get("state") == "PENDING" or item.get("submitted_at") is None:
        return None
    user = item["user"] if isinstance(item.get("user"), dict) else {}
    login, kind = actor(user.get("login"), user.get("type"))
    return PullReviewRecord(
        id=_count(item, "id"),
        state=str(item["state"]),
        author_login=login,
        author_type=kind,
        submitted_at=parse_time(item["submitted_at"]),
    )


def rest_file(item: dict[str, Any]) -> PullFileRecord:
    """A ``/pulls/{n}/files`` item → PullFileRecord."""
    return PullFileRecord(
        path=str(item["filename"]),
        additions=_count(item, "additions"),
        deletions=_count(item, "deletions"),
    )


def rest_ready_at(events: list[dict[str, Any]]) -> datetime | None:
    """The first ``ready_for_review`` event's time in an issue timeline, or None."""
    times = [parse_time(e["created_at"]) for e in events if e.get("event") == "ready_for_review"]
    return min(times) if times else None


def rest_pull_detail(
    item: dict[str, Any],
    *,
    full_name: str,
    commits: list[PullCommitRecord],
    reviews: list[PullReviewRecord],
    files: list[PullFileRecord],
    ready_for_review_at: datetime | None,
) -> PullDetailRecord:
    """``GET /pulls/{n}`` plus its lists → PullDetailRecord (REST's ``merge_commit_sha`` is
    a test merge while the PR is open; only a merged PR's is kept)."""
    pull = parse_pull(item)
    user = item["user"] if isinstance(item.get("user"), dict) else {}
    login, kind = actor(user.get("login"), user.get("type"))
    pull = replace(pull, user_login=login, user_type=kind)
    merged = pull.merged_at is not None
    return PullDetailRecord(
        pull=pull,
        draft=bool(item.get("draft")),
        ready_for_review_at=ready_for_review_at,
        changed_files=_count(item, "changed_files"),
        commits_total=_count(item, "commits"),
        merge_commit_sha=str(item.get("merge_commit_sha") or "") if merged else "",
        closing_issues=closing_refs(pull.body, full_name),
        commits=tuple(commits[:MAX_PULL_COMMITS]),
        reviews=tuple(reviews),
        files=tuple(files),
    )
