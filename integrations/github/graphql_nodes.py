"""GitHub GraphQL pull-request nodes → :class:`PullDetailRecord`, nested pages included.

A node of ``queries/pull_requests.graphql`` becomes a :class:`PullAssembly`: its own fields
parsed at once, and for each nested connection (labels, commits, reviews, files, closing
issues) the items so far plus the cursor of the next page while there is one. The client
reads the remaining pages into it (``add_page``) and then calls ``record()``. Parse errors
are KeyError, TypeError or ValueError, which the client maps to MalformedResponseError.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from integrations.github.detail import (
    MAX_PULL_COMMITS,
    PullCommitRecord,
    PullDetailRecord,
    PullFileRecord,
    PullReviewRecord,
    actor,
)
from integrations.github.records import PullRequestRecord
from integrations.http.fields import parse_time

Node = dict[str, Any]

#: Nested connection field → the fragment that reads one page of it.
CONNECTIONS = {
    "labels": "LabelsPage",
    "commits": "CommitsPage",
    "reviews": "ReviewsPage",
    "files": "FilesPage",
    "closingIssuesReferences": "ClosingPage",
}
_STATES = {"OPEN": "open", "CLOSED": "closed", "MERGED": "closed"}


def _int(node: Node, key: str) -> int:
    value = node[key]
    if isinstance(value, str) and value.isdigit():  # BigInt is sent as a string
        return int(value)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise TypeError(f"field {key!r} must be a non-negative integer, got {str(value)[:80]!r}")
    return value


def _text(node: Node, key: str) -> str:
    value = node.get(key)
    return "" if value is None else str(value)


def _opt_time(value: Any):
    return None if value is None else parse_time(value)


def _label(node: Node) -> str:
    return str(node["name"])


def _commit(node: Node) -> PullCommitRecord:
    commit = node["commit"]
    user = (commit.get("author") or {}).get("user") or {}
    return PullCommitRecord(
        sha=str(commit["oid"]),
        message=_text(commit, "message"),
        author_login=user.get("login") or None,
        authored_at=parse_time(commit["authoredDate"]),
        committed_at=parse_time(commit["committedDate"]),
    )


def _review(node: Node) -> PullReviewRecord | None:
    if node.get("state") == "PENDING" or node.get("submittedAt") is None:
        return None
    author = node.get("author") or {}
    login, kind = actor(author.get("login"), author.get("__typename"))
    return PullReviewRecord(
        id=_int(node, "fullDatabaseId"),
        state=str(node["state"]),
        author_login=login,
        author_type=kind,
        submitted_at=parse_time(node["submittedAt"]),
    )


def _file(node: Node) -> PullFileRecord:
    return PullFileRecord(
        path=str(node["path"]), additions=_int(node, "additions"), deletions=_int(node, "deletions")
    )


def _closing(node: Node) -> str:
    return f"{node['repository']['nameWithOwner']}#{_int(node, 'number')}"


PARSERS: dict[str, Callable[[Node], Any]] = {
    "labels": _label,
    "commits": _commit,
    "reviews": _review,
    "files": _file,
    "closingIssuesReferences": _closing,
}


@dataclass
class PullAssembly:
    """A pull request being read: its fields, its nested items so far, and the cursor of
    each nested connection that has another page (``pending``)."""

    number: int
    pull: PullRequestRecord
    node: Node
    items: dict[str, list[Any]] = field(default_factory=dict)
    pending: dict[str, str] = field(default_factory=dict)

    def add_page(self, connection: str, page: Node) -> None:
        """Append one page of ``connection`` (a ``*Page`` fragment's fields). Null nodes
        (an item the token may not see) are skipped; the 250-commit cap ends commits."""
        parse = PARSERS[connection]
        found = [parse(n) for n in page["nodes"] if n is not None]
        bucket = self.items.setdefault(connection, [])
        bucket.extend(item for item in found if item is not None)
        info = page["pageInfo"]
        more = bool(info["hasNextPage"]) and not (
            connection == "commits" and len(bucket) >= MAX_PULL_COMMITS
        )
        if more:
            self.pending[connection] = str(info["endCursor"])
        else:
            self.pending.pop(connection, None)

    def record(self) -> PullDetailRecord:
        """The finished record (call once ``pending`` is empty)."""
        node, items = self.node, self.items
        ready = (node.get("timelineItems") or {}).get("nodes") or []
        merge = node.get("mergeCommit") or {}
        return PullDetailRecord(
            pull=replace(self.pull, labels=tuple(items.get("labels", []))),
            draft=bool(node["isDraft"]),
            ready_for_review_at=min(
                (parse_time(n["createdAt"]) for n in ready if n and n.get("createdAt")),
                default=None,
            ),
            changed_files=_int(node, "changedFiles"),
            commits_total=_int(node["commits"], "totalCount"),
            merge_commit_sha=_text(merge, "oid") if self.pull.merged_at else "",
            closing_issues=tuple(dict.fromkeys(items.get("closingIssuesReferences", []))),
            commits=tuple(items.get("commits", [])[:MAX_PULL_COMMITS]),
            reviews=tuple(items.get("reviews", [])),
            files=tuple(items.get("files", [])),
        )


def pull_assembly(node: Node, full_name: str) -> PullAssembly:
    """Parse one pull-request node of ``pull_requests.graphql`` and its first nested pages."""
    author = node.get("author") or {}
    login, kind = actor(author.get("login"), author.get("__typename"))
    pull = PullRequestRecord(
        id=_int(node, "fullDatabaseId"),
        number=_int(node, "number"),
        title=_text(node, "title"),
        body=_text(node, "body"),
        state=_STATES[node["state"]],
        user_login=login,
        user_type=kind,
        head_ref=_text(node, "headRefName"),
        labels=(),
        html_url=_text(node, "url"),
        created_at=parse_time(node["createdAt"]),
        updated_at=parse_time(node["updatedAt"]),
        closed_at=_opt_time(node.get("closedAt")),
        merged_at=_opt_time(node.get("mergedAt")),
        additions=_int(node, "additions"),
        deletions=_int(node, "deletions"),
    )
    assembly = PullAssembly(number=pull.number, pull=pull, node=node)
    for connection in CONNECTIONS:
        assembly.add_page(connection, node[connection])
    return assembly
