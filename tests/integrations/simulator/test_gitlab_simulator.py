"""The simulated GitLab (integrations/simulator/gitlab): auth, both kinds of pagination, filters,
ETags and rate limits, read with plain requests and with GitLabClient."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from integrations.errors import AuthError
from integrations.gitlab import GitLabClient
from integrations.simulator import FaultRule, Simulator
from integrations.simulator.gitlab import GitLabProvider, GitLabWorld, generate_gitlab_world

TOKEN = "glpat-sim"
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2025, 1, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def world() -> GitLabWorld:
    return generate_gitlab_world(
        seed=5,
        group="acme",
        projects=2,
        merge_requests=45,
        issues=12,
        releases=4,
        start=START,
        end=END,
    )


@pytest.fixture
def sim(world: GitLabWorld) -> Iterator[Simulator]:
    simulator = Simulator()
    simulator.add_provider(GitLabProvider(world, token=TOKEN, rate_limit=1000))
    with simulator:
        yield simulator


def get(sim: Simulator, path: str, **headers: str) -> requests.Response:
    return requests.get(
        f"{sim.base_url}/api/v4{path}", headers={"PRIVATE-TOKEN": TOKEN, **headers}, timeout=5
    )


def test_offset_pagination_headers(sim: Simulator, world: GitLabWorld) -> None:
    project = world.projects[0]
    total = len(project.merge_requests)
    response = get(sim, f"/projects/{project.id}/merge_requests?per_page=10&page=2")
    assert response.status_code == 200 and len(response.json()) == 10
    assert response.headers["x-page"] == "2" and response.headers["x-next-page"] == "3"
    assert response.headers["x-total"] == str(total)
    assert response.headers["x-total-pages"] == str(-(-total // 10))
    assert 'rel="next"' in response.headers["link"] and 'rel="prev"' in response.headers["link"]
    assert response.headers["ratelimit-limit"] == "1000"


def test_keyset_pagination_of_group_projects(sim: Simulator, world: GitLabWorld) -> None:
    first = get(sim, "/groups/acme/projects?pagination=keyset&order_by=id&sort=asc&per_page=1")
    assert [p["path_with_namespace"] for p in first.json()] == ["acme/api"]
    assert (
        "x-total" not in first.headers
        and f"id_after={world.projects[0].id}" in first.headers["link"]
    )
    wrong = get(sim, "/groups/acme/projects?pagination=keyset&order_by=name")
    assert wrong.status_code == 405


def test_auth_either_header(sim: Simulator) -> None:
    assert get(sim, "/projects/acme%2Fapi").json()["path_with_namespace"] == "acme/api"
    bearer = requests.get(
        f"{sim.base_url}/api/v4/projects/acme%2Fapi",
        headers={"Authorization": f"Bearer {TOKEN}"},
        timeout=5,
    )
    assert bearer.status_code == 200
    denied = requests.get(f"{sim.base_url}/api/v4/projects/acme%2Fapi", timeout=5)
    assert denied.status_code == 401 and denied.json() == {"message": "401 Unauthorized"}


def test_updated_after_filter_and_ascending_order(sim: Simulator, world: GitLabWorld) -> None:
    project = world.projects[0]
    updated = sorted(m["updated_at"] for m in project.merge_requests)
    middle = updated[len(updated) // 2]
    query = f"updated_after={middle}&order_by=updated_at&sort=asc&per_page=100"
    items = get(sim, f"/projects/{project.id}/merge_requests?{query}").json()
    assert [m["updated_at"] for m in items] == updated[len(updated) // 2 :]


def test_etag_answers_304(sim: Simulator) -> None:
    first = get(sim, "/projects/acme%2Fapi/releases")
    again = get(sim, "/projects/acme%2Fapi/releases", **{"If-None-Match": first.headers["etag"]})
    assert again.status_code == 304 and again.content == b""


def test_spent_budget_is_a_429_with_retry_after(sim: Simulator) -> None:
    provider = sim.providers["gitlab"]
    assert isinstance(provider, GitLabProvider)
    provider.budget.set_used(TOKEN, 1000)
    response = get(sim, "/projects/acme%2Fapi")
    assert response.status_code == 429 and response.text == "Retry later\n"
    assert (
        int(response.headers["retry-after"]) > 0 and response.headers["ratelimit-remaining"] == "0"
    )
    provider.budget.reset()


def test_client_reads_a_project_whole(sim: Simulator, world: GitLabWorld) -> None:
    client = GitLabClient(f"{sim.base_url}/api/v4", TOKEN, per_page=20)
    project = world.projects[1]
    details = [d for page in client.list_merge_request_details(project.path) for d in page.items]
    assert [d.merge_request.iid for d in details] == sorted(
        (m["iid"] for m in project.merge_requests),
        key=lambda iid: (project.merge_request(iid) or {})["updated_at"],
    )
    merged = [d for d in details if d.merge_request.merged_at]
    assert merged and all(a.state == "APPROVED" for d in merged for a in d.approvals)
    assert all(len(d.approvals) == 1 for d in merged)
    assert all(d.commits and d.files and d.additions + d.deletions > 0 for d in details)
    releases = [r for page in client.list_releases(project.path) for r in page.items]
    tags = [t for page in client.list_tags(project.path) for t in page.items]
    assert (
        [r.tag_name for r in releases]
        == [t.name for t in tags]
        == [r["tag_name"] for r in project.releases]
    )


def test_client_waits_out_an_injected_429(sim: Simulator) -> None:
    waits: list[float] = []
    sim.faults.add(FaultRule(path=r"/repository/tags", status=429, retry_after=2))
    client = GitLabClient(f"{sim.base_url}/api/v4", TOKEN, sleep=waits.append)
    assert [t.name for page in client.list_tags("acme/web") for t in page.items]
    assert waits == [2.0]


def test_client_wrong_token(sim: Simulator) -> None:
    client = GitLabClient(f"{sim.base_url}/api/v4", "wrong")
    with pytest.raises(AuthError, match="GitLab project 'acme/api', project: token rejected"):
        client.get_project("acme/api")
