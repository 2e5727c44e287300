"""Merge-request detail: commits, approvals, comments and changed files with their line counts,
as one record per merge request.

- Commits: ``GET /projects/:id/merge_requests/:iid/commits`` (the list has no ``stats``).
- Approvals and comments: ``GET /projects/:id/merge_requests/:iid/notes``. An approval is the
  system note ``approved this merge request``, with its time (``/approvals`` names who
  approves now, with ``approved_at`` only on recent GitLab versions); ``unapproved this merge
  request`` dismisses that user's latest approval (as a dismissed GitHub review). A note that
  is not a system note is a comment.
  # GitLab: https://docs.gitlab.com/ee/api/notes.html#list-all-merge-request-notes
  # GitLab: https://docs.gitlab.com/ee/api/merge_request_approvals.html
- Files: ``GET /projects/:id/merge_requests/:iid/diffs`` (GitLab 15.7 and later; older servers
  ``…/changes``). No merge-request endpoint returns lines added or deleted: they are counted in
  each file's unified ``diff`` (``+`` and ``-`` lines of its hunks). A diff GitLab left out as
  too large counts 0 lines.
  # GitLab: https://docs.gitlab.com/ee/api/merge_requests.html#list-merge-request-diffs
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from integrations.gitlab.records import MergeRequestRecord, username
from integrations.http.fields import as_int, as_str, opt_time_at, text, time_at

APPROVED_NOTE = "approved this merge request"
UNAPPROVED_NOTE = "unapproved this merge request"
#: The system note of a draft marked ready ("marked this merge request as **ready**"; older
#: GitLab wrote "marked as **Ready**" or "unmarked as a **Work In Progress**").
READY_NOTE = re.compile(
    r"^(marked (this merge request )?as \*\*ready\*\*|unmarked as a \*\*work in progress\*\*)",
    re.IGNORECASE,
)
#: GitLab's default issue closing pattern: a keyword, then `#N` or `group/project#N`.
# GitLab: https://docs.gitlab.com/ee/user/project/issues/managing_issues.html#default-closing-pattern
CLOSING = re.compile(
    r"\b(?:clos(?:e[sd]?|ing)|fix(?:e[sd]|ing)?|resolv(?:e[sd]?|ing)|implement(?:s|ing|ed)?)"
    r"\b:?\s+(?:issues?\s+)?(?P<project>[\w.-]+(?:/[\w.-]+)+)?#(?P<iid>[1-9][0-9]*)\b",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class MergeRequestCommitRecord:
    sha: str
    title: str
    author_name: str
    author_email: str
    authored_at: datetime
    committed_at: datetime


@dataclass(frozen=True)
class NoteRecord:
    """A merge-request note; ``system`` notes are GitLab's own ("assigned to", "approved")."""

    id: int
    body: str
    system: bool
    author_username: str | None
    created_at: datetime


@dataclass(frozen=True)
class ApprovalRecord:
    """One approval, from its system note: ``state`` APPROVED, or DISMISSED once the same user
    unapproved after it; ``id`` is the note's id."""

    id: int
    author_username: str
    state: str
    submitted_at: datetime


@dataclass(frozen=True)
class DiffFileRecord:
    path: str
    old_path: str
    additions: int
    deletions: int
    new_file: bool
    deleted_file: bool
    renamed_file: bool


@dataclass(frozen=True)
class MergeRequestDetailRecord:
    """One merge request with its commits, approvals, comments and changed files."""

    merge_request: MergeRequestRecord
    commits: tuple[MergeRequestCommitRecord, ...]
    approvals: tuple[ApprovalRecord, ...]
    comments: tuple[NoteRecord, ...]
    files: tuple[DiffFileRecord, ...]

    ready_at: datetime | None = None

    @property
    def updated_at(self) -> datetime:
        """The merge request's ``updated_at`` (what a sync's cursor follows)."""
        return self.merge_request.updated_at

    @property
    def additions(self) -> int:
        return sum(f.additions for f in self.files)

    @property
    def deletions(self) -> int:
        return sum(f.deletions for f in self.files)


