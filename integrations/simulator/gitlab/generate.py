"""`generate_gitlab_world`: a deterministic GitLab group for tests, benchmarks and the demo.

Everything derives from `random.Random(seed)`; counts are split unevenly across projects but
sum to the requested totals (`integrations.simulator.github.generate.split_total`). Timestamps
are in [start, end); what would happen at or after `end` does not (the merge request stays
open). Merge requests carry a reviewer, so their derived notes hold an approval; commits,
notes and diffs are derived (`derived.py`). Each release has its tag and a production
deployment of the tagged commit.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from integrations.simulator.github.generate import _Span, repo_names, split_total
from integrations.simulator.gitlab.world import (
    WEB,
    GitLabProject,
    GitLabWorld,
    JSONDict,
    iso,
    project_obj,
    user,
)

USERNAMES = (
    "ana.lima",
    "ben.okafor",
    "chloe.martin",
    "dev.patel",
    "eva.novak",
    "felix.wong",
    "grace.kim",
    "hugo.silva",
)
BUG_LABELS: tuple[list[str], ...] = (
    ["type::bug", "priority::1"],
    ["type::bug", "priority::2"],
    ["type::bug"],
)
OTHER_LABELS: tuple[list[str], ...] = (["type::feature"], ["documentation"], [])


def generate_gitlab_world(
    seed: int = 1,
    group: str = "acme",
    projects: int = 3,
    merge_requests: int = 300,
    issues: int = 100,
    releases: int = 30,
    start: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    end: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    usernames: Sequence[str] = USERNAMES,
    world: GitLabWorld | None = None,
    first_id: int = 41_000_000,
) -> GitLabWorld:
    """A world (new, or `world` extended) with `projects` projects `group/api`, `group/web`,
    ... holding `merge_requests`, `issues` and `releases` in total (plus a tag and a production
    deployment per release, and a staging deployment per merged merge request's tenth)."""
    if end <= start:
        raise ValueError("end must be after start")
    rng, target, span = random.Random(seed), world or GitLabWorld(), _Span(start, end)
    users = [user(100 + i, name) for i, name in enumerate(usernames)]
    counts = zip(
        split_total(rng, merge_requests, projects),
        split_total(rng, issues, projects),
        split_total(rng, releases, projects),
        strict=True,
    )
    for index, (name, (n_mrs, n_issues, n_releases)) in enumerate(
        zip(repo_names(projects), counts, strict=True)
    ):
        obj = project_obj(first_id + index * 7, f"{group}/{name}", iso(start))
        project = target.add(GitLabProject(obj=obj))
        _merge_requests(rng, project, span, n_mrs, users)
        _issues(rng, project, span, n_issues, users)
        _releases(rng, project, span, n_releases, users)
    return target


def _sha(*parts: object) -> str:
    return hashlib.sha1("/".join(map(str, parts)).encode(), usedforsecurity=False).hexdigest()


def _merge_requests(
    rng: random.Random, project: GitLabProject, span: _Span, count: int, users: list[JSONDict]
) -> None:
    for iid, opened in enumerate(span.sorted_times(rng, count), start=1):
        author, reviewer = rng.sample(users, 2)
        hours = rng.lognormvariate(3.0, 1.2)
        ended = span.later(opened, hours * 3600) if rng.random() < 0.9 else None
        merged = ended if ended is not None and rng.random() < 0.85 else None
        closed = ended if ended is not None and merged is None else None
        state = "merged" if merged else "closed" if closed else "opened"
        mr_id = project.id * 1000 + iid
        project.merge_requests.append(
            {
                "id": mr_id,
                "iid": iid,
                "project_id": project.id,
                "title": f"{rng.choice(('Add', 'Fix', 'Refactor', 'Update'))} part {iid}",
                "description": f"Closes #{iid}" if rng.random() < 0.3 else "",
                "state": state,
                "created_at": iso(opened),
                "updated_at": iso(ended or opened),
                "merged_by": reviewer if merged else None,
                "merged_at": iso(merged) if merged else None,
                "closed_by": reviewer if closed else None,
                "closed_at": iso(closed) if closed else None,
                "target_branch": "main",
                "source_branch": f"feature/{iid}",
                "author": author,
                "assignees": [author],
                "assignee": author,
                "reviewers": [reviewer],
                "labels": list(rng.choice(OTHER_LABELS)),
                "draft": False,
                "work_in_progress": False,
                "sha": _sha(project.path, iid, "head"),
                "merge_commit_sha": _sha(project.path, iid, "merge") if merged else None,
                "squash_commit_sha": None,
                "reference": f"!{iid}",
                "web_url": f"{WEB}/{project.path}/-/merge_requests/{iid}",
            }
        )


def _issues(
    rng: random.Random, project: GitLabProject, span: _Span, count: int, users: list[JSONDict]
) -> None:
    for iid, opened in enumerate(span.sorted_times(rng, count), start=1):
        author = rng.choice(users)
        bug = rng.random() < 0.6
        closed = (
            span.later(opened, rng.lognormvariate(4.0, 1.3) * 3600) if rng.random() < 0.8 else None
        )
        project.issues.append(
            {
                "id": project.id * 1000 + 500_000 + iid,
                "iid": iid,
                "project_id": project.id,
                "title": f"{'Bug' if bug else 'Idea'} {iid}",
                "state": "closed" if closed else "opened",
                "created_at": iso(opened),
                "updated_at": iso(closed or opened),
                "closed_at": iso(closed) if closed else None,
                "closed_by": author if closed else None,
                "labels": list(rng.choice(BUG_LABELS if bug else OTHER_LABELS)),
                "author": author,
                "assignees": [author],
                "assignee": author,
                "type": "ISSUE",
                "issue_type": "issue",
                "web_url": f"{WEB}/{project.path}/-/issues/{iid}",
            }
        )


def _releases(
    rng: random.Random, project: GitLabProject, span: _Span, count: int, users: list[JSONDict]
) -> None:
    """Tags, releases (newest first, as GitLab lists them) and production deployments."""
    deployments: list[JSONDict] = []
    for number, at in enumerate(span.sorted_times(rng, count), start=1):
        tag, sha = f"v1.{number}.0", _sha(project.path, "release", number)
        committed = at - timedelta(hours=rng.uniform(1, 48))
        commit = {
            "id": sha,
            "short_id": sha[:8],
            "title": f"Release {tag}",
            "created_at": iso(committed),
            "committed_date": iso(committed),
            "authored_date": iso(committed),
        }
        project.tags.insert(
            0,
            {
                "name": tag,
                "message": "",
                "target": sha,
                "commit": commit,
                "release": {"tag_name": tag, "description": ""},
                "protected": False,
                "created_at": iso(at),
            },
        )
        project.releases.insert(
            0,
            {
                "tag_name": tag,
                "name": f"Release {tag}",
                "description": "",
                "created_at": iso(at),
                "released_at": iso(at),
                "upcoming_release": False,
                "author": rng.choice(users),
                "commit": commit,
                "_links": {"self": f"{WEB}/{project.path}/-/releases/{tag}"},
            },
        )
        deployments.append(_deployment(project, number, "production", tag, sha, at, span))
    project.deployments.extend(deployments)


def _deployment(
    project: GitLabProject,
    iid: int,
    environment: str,
    ref: str,
    sha: str,
    at: datetime,
    span: _Span,
) -> JSONDict:
    finished = span.later(at, 600)
    return {
        "id": project.id * 1000 + 800_000 + iid,
        "iid": iid,
        "ref": ref,
        "sha": sha,
        "created_at": iso(at),
        "updated_at": iso(finished or at),
        "status": "success" if finished else "running",
        "environment": {"id": project.id + 1, "name": environment, "slug": environment},
        "deployable": {
            "status": "success" if finished else "running",
            "finished_at": iso(finished) if finished else None,
        },
    }
