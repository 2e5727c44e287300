"""The simulated world seen through GitHub's GraphQL schema: lazy dict views for graphql-core.

graphql-core's default resolver reads a dict key per field and calls it when it is callable
(with the field's arguments), so a connection is a function that slices the world's list only
when a query asks for it. Abstract types (``Actor``, timeline items) carry ``__typename``.
Values come from the same REST objects the REST endpoints serve, so both APIs agree:
GraphQL's ``state`` is ``MERGED`` for a merged PR, a deleted user (REST's ``ghost``) is
``null``, a bot's ``login`` has no ``[bot]`` suffix, and a commit author's ``user`` is a
``User`` or null. ``closingIssuesReferences`` are the issues (not pull requests) of this
simulated GitHub named by the body's closing keywords.
Cursors are base64 of the 1-based position (``MTAw`` = after the 100th item), as GitHub's
nested connections use.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Sequence
from typing import Any

from graphql import GraphQLError

from integrations.simulator.github.detail import MAX_PULL_COMMITS
from integrations.simulator.github.objects import JSONDict, node_id
from integrations.simulator.github.world import GitHubRepo, GitHubWorld

View = dict[str, Any]
CLOSING = re.compile(
    r"\b(?:close[sd]?|fix(?:e[sd])?|resolve[sd]?)\s*:?\s+(?:([\w.-]+/[\w.-]+))?#([1-9][0-9]*)\b",
    re.IGNORECASE,
)
_ORDER_KEYS = {"CREATED_AT": "created_at", "UPDATED_AT": "updated_at"}


class NotFound(GraphQLError):
    """GitHub's ``NOT_FOUND`` error (``type`` is added to the error by the endpoint)."""

    type = "NOT_FOUND"


def cursor(position: int) -> str:
    return base64.b64encode(str(position).encode()).decode()


def _offset(value: str | None) -> int:
    if value is None:
        return 0
    try:
        return max(0, int(base64.b64decode(value, validate=True).decode()))
    except (binascii.Error, ValueError, UnicodeDecodeError) as exc:
        raise GraphQLError(f"`{value}` does not appear to be a valid cursor.") from exc


def connection(
    items: Sequence[Any],
    view: Callable[[Any], View | None],
    args: dict[str, Any],
    total: int | None = None,
) -> View:
    """A ``...Connection`` over ``items`` for ``first``/``after`` or ``last``/``before``."""
    start, end = _offset(args.get("after")), len(items)
    if args.get("before") is not None:
        end = min(end, _offset(args["before"]) - 1)
    if args.get("first") is not None:
        end = min(end, start + args["first"])
    elif args.get("last") is not None:
        start = max(start, end - args["last"])
    chosen = list(items[start:end])
    info = {
        "hasNextPage": end < len(items),
        "hasPreviousPage": start > 0,
        "startCursor": cursor(start + 1) if chosen else None,
        "endCursor": cursor(end) if chosen else None,
    }
    return {
        "totalCount": len(items) if total is None else total,
        "pageInfo": info,
        "nodes": lambda _info: [view(item) for item in chosen],
        "edges": lambda _info: [
            {"cursor": cursor(start + i + 1), "node": view(item)} for i, item in enumerate(chosen)
        ],
    }


def actor(user: JSONDict | None) -> View | None:
    """A REST user object as an ``Actor`` (``User`` or ``Bot``); the ghost is null."""
    if not user or user.get("login") in (None, "ghost"):
        return None
    bot = user.get("type") == "Bot"
    login = user["login"].removesuffix("[bot]") if bot else user["login"]
    return {
        "__typename": "Bot" if bot else "User",
        "login": login,
        "id": user.get("node_id") or node_id("User", user.get("id", 0)),
        "databaseId": user.get("id"),
        "url": user.get("html_url"),
        "avatarUrl": user.get("avatar_url"),
        "name": None,
    }


