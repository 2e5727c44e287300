"""`generate_github_world`: totals, determinism, ranges and realistic shapes."""

from __future__ import annotations

import json
import re
from collections import Counter
from datetime import UTC, datetime

import pytest

from integrations.simulator import GitHubWorld, generate_github_world
from integrations.simulator.github.objects import pull_list_view

from .conftest import END, START


@pytest.fixture(scope="module")
def world() -> GitHubWorld:
    return generate_github_world(
        seed=1,
        repos=20,
        pulls=5000,
        issues=2000,
        releases=300,
        start=START,
        end=END,
        owner="acme",
        deployments_per_repo=20,
        tags_per_repo=10,
    )


def _real_issues(world: GitHubWorld) -> list[dict]:
    return [i for r in world.repos for i in r.issues if "pull_request" not in i]


def _pulls(world: GitHubWorld) -> list[dict]:
    return [p for r in world.repos for p in r.pulls]


def test_totals_equal_the_arguments(world: GitHubWorld) -> None:
    assert len(world.repos) == 20 and world.repos[0].full_name == "acme/api"
    assert len(_pulls(world)) == 5000
    assert len(_real_issues(world)) == 2000
    assert sum(len(r.releases) for r in world.repos) == 300
    assert all(len(r.tags) == 10 and len(r.tag_commits) == 10 for r in world.repos)
    assert all(len(r.deployments) == 20 for r in world.repos)
    assert len({len(r.pulls) for r in world.repos}) > 1  # uneven split


def test_same_seed_same_world_other_seed_other_world() -> None:
    def dump(seed: int) -> str:
        generated = generate_github_world(
            seed=seed,
            repos=2,
            pulls=40,
            issues=10,
            releases=4,
            start=START,
            end=END,
            tags_per_repo=2,
            deployments_per_repo=2,
        )
        return json.dumps(
            [[r.pulls, r.issues, r.releases, r.deployments, r.tags] for r in generated.repos],
            sort_keys=True,
        )

    assert dump(5) == dump(5)
    assert dump(5) != dump(6)


