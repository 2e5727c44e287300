"""Serve recorded GitHub payloads (tests/fixtures/github) through the simulator.

`load_recorded_github` turns the recorded list responses of one repository into a `GitHubRepo`:
`/pulls` and `/issues` return exactly the recorded items (the 15 pull requests in issues.json
stay the only PR rows of `/issues`), `/tags` and `/commits/{sha}` come from tags.json and
tag_commits.json; releases and deployments were not recorded and are empty.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from integrations.simulator.github.objects import JSONDict, iso, parse_iso, repo_obj
from integrations.simulator.github.world import GitHubRepo, GitHubWorld

#: (low, high, cumulative percent) of the synthesized size buckets (additions + deletions).
SIZE_BUCKETS = ((1, 9, 25), (10, 49, 55), (50, 199, 80), (200, 999, 95), (1000, 5000, 100))


def synthesized_size(seed: str) -> tuple[int, int, int]:
    """(additions, deletions, changed_files) derived from sha256(`seed`): deterministic, and
    spread over all size buckets (25% 1-9 lines, 30% 10-49, 25% 50-199, 15% 200-999,
    5% 1000-5000)."""
    value = int.from_bytes(hashlib.sha256(seed.encode()).digest()[:16], "big")
    percent, value = value % 100, value // 100
    low, high = next((lo, hi) for lo, hi, cut in SIZE_BUCKETS if percent < cut)
    total, value = low + value % (high - low + 1), value // (high - low + 1)
    additions = max(1, round(total * (50 + value % 46) / 100)) if total > 1 else 1
    return additions, total - additions, max(1, total // 40 + value % 3)


def complete_pull(item: JSONDict, full_name: str, commits: int | None) -> JSONDict:
    """A recorded `GET /pulls` list item plus the fields only `GET /pulls/{n}` has.

    additions/deletions/changed_files are synthesized by `synthesized_size` from
    "<full_name>#<number>:<id>"; `commits` is the recorded commit count if known, else
    synthesized (1-5); `merged` = merged_at is not null; `merged_by` is null (not recorded).
    """
    additions, deletions, changed = synthesized_size(f"{full_name}#{item['number']}:{item['id']}")
    full = dict(item)
    full.update(
        {
            "merged": item.get("merged_at") is not None,
            "mergeable": None,
            "rebaseable": None,
            "mergeable_state": "unknown",
            "merged_by": None,
            "comments": 0,
            "review_comments": 0,
            "maintainer_can_modify": False,
            "commits": commits if commits else 1 + additions % 5,
            "additions": additions,
            "deletions": deletions,
            "changed_files": changed,
        }
    )
    return full


def _read(path: Path, default: Any) -> Any:
    if not path.exists():
        return default
    with path.open(encoding="utf-8") as handle:
        return json.load(handle)


def _recorded_repo_obj(pulls: list[JSONDict], full_name: str) -> JSONDict:
    """The base repo embedded in the recorded pulls (a full repo object), else a built one."""
    for pull in pulls:
        base_repo = (pull.get("base") or {}).get("repo")
        if base_repo and base_repo.get("id"):
            return dict(base_repo)
    created = min((p["created_at"] for p in pulls), default=iso(parse_iso("2018-01-01")))
    return repo_obj(full_name, 0, "master", created)


def load_recorded_github(
    path: Path, full_name: str = "panjf2000/ants", world: GitHubWorld | None = None
) -> GitHubWorld:
    """A world (new, or `world` extended) with `full_name` served from the files in `path`.

    Reads pulls.json, issues.json, tags.json, tag_commits.json and (for PR commit counts)
    pull_request_commits.json; missing files give empty lists. The repo object and id come
    from the pulls' `base.repo` (default branch "master" when absent).
    """
    path = Path(path)
    target = world if world is not None else GitHubWorld()
    pulls = _read(path / "pulls.json", [])
    commit_lists = _read(path / "pull_request_commits.json", {})
    obj = _recorded_repo_obj(pulls, full_name)
    obj["id"] = obj.get("id") or target.ids.next("repo")
    obj["full_name"], obj["name"] = full_name, full_name.split("/", 1)[1]
    obj["default_branch"] = obj.get("default_branch") or "master"
    full_pulls = [
        complete_pull(p, full_name, len(commit_lists.get(str(p["number"]), []))) for p in pulls
    ]
    repo = GitHubRepo(
        full_name=full_name,
        id=obj["id"],
        default_branch=obj["default_branch"],
        obj=obj,
        pulls=full_pulls,
        issues=_read(path / "issues.json", []),
        tags=_read(path / "tags.json", []),
        tag_commits=_read(path / "tag_commits.json", {}),
    )
    target.attach(repo)
    return target
