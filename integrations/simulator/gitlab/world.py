"""The data a simulated GitLab serves: `GitLabWorld` (groups and projects) and `GitLabProject`.

Everything is stored as the JSON objects GitLab v4 returns; the provider only filters, sorts,
pages and serialises them. Detail a project does not store (a merge request's commits, notes,
diffs) is derived deterministically from the merge request (`derived.py`). All access goes
through `world.lock` (re-entrant). Timestamps are GitLab's: ISO 8601 UTC with milliseconds.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

JSONDict = dict[str, Any]
WEB = "https://gitlab.com"


def iso(moment: datetime) -> str:
    """`2019-06-28T05:21:43.743Z` (UTC, milliseconds) for an aware datetime."""
    return (
        moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond // 1000:03d}Z"
    )


def parse_iso(text: str) -> datetime:
    """Aware UTC datetime from ISO 8601 (`Z`, offsets, fractions, or a bare date)."""
    moment = datetime.fromisoformat(text)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


@dataclass(eq=False)
class GitLabProject:
    """One project: `obj` is `GET /projects/:id`; the lists are what GitLab's list endpoints
    return; `commits`, `notes`, `diffs` map a merge request iid to its items where recorded
    (else derived); `group` is the full path of the group it belongs to."""

    obj: JSONDict
    merge_requests: list[JSONDict] = field(default_factory=list)
    commits: dict[int, list[JSONDict]] = field(default_factory=dict)
    notes: dict[int, list[JSONDict]] = field(default_factory=dict)
    diffs: dict[int, list[JSONDict]] = field(default_factory=dict)
    tags: list[JSONDict] = field(default_factory=list)
    releases: list[JSONDict] = field(default_factory=list)
    deployments: list[JSONDict] = field(default_factory=list)
    issues: list[JSONDict] = field(default_factory=list)

    @property
    def id(self) -> int:
        return int(self.obj["id"])

    @property
    def path(self) -> str:
        return str(self.obj["path_with_namespace"])

    @property
    def group(self) -> str:
        return self.path.rsplit("/", 1)[0]

    def merge_request(self, iid: int) -> JSONDict | None:
        return next((m for m in self.merge_requests if m["iid"] == iid), None)

    def commits_of(self, iid: int) -> list[JSONDict]:
        from integrations.simulator.gitlab.derived import derived_commits

        stored = self.commits.get(iid)
        return stored if stored is not None else derived_commits(self, iid)

    def notes_of(self, iid: int) -> list[JSONDict]:
        from integrations.simulator.gitlab.derived import derived_notes

        stored = self.notes.get(iid)
        return stored if stored is not None else derived_notes(self, iid)

    def diffs_of(self, iid: int) -> list[JSONDict]:
        from integrations.simulator.gitlab.derived import derived_diffs

        stored = self.diffs.get(iid)
        return stored if stored is not None else derived_diffs(self, iid)

    def merge_request_update(self, iid: int, at: datetime, **fields: Any) -> JSONDict:
        """Change merge request `iid` (e.g. `state="merged"`, `merged_at=...`) and move its
        `updated_at` to `at`, as GitLab does on any change. KeyError when there is none."""
        found = self.merge_request(iid)
        if found is None:
            raise KeyError(f"no merge request !{iid} in {self.path}")
        found.update({k: iso(v) if isinstance(v, datetime) else v for k, v in fields.items()})
        found["updated_at"] = iso(at)
        return found


class GitLabWorld:
    """Every project of a simulated GitLab, by path (case-insensitive) and by id."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self._projects: dict[str, GitLabProject] = {}
        self._groups: dict[str, int] = {}

    @property
    def projects(self) -> list[GitLabProject]:
        """Projects in the order they were added."""
        return list(self._projects.values())

    def add(self, project: GitLabProject) -> GitLabProject:
        """Add (or replace) a project; its group (and the group's parents) become groups."""
        with self.lock:
            self._projects[project.path.lower()] = project
            parts = project.group.split("/")
            for depth in range(1, len(parts) + 1):
                name = "/".join(parts[:depth]).lower()
                self._groups.setdefault(name, 9_000_000 + len(self._groups) + 1)
            return project

    def project(self, ident: str) -> GitLabProject | None:
        """The project with this numeric id or full path, or None."""
        if ident.isdigit():
            return next((p for p in self._projects.values() if p.id == int(ident)), None)
        return self._projects.get(ident.lower())

    def group_id(self, ident: str) -> str | None:
        """The full path of the group with this id or path, or None."""
        if ident.isdigit():
            return next((g for g, gid in self._groups.items() if gid == int(ident)), None)
        return ident.lower() if ident.lower() in self._groups else None

    def group_projects(self, group: str, *, include_subgroups: bool) -> list[GitLabProject]:
        """Projects of `group` (full path), with its subgroups' when asked, by id."""
        found = [
            p
            for p in self._projects.values()
            if p.group.lower() == group
            or (include_subgroups and p.group.lower().startswith(f"{group}/"))
        ]
        return sorted(found, key=lambda p: p.id)


def user(user_id: int, name: str) -> JSONDict:
    """A GitLab user object as lists embed it."""
    return {
        "id": user_id,
        "username": name,
        "name": name.replace(".", " ").title(),
        "state": "active",
        "avatar_url": f"{WEB}/uploads/-/system/user/avatar/{user_id}/avatar.png",
        "web_url": f"{WEB}/{name}",
    }


def project_obj(project_id: int, path: str, created_at: str) -> JSONDict:
    """`GET /projects/:id` (the fields Keel reads and a few more)."""
    group, _, name = path.rpartition("/")
    return {
        "id": project_id,
        "name": name,
        "path": name,
        "path_with_namespace": path,
        "default_branch": "main",
        "visibility": "private",
        "created_at": created_at,
        "last_activity_at": created_at,
        "web_url": f"{WEB}/{path}",
        "namespace": {
            "name": group,
            "path": group.split("/")[-1],
            "full_path": group,
            "kind": "group",
        },
    }
