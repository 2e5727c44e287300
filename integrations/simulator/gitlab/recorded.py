"""Serve recorded GitLab payloads (tests/fixtures/gitlab) as one live project.

`load_recorded_gitlab` turns the recorded items of gitlab-data/snowflake_spend into a
`GitLabProject` (id 12345678, as recorded): its 18 merge requests, 16 issues and 8 deployments
exactly as recorded; the recorded commits and notes of the merge requests they were requested
for, and none for the others; diffs derived (`derived.py`: no size was recorded); no tags or
releases (none were recorded).

The recorder stored the approval notes under hand-edited merge-request iids (29, 30, 46, 37:
the real !18, !19, !20, !21, same `web_url`; tests/fixtures/README.md); they are served under
the real iids. The deployments were recorded from another project (merico-dev/ee/vdev.co)
under the same project id and are served as this project's, as recorded.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from integrations.simulator.gitlab.world import GitLabProject, GitLabWorld

#: Recorded (hand-edited) iid → the real iid of the same merge request.
EDITED_IIDS = {29: 18, 30: 19, 46: 20, 37: 21}


def _read(path: Path) -> Any:
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def load_recorded_gitlab(path: Path, world: GitLabWorld | None = None) -> GitLabWorld:
    """A world (new, or `world` extended) serving the recorded project in folder `path`
    (project.json, merge_requests.json, merge_request_commits.json,
    merge_request_notes.json, issues.json, deployments.json)."""
    path = Path(path)
    target = world if world is not None else GitLabWorld()
    merge_requests = _read(path / "merge_requests.json")
    iids = {mr["iid"] for mr in merge_requests}
    commits = {int(k): v for k, v in _read(path / "merge_request_commits.json").items()}
    notes: dict[int, list[dict[str, Any]]] = {}
    for key, items in _read(path / "merge_request_notes.json").items():
        notes.setdefault(EDITED_IIDS.get(int(key), int(key)), []).extend(items)
    project = GitLabProject(
        obj=_read(path / "project.json"),
        merge_requests=merge_requests,
        commits={iid: commits.get(iid, []) for iid in iids},
        notes={iid: sorted(notes.get(iid, []), key=lambda n: n["created_at"]) for iid in iids},
        issues=_read(path / "issues.json"),
        deployments=_read(path / "deployments.json"),
    )
    target.add(project)
    return target
