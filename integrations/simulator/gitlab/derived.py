"""Merge-request detail a project does not store, derived from the merge request alone.

Deterministic (sha256 of ``<project path>!<iid>:<id>``), so every request, process and run
sees the same commits, notes and diffs:
- commits: 1-5, authored by the author in the day before the merge request was opened;
- notes: GitLab's "assigned to" system note, then, for each reviewer, a comment and (when the
  merge request was merged) the system note ``approved this merge request`` before the merge;
- diffs: the sizes of `integrations.simulator.github.recorded.synthesized_size` spread over
  its files, as unified diffs of ``-`` and ``+`` lines.
"""

from __future__ import annotations

import hashlib
from datetime import timedelta
from typing import TYPE_CHECKING

from integrations.simulator.github.recorded import synthesized_size
from integrations.simulator.gitlab.world import JSONDict, iso, parse_iso

if TYPE_CHECKING:
    from integrations.simulator.gitlab.world import GitLabProject


def _seed(project: GitLabProject, mr: JSONDict) -> str:
    return f"{project.path}!{mr['iid']}:{mr['id']}"


def _number(seed: str, salt: str) -> int:
    return int.from_bytes(hashlib.sha256(f"{seed}/{salt}".encode()).digest()[:8], "big")


def _mr(project: GitLabProject, iid: int) -> JSONDict:
    found = project.merge_request(iid)
    if found is None:
        raise KeyError(iid)
    return found


def derived_commits(project: GitLabProject, iid: int) -> list[JSONDict]:
    mr = _mr(project, iid)
    seed = _seed(project, mr)
    count = 1 + _number(seed, "commits") % 5
    opened = parse_iso(mr["created_at"])
    author = mr.get("author") or {}
    name = str(author.get("name") or "unknown")
    email = f"{author.get('username') or 'unknown'}@example.com"
    commits = []
    for index in range(count):
        sha = hashlib.sha1(f"{seed}/commit/{index}".encode(), usedforsecurity=False).hexdigest()
        at = iso(opened - timedelta(hours=24) + timedelta(hours=24 * index / count))
        commits.append(
            {
                "id": sha,
                "short_id": sha[:8],
                "created_at": at,
                "parent_ids": [],
                "title": f"{mr['title']} ({index + 1}/{count})",
                "message": f"{mr['title']} ({index + 1}/{count})\n",
                "author_name": name,
                "author_email": email,
                "authored_date": at,
                "committer_name": name,
                "committer_email": email,
                "committed_date": at,
                "trailers": {},
                "web_url": f"{project.obj['web_url']}/-/commit/{sha}",
            }
        )
    return commits


def _note(mr: JSONDict, note_id: int, user: JSONDict, body: str, at: str, system: bool) -> JSONDict:
    return {
        "id": note_id,
        "type": None,
        "body": body,
        "attachment": None,
        "author": user,
        "created_at": at,
        "updated_at": at,
        "system": system,
        "noteable_id": mr["id"],
        "noteable_type": "MergeRequest",
        "resolvable": False,
        "confidential": False,
        "internal": False,
        "noteable_iid": mr["iid"],
        "commands_changes": {},
    }


def derived_notes(project: GitLabProject, iid: int) -> list[JSONDict]:
    mr = _mr(project, iid)
    opened = parse_iso(mr["created_at"])
    ended = mr.get("merged_at") or mr.get("closed_at") or mr["updated_at"]
    span = max(parse_iso(ended) - opened, timedelta(minutes=2))
    base = mr["id"] * 10
    author = mr.get("author") or {}
    notes = [
        _note(
            mr, base, author, "assigned to @" + str(author.get("username")), mr["created_at"], True
        )
    ]
    for index, reviewer in enumerate(mr.get("reviewers") or []):
        said = iso(opened + span * (0.3 + 0.1 * index))
        notes.append(_note(mr, base + 1 + 2 * index, reviewer, "Looks good overall.", said, False))
        if mr.get("merged_at"):
            approved = iso(opened + span * (0.6 + 0.1 * index))
            body = "approved this merge request"
            notes.append(_note(mr, base + 2 + 2 * index, reviewer, body, approved, True))
    return sorted(notes, key=lambda n: (n["created_at"], n["id"]))


def derived_diffs(project: GitLabProject, iid: int) -> list[JSONDict]:
    mr = _mr(project, iid)
    additions, deletions, files = synthesized_size(_seed(project, mr))
    diffs = []
    for index in range(files):
        added = additions // files + (1 if index < additions % files else 0)
        deleted = deletions // files + (1 if index < deletions % files else 0)
        path = f"src/module_{mr['iid']}/file_{index + 1}.py"
        hunk = f"@@ -1,{deleted} +1,{added} @@\n" + "-old\n" * deleted + "+new\n" * added
        diffs.append(
            {
                "old_path": path,
                "new_path": path,
                "a_mode": "100644",
                "b_mode": "100644",
                "diff": hunk,
                "new_file": deleted == 0,
                "renamed_file": False,
                "deleted_file": False,
                "generated_file": False,
            }
        )
    return diffs