def parse_commit(item: dict[str, Any]) -> MergeRequestCommitRecord:
    """A ``…/merge_requests/:iid/commits`` item."""
    return MergeRequestCommitRecord(
        sha=as_str(item, "id"),
        title=text(item, "title"),
        author_name=text(item, "author_name"),
        author_email=text(item, "author_email"),
        authored_at=time_at(item, "authored_date"),
        committed_at=time_at(item, "committed_date"),
    )


def parse_note(item: dict[str, Any]) -> NoteRecord:
    """A ``…/notes`` item."""
    return NoteRecord(
        id=as_int(item, "id"),
        body=text(item, "body"),
        system=bool(item.get("system")),
        author_username=username(item.get("author")),
        created_at=time_at(item, "created_at"),
    )


def approvals_from_notes(notes: list[NoteRecord]) -> tuple[ApprovalRecord, ...]:
    """Approvals in time order; an unapproval dismisses the user's latest approval."""
    approvals: list[ApprovalRecord] = []
    for note in sorted(notes, key=lambda n: (n.created_at, n.id)):
        if not note.system or note.author_username is None:
            continue
        body = note.body.strip()
        if body == APPROVED_NOTE:
            approvals.append(
                ApprovalRecord(note.id, note.author_username, "APPROVED", note.created_at)
            )
        elif body == UNAPPROVED_NOTE:
            for index in range(len(approvals) - 1, -1, -1):
                found = approvals[index]
                if found.author_username == note.author_username and found.state == "APPROVED":
                    approvals[index] = ApprovalRecord(
                        found.id, found.author_username, "DISMISSED", found.submitted_at
                    )
                    break
    return tuple(approvals)


def ready_at(notes: list[NoteRecord]) -> datetime | None:
    """When a draft was first marked ready (its system note), or None."""
    times = [n.created_at for n in notes if n.system and READY_NOTE.match(n.body.strip())]
    return min(times) if times else None


def closing_refs(description: str, project: str) -> tuple[str, ...]:
    """``group/project#N`` for each closing reference in ``description`` (``#N`` is in
    ``project``), in order, without repeats."""
    refs: dict[str, None] = {}
    for match in CLOSING.finditer(description or ""):
        refs[f"{match['project'] or project}#{match['iid']}"] = None
    return tuple(refs)


def diff_line_counts(diff: str) -> tuple[int, int]:
    """(additions, deletions) of a unified diff: ``+`` and ``-`` lines inside its hunks (after
    the first ``@@``), so ``---``/``+++`` file headers, if any, are not counted."""
    additions = deletions = 0
    in_hunk = False
    for line in diff.splitlines():
        if line.startswith("@@"):
            in_hunk = True
        elif in_hunk and line.startswith("+"):
            additions += 1
        elif in_hunk and line.startswith("-"):
            deletions += 1
    return additions, deletions


def parse_diff(item: dict[str, Any]) -> DiffFileRecord:
    """A ``…/diffs`` item (or one of ``…/changes``' ``changes``)."""
    diff = item.get("diff") or ""
    if not isinstance(diff, str):
        raise TypeError("field 'diff' must be a string")
    additions, deletions = diff_line_counts(diff)
    return DiffFileRecord(
        path=as_str(item, "new_path"),
        old_path=text(item, "old_path"),
        additions=additions,
        deletions=deletions,
        new_file=bool(item.get("new_file")),
        deleted_file=bool(item.get("deleted_file")),
        renamed_file=bool(item.get("renamed_file")),
    )


@dataclass(frozen=True)
class ApprovalStateRecord:
    """``GET …/merge_requests/:iid/approvals``: who approves now (``approved_at`` only where
    GitLab gives it), and how many approvals are still missing (None on GitLab Free)."""

    approved_by: tuple[tuple[str, datetime | None], ...]
    approvals_left: int | None


def parse_approval_state(item: dict[str, Any]) -> ApprovalStateRecord:
    approved = []
    for index, entry in enumerate(item.get("approved_by") or []):
        login = username(entry.get("user")) if isinstance(entry, dict) else None
        if login is not None:
            when = opt_time_at(entry, "approved_at", f"approved_by[{index}].approved_at")
            approved.append((login, when))
    left = item.get("approvals_left")
    return ApprovalStateRecord(
        approved_by=tuple(approved), approvals_left=left if isinstance(left, int) else None
    )