def test_timestamps_are_iso_z_within_the_range(world: GitHubWorld) -> None:
    low, high = "2024-01-01T00:00:00Z", "2026-11-01T00:00:00Z"
    stamps = [
        item[key]
        for r in world.repos
        for item in (*r.pulls, *r.issues, *r.releases)
        for key in ("created_at", "updated_at", "closed_at", "merged_at", "published_at")
        if item.get(key)
    ]
    stamps += [
        s["created_at"] for r in world.repos for ss in r.deployment_statuses.values() for s in ss
    ]
    assert all(re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", s) for s in stamps)
    assert min(stamps) >= low and max(stamps) < high


def test_pull_requests_look_real(world: GitHubWorld) -> None:
    pulls = _pulls(world)
    closed = [p for p in pulls if p["state"] == "closed"]
    merged = [p for p in closed if p["merged_at"]]
    assert 0.75 <= len(merged) / len(closed) <= 0.85
    assert 0.85 <= len(closed) / len(pulls) <= 0.95
    bots = [p for p in pulls if p["user"]["type"] == "Bot"]
    assert bots and {p["user"]["login"] for p in bots} == {"dependabot[bot]"}
    assert all(
        len({p["user"]["login"] for p in r.pulls} - {"dependabot[bot]"}) <= 15 for r in world.repos
    )
    sizes = [p["additions"] + p["deletions"] for p in pulls]
    buckets = Counter(
        next(i for i, top in enumerate((9, 49, 199, 999, 5000)) if s <= top) for s in sizes
    )
    assert min(sizes) >= 1 and max(sizes) <= 5000 and len(buckets) == 5
    assert any(re.match(r"^API-\d+ ", p["title"]) for p in world.repo("acme/api").pulls)
    assert any(re.search(r"Fixes #\d+", p["body"] or "") for p in pulls)
    assert all(p["head"]["ref"] and p["html_url"].endswith(f"/pull/{p['number']}") for p in pulls)


def test_issue_labels_and_numbering(world: GitHubWorld) -> None:
    names = Counter(label["name"] for i in _real_issues(world) for label in i["labels"])
    assert set(names) == {"bug", "impact:high", "known-issue", "enhancement"}
    for repo in world.repos:
        numbers = sorted(i["number"] for i in repo.issues)
        assert numbers == list(range(1, len(repo.issues) + 1))
        assert len(repo.issues) == len(repo.pulls) + sum(
            "pull_request" not in i for i in repo.issues
        )


def test_releases_deployments_and_tags(world: GitHubWorld) -> None:
    releases = [rel for r in world.repos for rel in r.releases]
    assert any(rel["draft"] and rel["published_at"] is None for rel in releases)
    assert any(rel["prerelease"] for rel in releases)
    environments = {d["environment"] for r in world.repos for d in r.deployments}
    assert {"production", "staging"} <= environments
    assert any(e.startswith("prod-") for e in environments)
    finals = Counter(
        ss[-1]["state"] for r in world.repos for ss in r.deployment_statuses.values() if ss
    )
    assert finals["success"] > finals["failure"] > 0
    assert all(
        ss[0]["state"] == "in_progress"
        for r in world.repos
        for ss in r.deployment_statuses.values()
        if ss
    )
    web = world.repo("acme/web")
    tag_dates = [
        web.tag_commits[t["commit"]["sha"]]["commit"]["committer"]["date"] for t in web.tags
    ]
    assert tag_dates == sorted(tag_dates, reverse=True)


def test_list_view_drops_only_detail_keys(world: GitHubWorld) -> None:
    pull = world.repo("acme/api").pulls[0]
    listed = pull_list_view(pull)
    assert set(pull) - set(listed) == {
        "merged",
        "mergeable",
        "rebaseable",
        "mergeable_state",
        "merged_by",
        "comments",
        "review_comments",
        "maintainer_can_modify",
        "commits",
        "additions",
        "deletions",
        "changed_files",
    }


def test_mutation_helpers_move_updated_at() -> None:
    generated = generate_github_world(
        seed=9, repos=1, pulls=5, issues=2, releases=0, start=START, end=END
    )
    repo = generated.repo("ACME/API")  # case-insensitive, like GitHub
    at = datetime(2026, 12, 1, tzinfo=UTC)
    pull = repo.add_pull("API-9 add thing", author="bob-gh", labels=["bug"], created_at=at)
    twin = repo.issue(8)
    assert twin is not None and pull["number"] == 8
    assert twin["pull_request"]["merged_at"] is None
    repo.edit_pull(8, title="API-9 add things", at=datetime(2026, 12, 2, tzinfo=UTC))
    assert twin["title"] == "API-9 add things"  # the issue view follows the PR
    merged = repo.merge_pull(8, at=datetime(2026, 12, 3, tzinfo=UTC))
    assert merged["merged"] and merged["updated_at"] == "2026-12-03T00:00:00Z"
    assert twin["state"] == "closed"
    with pytest.raises(ValueError):
        repo.reopen_pull(8)
    issue = repo.add_issue("Crash", labels=["bug", "impact:high"], created_at=at)
    closed = repo.close_issue(issue["number"], at=datetime(2026, 12, 4, tzinfo=UTC))
    assert closed["state_reason"] == "completed" and closed["closed_at"] == "2026-12-04T00:00:00Z"
    deployment = repo.add_deployment("production", created_at=at)
    repo.add_deployment_status(deployment["id"], "success", at=at)
    release = repo.add_release("v9.0.0", created_at=at)
    assert release["published_at"] == "2026-12-01T00:00:00Z"
    tag = repo.add_tag("v9.0.0", committed_at=at)
    assert repo.tags[0] is tag and tag["commit"]["sha"] in repo.tag_commits
