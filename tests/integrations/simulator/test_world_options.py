"""World options for organisations with their own people (benchmarks/scale_org.py), and Jira
search paging that cuts later pages from the first page's result."""

from __future__ import annotations

import base64
from collections import Counter
from datetime import UTC, datetime

import pytest
import requests

from integrations.simulator import Simulator, generate_github_world
from integrations.simulator.jira import JiraProvider, generate_jira_world, make_issue

from .conftest import END, START

AUTH = {"Authorization": "Basic " + base64.b64encode(b"e@x:t").decode()}


def test_github_authors_and_mergers_come_from_each_repos_pool() -> None:
    pools = [["ann", "bo", "cy", "di", "ed", "fay"], ["gus", "hal"]]
    world = generate_github_world(
        seed=3, repos=2, pulls=400, issues=100, releases=4, start=START, end=END, logins=pools
    )
    for repo, pool in zip(world.repos, pools, strict=True):
        humans = {p["user"]["login"] for p in repo.pulls if p["user"]["type"] == "User"}
        issue_authors = {i["user"]["login"] for i in repo.issues if "pull_request" not in i}
        mergers = {p["merged_by"]["login"] for p in repo.pulls if p["merged_by"]}
        assert humans == set(pool) and issue_authors <= set(pool)
        assert mergers and mergers <= set(pool[:5])


def test_github_default_pool_is_unchanged_and_pool_count_is_checked() -> None:
    plain = generate_github_world(
        seed=5, repos=2, pulls=50, issues=10, releases=2, start=START, end=END
    )
    assert len({p["user"]["login"] for p in plain.repos[0].pulls}) > 5
    with pytest.raises(ValueError, match="1 pools for 2 repositories"):
        generate_github_world(
            seed=5, repos=2, pulls=50, issues=10, releases=2, start=START, end=END, logins=[["ann"]]
        )


def test_jira_people_per_project_and_resolved_share() -> None:
    world = generate_jira_world(
        seed=2,
        projects=("API", "WEB"),
        issues=2000,
        start=datetime(2024, 1, 1, tzinfo=UTC),
        end=datetime(2026, 1, 1, tzinfo=UTC),
        people=("x",),
        project_people={"API": ("a1", "a2")},
        resolved_share=0.95,
    )
    people = {key: set() for key in ("API", "WEB")}
    for issue in world.issues:
        fields = issue["fields"]
        people[fields["project"]["key"]].add(fields["reporter"]["accountId"])
    assert people == {"API": {"a1", "a2"}, "WEB": {"x"}}
    resolved = Counter(i["fields"]["resolutiondate"] is not None for i in world.issues)
    assert 0.92 < resolved[True] / 2000 < 0.98  # default 0.7


def _keys(base_url: str, jql: str) -> list[str]:
    keys, params = [], {"jql": jql, "maxResults": "100", "fields": "summary"}
    while True:
        body = requests.get(
            f"{base_url}/rest/api/3/search/jql", params=params, headers=AUTH, timeout=10
        ).json()
        keys += [i["key"] for i in body["issues"]]
        if body.get("isLast"):
            return keys
        params["nextPageToken"] = body["nextPageToken"]


def test_jira_next_pages_follow_the_first_pages_result_and_a_new_search_rereads() -> None:
    world = generate_jira_world(
        seed=4,
        projects=("API",),
        issues=250,
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2025, 3, 1, tzinfo=UTC),
    )
    jql = 'project in ("API") ORDER BY updated ASC'
    with Simulator() as sim:
        sim.add_provider(JiraProvider(world, email="e@x", token="t"))
        first = _keys(sim.base_url, jql)
        world.issues.append(
            make_issue(
                issue_id=99_999,
                key="API-999",
                project="API",
                kind=("10004", "Bug", False, 0),
                created=datetime(2025, 6, 1, tzinfo=UTC),
                resolved=None,
                priority="High",
                assignee=None,
                reporter="r",
                points=None,
                labels=[],
            )
        )
        second = _keys(sim.base_url, jql)
    assert len(first) == 250 and len(set(first)) == 250
    assert second == [*first, "API-999"]
