"""The recorded panjf2000/ants payloads served through the simulator."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import requests

from integrations.simulator import GitHubWorld, Simulator, load_recorded_github

from .conftest import REAL_DATA

MERGED = [
    4,
    13,
    14,
    15,
    19,
    23,
    30,
    39,
    40,
    41,
    48,
    51,
    53,
    79,
    89,
    100,
    107,
    114,
    172,
    174,
    184,
    185,
    186,
    189,
    206,
    210,
]


@pytest.fixture(scope="module")
def ants() -> GitHubWorld:
    return load_recorded_github(REAL_DATA, full_name="panjf2000/ants")


@pytest.fixture(scope="module")
def ants_sim(ants: GitHubWorld) -> Iterator[Simulator]:
    with Simulator(github=ants) as simulator:
        yield simulator


def _all(sim: Simulator, path: str, **params: str | int) -> list[dict]:
    response = requests.get(f"{sim.base_url}{path}", params={"per_page": 100, **params})
    assert response.status_code == 200 and "next" not in response.links
    return response.json()


def test_repo_object(ants_sim: Simulator) -> None:
    repo = requests.get(f"{ants_sim.base_url}/repos/panjf2000/ants").json()
    assert repo["id"] == 134018330 and repo["default_branch"] == "master"
    assert repo["full_name"] == "panjf2000/ants"


def test_49_pulls_26_merged(ants_sim: Simulator) -> None:
    pulls = _all(ants_sim, "/repos/panjf2000/ants/pulls", state="all")
    assert len(pulls) == 49
    assert sorted(p["number"] for p in pulls if p["merged_at"]) == MERGED
    assert sorted(p["number"] for p in pulls if p["state"] == "open") == [158, 167, 176, 211]
    assert len(_all(ants_sim, "/repos/panjf2000/ants/pulls")) == 4  # default state=open


def test_list_items_are_the_recorded_ones(ants_sim: Simulator) -> None:
    recorded = json.loads((REAL_DATA / "pulls.json").read_text(encoding="utf-8"))
    served = _all(ants_sim, "/repos/panjf2000/ants/pulls", state="all", direction="asc")
    local = json.loads(json.dumps(served).replace(ants_sim.base_url, "https://api.github.com"))
    assert {p["number"]: p for p in local} == {p["number"]: p for p in recorded}


def test_single_pull_has_synthesized_deterministic_sizes(ants_sim: Simulator) -> None:
    url = f"{ants_sim.base_url}/repos/panjf2000/ants/pulls/4"
    pull = requests.get(url).json()
    assert pull["merged"] is True and pull["merged_at"] == "2018-07-26T02:32:41Z"
    assert isinstance(pull["additions"], int) and isinstance(pull["deletions"], int)
    assert pull["additions"] + pull["deletions"] >= 1
    other = load_recorded_github(REAL_DATA, full_name="panjf2000/ants")
    same = other.repo("panjf2000/ants").pull(4)
    assert same is not None and (same["additions"], same["deletions"]) == (
        pull["additions"],
        pull["deletions"],
    )
    commits = json.loads((REAL_DATA / "pull_request_commits.json").read_text(encoding="utf-8"))
    assert pull["commits"] == len(commits["4"])


def test_issues_are_the_41_recorded_items(ants_sim: Simulator) -> None:
    items = _all(ants_sim, "/repos/panjf2000/ants/issues", state="all")
    assert len(items) == 41
    assert sum("pull_request" not in i for i in items) == 26
    assert sorted(i["number"] for i in items if "pull_request" in i) == [
        4,
        8,
        9,
        11,
        13,
        14,
        15,
        16,
        19,
        23,
        30,
        36,
        39,
        40,
        41,
    ]
    assert _all(ants_sim, "/repos/panjf2000/ants/issues") == []  # all closed; default open
    bugs = _all(ants_sim, "/repos/panjf2000/ants/issues", state="all", labels="bug")
    assert sorted(i["number"] for i in bugs if "pull_request" not in i) == [6, 7]


def test_48_tags_and_their_commits(ants_sim: Simulator) -> None:
    tags = _all(ants_sim, "/repos/panjf2000/ants/tags")
    assert len(tags) == 48 and tags[0]["name"] == "v2.11.4"
    commit = requests.get(
        f"{ants_sim.base_url}/repos/panjf2000/ants/commits/{tags[0]['commit']['sha']}"
    ).json()
    assert commit["commit"]["committer"]["date"] == "2025-12-27T05:02:57Z"
    by_name = requests.get(f"{ants_sim.base_url}/repos/panjf2000/ants/commits/v2.11.4").json()
    assert by_name["sha"] == tags[0]["commit"]["sha"]


def test_no_releases_or_deployments_recorded(ants_sim: Simulator) -> None:
    assert _all(ants_sim, "/repos/panjf2000/ants/releases") == []
    assert _all(ants_sim, "/repos/panjf2000/ants/deployments") == []


def test_mutations_on_recorded_repo(ants: GitHubWorld) -> None:
    world = load_recorded_github(REAL_DATA, full_name="panjf2000/ants")
    repo = world.repo("panjf2000/ants")
    pull = repo.add_pull("Add fast path", author="panjf2000", additions=12, deletions=3)
    assert pull["number"] == 212 and pull["id"] > max(p["id"] for p in repo.pulls[:-1])
    repo.merge_pull(212)
    twin = repo.issue(212)
    assert twin is not None and twin["pull_request"]["merged_at"] == pull["merged_at"]
    assert len(ants.repo("panjf2000/ants").pulls) == 49  # other worlds untouched