class WorldViews:
    """Views of one `GitHubWorld`; `root()` is the query root."""

    def __init__(self, world: GitHubWorld) -> None:
        self.world = world

    def root(self, rate_limit: View) -> View:
        return {"rateLimit": lambda _info, **_: rate_limit, "repository": self._repository}

    def _repository(self, _info: Any, owner: str, name: str, **_: Any) -> View:
        repo = self.world.find(f"{owner}/{name}")
        if repo is None:
            raise NotFound(f"Could not resolve to a Repository with the name '{owner}/{name}'.")
        return self.repository(repo)

    def repository(self, repo: GitHubRepo) -> View:
        def pull_requests(_info: Any, **args: Any) -> View:
            pulls = repo.pulls
            if args.get("states"):
                pulls = [p for p in pulls if _state(p) in args["states"]]
            order = args.get("orderBy") or {"field": "CREATED_AT", "direction": "ASC"}
            key = _ORDER_KEYS.get(order["field"], "created_at")
            pulls = sorted(
                pulls, key=lambda p: (p[key], p["number"]), reverse=order["direction"] == "DESC"
            )
            return connection(pulls, lambda p: self.pull(repo, p), args)

        def pull_request(_info: Any, number: int) -> View:
            pull = repo.pull(number)
            if pull is None:
                raise NotFound(f"Could not resolve to a PullRequest with the number of {number}.")
            return self.pull(repo, pull)

        return {
            "__typename": "Repository",
            "id": node_id("Repository", repo.id),
            "databaseId": repo.id,
            "name": repo.full_name.split("/", 1)[1],
            "nameWithOwner": repo.full_name,
            "url": f"https://github.com/{repo.full_name}",
            "pullRequests": pull_requests,
            "pullRequest": pull_request,
        }

    def pull(self, repo: GitHubRepo, pull: JSONDict) -> View:
        number = pull["number"]
        merged = pull["merged_at"] is not None
        return {
            "__typename": "PullRequest",
            "id": pull["node_id"],
            "fullDatabaseId": str(pull["id"]),
            "databaseId": pull["id"],
            "number": number,
            "title": pull["title"],
            "body": pull["body"] or "",
            "state": _state(pull),
            "isDraft": bool(pull["draft"]),
            "url": pull["html_url"],
            "headRefName": pull["head"]["ref"],
            "baseRefName": pull["base"]["ref"],
            "createdAt": pull["created_at"],
            "updatedAt": pull["updated_at"],
            "closedAt": pull["closed_at"],
            "mergedAt": pull["merged_at"],
            "merged": merged,
            "additions": pull["additions"],
            "deletions": pull["deletions"],
            "changedFiles": pull["changed_files"],
            "author": actor(pull["user"]),
            "mergeCommit": {"oid": pull["merge_commit_sha"]} if merged else None,
            "labels": lambda _i, **a: connection(pull["labels"], _label, a),
            "commits": lambda _i, **a: self._commits(repo, number, a),
            "reviews": lambda _i, **a: connection(repo.reviews_of(number), _review, a),
            "files": lambda _i, **a: connection(repo.files_of(number), _file, a),
            "closingIssuesReferences": lambda _i, **a: connection(
                self._closing(repo, pull), self._issue, a
            ),
            "timelineItems": lambda _i, **a: self._timeline(repo, number, a),
        }

    def _commits(self, repo: GitHubRepo, number: int, args: dict[str, Any]) -> View:
        commits = repo.commits_of(number)
        return connection(commits[:MAX_PULL_COMMITS], _commit, args, total=len(commits))

    def _timeline(self, repo: GitHubRepo, number: int, args: dict[str, Any]) -> View:
        wanted = set(args.get("itemTypes") or [])
        events = [
            e for e in repo.timeline_of(number) if not wanted or _TIMELINE.get(e["event"]) in wanted
        ]
        return connection(events, _event, args)

    def _closing(self, repo: GitHubRepo, pull: JSONDict) -> list[tuple[GitHubRepo, JSONDict]]:
        found: dict[tuple[str, int], tuple[GitHubRepo, JSONDict]] = {}
        for match in CLOSING.finditer(pull["body"] or ""):
            target = self.world.find(match[1]) if match[1] else repo
            issue = target.issue(int(match[2])) if target else None
            if target and issue and "pull_request" not in issue:
                found.setdefault((target.full_name, issue["number"]), (target, issue))
        return list(found.values())

    def _issue(self, pair: tuple[GitHubRepo, JSONDict]) -> View:
        repo, issue = pair
        return {
            "__typename": "Issue",
            "id": issue["node_id"],
            "number": issue["number"],
            "title": issue["title"],
            "state": issue["state"].upper(),
            "url": issue["html_url"],
            "repository": self.repository(repo),
        }


_TIMELINE = {
    "ready_for_review": "READY_FOR_REVIEW_EVENT",
    "merged": "MERGED_EVENT",
    "closed": "CLOSED_EVENT",
    "reviewed": "PULL_REQUEST_REVIEW",
    "committed": "PULL_REQUEST_COMMIT",
}
_TYPENAMES = {
    "ready_for_review": "ReadyForReviewEvent",
    "merged": "MergedEvent",
    "closed": "ClosedEvent",
    "reviewed": "PullRequestReview",
    "committed": "PullRequestCommit",
}


def _state(pull: JSONDict) -> str:
    if pull["merged_at"]:
        return "MERGED"
    return "OPEN" if pull["state"] == "open" else "CLOSED"


def _label(label: JSONDict) -> View:
    return {
        "__typename": "Label",
        "id": label["node_id"],
        "name": label["name"],
        "color": label.get("color"),
    }


def _commit(item: JSONDict) -> View:
    commit, author = item["commit"], item.get("author")
    user = actor(author) if author and author.get("type") != "Bot" else None
    return {
        "__typename": "PullRequestCommit",
        "url": item["html_url"],
        "commit": {
            "__typename": "Commit",
            "oid": item["sha"],
            "message": commit["message"],
            "authoredDate": commit["author"]["date"],
            "committedDate": commit["committer"]["date"],
            "author": {**commit["author"], "user": user},
            "committer": {**commit["committer"], "user": None},
        },
    }


def _review(item: JSONDict) -> View:
    return {
        "__typename": "PullRequestReview",
        "fullDatabaseId": str(item["id"]),
        "databaseId": item["id"],
        "state": item["state"],
        "submittedAt": item["submitted_at"],
        "body": item["body"],
        "author": actor(item["user"]),
    }


def _file(item: JSONDict) -> View:
    return {
        "__typename": "PullRequestChangedFile",
        "path": item["filename"],
        "additions": item["additions"],
        "deletions": item["deletions"],
        "changeType": "ADDED" if item["status"] == "added" else "MODIFIED",
    }


def _event(item: JSONDict) -> View:
    typename = _TYPENAMES.get(item["event"], "ClosedEvent")
    return {
        "__typename": typename,
        "createdAt": item.get("created_at") or item.get("submitted_at"),
        "id": node_id(typename, int(item.get("id") or 0)),
    }
