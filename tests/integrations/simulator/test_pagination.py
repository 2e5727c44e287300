"""Paging, ordering and list shapes of the simulated GitHub, checked with plain `requests`."""

from __future__ import annotations

from collections.abc import Iterator
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from integrations.simulator import GitHubWorld, Simulator, generate_github_world

from .conftest import END, START


@pytest.fixture(scope="module")
def big_world() -> GitHubWorld:
    """One repository with 5000 pull requests."""
    return generate_github_world(
        seed=3, repos=1, pulls=5000, issues=0, releases=0, start=START, end=END
    )


@pytest.fixture(scope="module")
def big_sim(big_world: GitHubWorld) -> Iterator[Simulator]:
    with Simulator(github=big_world) as simulator:
        yield simulator


def _page_of(url: str) -> int:
    return int(parse_qs(urlsplit(url).query)["page"][0])


def test_5000_pulls_in_50_pages_with_link_headers(big_sim: Simulator) -> None:
    repo_id = big_sim.github.world.repo("acme/api").id
    url: str | None = f"{big_sim.base_url}/repos/acme/api/pulls?state=all&per_page=100"
    numbers: list[int] = []
    with requests.Session() as http:
        while url:
            response = http.get(url)
            assert response.status_code == 200
            numbers += [pull["number"] for pull in response.json()]
            url = response.links.get("next", {}).get("url")
    assert len(numbers) == len(set(numbers)) == 5000
    assert len(big_sim.requests) == 50
    assert big_sim.requests[1].path == f"/repositories/{repo_id}/pulls"
    assert big_sim.requests[1].query == {"state": "all", "per_page": "100", "page": "2"}


def test_link_header_rels_on_first_middle_and_last_page(big_sim: Simulator) -> None:
    base = f"{big_sim.base_url}/repos/acme/api/pulls"
    first = requests.get(base, params={"state": "all", "per_page": "100"})
    assert set(first.links) == {"next", "last"}
    assert _page_of(first.links["next"]["url"]) == 2
    assert _page_of(first.links["last"]["url"]) == 50
    assert first.links["next"]["url"].startswith(f"{big_sim.base_url}/repositories/")
    assert "state=all&per_page=100&page=2" in first.links["next"]["url"]
    middle = requests.get(base, params={"state": "all", "per_page": "100", "page": "7"})
    assert [_page_of(middle.links[rel]["url"]) for rel in ("prev", "next", "last", "first")] == [
        6,
        8,
        50,
        1,
    ]
    assert middle.headers["link"].index('rel="prev"') < middle.headers["link"].index('rel="next"')
    last = requests.get(base, params={"state": "all", "per_page": "100", "page": "50"})
    assert set(last.links) == {"prev", "first"} and len(last.json()) == 100
    beyond = requests.get(base, params={"state": "all", "per_page": "100", "page": "51"})
    assert beyond.json() == []


def test_per_page_defaults_to_30_and_is_capped_at_100(big_sim: Simulator) -> None:
    base = f"{big_sim.base_url}/repos/acme/api/pulls?state=all"
    default = requests.get(base)
    assert len(default.json()) == 30
    assert _page_of(default.links["last"]["url"]) == 167  # ceil(5000 / 30)
    capped = requests.get(f"{base}&per_page=500")
    assert len(capped.json()) == 100
    assert _page_of(capped.links["last"]["url"]) == 50


def test_default_state_is_open_and_default_order_created_desc(
    big_sim: Simulator, big_world: GitHubWorld
) -> None:
    open_count = sum(p["state"] == "open" for p in big_world.repo("acme/api").pulls)
    assert 0 < open_count < 5000
    response = requests.get(f"{big_sim.base_url}/repos/acme/api/pulls?per_page=100")
    items = response.json()
    assert all(p["state"] == "open" for p in items)
    assert [p["created_at"] for p in items] == sorted(
        (p["created_at"] for p in items), reverse=True
    )
    last = _page_of(response.links["last"]["url"])
    assert (last - 1) * 100 < open_count <= last * 100


def test_sort_updated_defaults_to_ascending(big_sim: Simulator) -> None:
    params = {"state": "closed", "sort": "updated", "per_page": "100"}
    items = requests.get(f"{big_sim.base_url}/repos/acme/api/pulls", params=params).json()
    stamps = [p["updated_at"] for p in items]
    assert stamps == sorted(stamps) and all(p["state"] == "closed" for p in items)
    params["direction"] = "desc"
    items = requests.get(f"{big_sim.base_url}/repos/acme/api/pulls", params=params).json()
    newest = [p["updated_at"] for p in items]
    assert newest == sorted(newest, reverse=True) and newest[0] > stamps[-1]


def test_list_omits_detail_fields_that_the_single_pull_has(big_sim: Simulator) -> None:
    listed = requests.get(f"{big_sim.base_url}/repos/acme/api/pulls?state=closed").json()[0]
    for key in ("additions", "deletions", "merged", "commits", "changed_files"):
        assert key not in listed
    full = requests.get(f"{big_sim.base_url}/repos/acme/api/pulls/{listed['number']}").json()
    assert full["additions"] + full["deletions"] >= 1
    assert full["merged"] is (full["merged_at"] is not None)
    assert {k: v for k, v in full.items() if k in listed} == listed


def test_links_can_keep_the_repos_path(big_world: GitHubWorld) -> None:
    with Simulator(github=big_world, link_by_repo_id=False) as simulator:
        response = requests.get(f"{simulator.base_url}/repos/acme/api/pulls?state=all")
    assert response.links["next"]["url"] == (
        f"{simulator.base_url}/repos/acme/api/pulls?state=all&page=2"
    )


def test_single_page_result_has_no_link_header(sim: Simulator, session: requests.Session) -> None:
    response = session.get(f"{sim.base_url}/repos/acme/api/tags")
    assert response.status_code == 200 and len(response.json()) == 6
    assert "link" not in response.headers
