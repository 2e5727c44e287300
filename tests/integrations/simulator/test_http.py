"""Auth, errors, ETags and the primary rate limit of the simulated GitHub."""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime

import requests

from integrations.simulator import GitHubWorld, Simulator, generate_github_world

from .conftest import END, START, TOKEN

RATE_HEADERS = (
    "x-ratelimit-limit",
    "x-ratelimit-remaining",
    "x-ratelimit-reset",
    "x-ratelimit-used",
    "x-ratelimit-resource",
)


def test_repo_object_and_rate_limit_headers(sim: Simulator, session: requests.Session) -> None:
    response = session.get(f"{sim.base_url}/repos/acme/api")
    repo = response.json()
    assert response.status_code == 200
    assert repo["full_name"] == "acme/api" and repo["default_branch"] in ("main", "master")
    assert repo["id"] == sim.github.world.repo("acme/api").id
    assert all(name in response.headers for name in RATE_HEADERS)
    assert response.headers["x-ratelimit-limit"] == "5000"
    assert response.headers["x-ratelimit-remaining"] == "4999"
    assert response.headers["x-ratelimit-used"] == "1"
    assert response.headers["x-ratelimit-resource"] == "core"
    assert 0 < int(response.headers["x-ratelimit-reset"]) - time.time() <= 3600


def test_unknown_repo_is_404_with_github_body(sim: Simulator, session: requests.Session) -> None:
    response = session.get(f"{sim.base_url}/repos/acme/nope/pulls")
    assert response.status_code == 404
    assert response.json()["message"] == "Not Found"
    assert response.json()["documentation_url"].startswith("https://docs.github.com/")
    assert session.get(f"{sim.base_url}/repos/acme/api/pulls/999999").status_code == 404


def test_wrong_or_missing_token_is_401(sim: Simulator) -> None:
    wrong = requests.get(f"{sim.base_url}/repos/acme/api", headers={"Authorization": "Bearer nope"})
    assert wrong.status_code == 401
    assert wrong.json() == {
        "message": "Bad credentials",
        "documentation_url": "https://docs.github.com/rest",
        "status": "401",
    }
    assert requests.get(f"{sim.base_url}/repos/acme/api").status_code == 401
    legacy = requests.get(
        f"{sim.base_url}/repos/acme/api", headers={"Authorization": f"token {TOKEN}"}
    )
    assert legacy.status_code == 200


def test_etag_and_if_none_match_give_304_that_costs_nothing(
    sim: Simulator, session: requests.Session
) -> None:
    url = f"{sim.base_url}/repos/acme/api/releases"
    first = session.get(url)
    etag = first.headers["etag"]
    assert etag.startswith('W/"') and etag.endswith('"')
    again = session.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert again.headers["etag"] == etag
    assert again.headers["x-ratelimit-remaining"] == first.headers["x-ratelimit-remaining"]
    strong = session.get(url, headers={"If-None-Match": etag[2:]})
    assert strong.status_code == 304
    other = session.get(url, headers={"If-None-Match": 'W/"stale"'})
    assert other.status_code == 200 and other.headers["etag"] == etag


def test_change_in_world_changes_etag(
    small_world: GitHubWorld, sim: Simulator, session: requests.Session
) -> None:
    url = f"{sim.base_url}/repos/acme/web/issues?state=all&sort=updated"
    etag = session.get(url).headers["etag"]
    repo = small_world.repo("acme/web")
    number = next(i["number"] for i in repo.issues if i["state"] == "open")
    repo.close_issue(number, at=datetime(2026, 10, 31, tzinfo=UTC))
    response = session.get(url, headers={"If-None-Match": etag})
    assert response.status_code == 200 and response.headers["etag"] != etag
    assert response.json()[0]["number"] == number
    assert response.json()[0]["closed_at"] == "2026-10-31T00:00:00Z"


def test_rate_limit_exhaustion_is_403_with_reset(small_world: GitHubWorld) -> None:
    with Simulator(github=small_world, token=TOKEN, rate_limit=3) as simulator:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {TOKEN}"
            remaining = [
                http.get(f"{simulator.base_url}/repos/acme/api").headers["x-ratelimit-remaining"]
                for _ in range(3)
            ]
            blocked = http.get(f"{simulator.base_url}/repos/acme/api")
            budget = http.get(f"{simulator.base_url}/rate_limit").json()["resources"]["core"]
    assert remaining == ["2", "1", "0"]
    assert blocked.status_code == 403
    assert blocked.json()["message"] == "API rate limit exceeded for user ID 1."
    assert blocked.headers["x-ratelimit-remaining"] == "0"
    assert blocked.headers["x-ratelimit-used"] == "3"
    assert int(blocked.headers["x-ratelimit-reset"]) > time.time()
    assert budget["remaining"] == 0 and budget["limit"] == 3


def test_budget_window_resets(small_world: GitHubWorld) -> None:
    with Simulator(github=small_world, rate_limit=1, rate_limit_window=0.3) as simulator:
        url = f"{simulator.base_url}/repos/acme/api"
        assert requests.get(url).status_code == 200
        assert requests.get(url).status_code == 403
        time.sleep(0.35)
        assert requests.get(url).status_code == 200


def test_since_filter_returns_items_updated_at_or_after(
    small_world: GitHubWorld, sim: Simulator, session: requests.Session
) -> None:
    since = "2025-06-01T00:00:00Z"
    expected = sorted(
        i["number"] for i in small_world.repo("acme/mobile").issues if i["updated_at"] >= since
    )
    response = session.get(
        f"{sim.base_url}/repos/acme/mobile/issues",
        params={"state": "all", "since": since, "per_page": "100"},
    )
    got = [i["number"] for i in response.json()]
    while "next" in response.links:
        response = session.get(response.links["next"]["url"])
        got += [i["number"] for i in response.json()]
    assert 0 < len(expected) < len(small_world.repo("acme/mobile").issues)
    assert sorted(got) == expected
    bad = session.get(f"{sim.base_url}/repos/acme/mobile/issues", params={"since": "yesterday"})
    assert bad.status_code == 422


def test_issues_include_pull_requests_with_pull_request_key(
    small_world: GitHubWorld, sim: Simulator, session: requests.Session
) -> None:
    repo = small_world.repo("acme/api")
    response = session.get(
        f"{sim.base_url}/repos/acme/api/issues",
        params={"state": "all", "per_page": "100", "labels": "bug"},
    )
    items = response.json()
    assert all("bug" in {label["name"] for label in i["labels"]} for i in items)
    pulls = [i for i in repo.issues if "pull_request" in i]
    assert len(pulls) == len(repo.pulls)
    merged = next(p for p in repo.pulls if p["merged_at"])
    twin = session.get(f"{sim.base_url}/repos/acme/api/issues/{merged['number']}").json()
    assert twin["pull_request"]["merged_at"] == merged["merged_at"]


def test_concurrent_requests_are_all_answered_and_logged(sim: Simulator) -> None:
    def fetch(page: int) -> int:
        return requests.get(
            f"{sim.base_url}/repos/acme/api/pulls?state=all&page={page}",
            headers={"Authorization": f"Bearer {TOKEN}"},
        ).status_code

    with ThreadPoolExecutor(max_workers=8) as pool:
        statuses = list(pool.map(fetch, [1 + n % 5 for n in range(40)]))
    assert statuses == [200] * 40
    assert len(sim.requests) == 40
    sim.reset_requests()
    assert sim.requests == []


def test_deployments_and_statuses_newest_first(sim: Simulator, session: requests.Session) -> None:
    deployments = session.get(f"{sim.base_url}/repos/acme/api/deployments").json()
    assert len(deployments) == 12
    stamps = [d["created_at"] for d in deployments]
    assert stamps == sorted(stamps, reverse=True)
    statuses = session.get(deployments[-1]["statuses_url"]).json()
    assert [s["state"] for s in statuses][-1] == "in_progress"
    assert statuses[0]["state"] in ("success", "failure")
    assert {"id", "state", "created_at", "environment"} <= set(statuses[0])
    production = session.get(
        f"{sim.base_url}/repos/acme/api/deployments", params={"environment": "production"}
    ).json()
    assert production and all(d["environment"] == "production" for d in production)


def test_tags_and_tag_commits(sim: Simulator, session: requests.Session) -> None:
    tags = session.get(f"{sim.base_url}/repos/acme/api/tags").json()
    commit = session.get(tags[0]["commit"]["url"]).json()
    assert commit["sha"] == tags[0]["commit"]["sha"]
    older = session.get(tags[1]["commit"]["url"]).json()
    assert commit["commit"]["committer"]["date"] > older["commit"]["committer"]["date"]
    missing = session.get(f"{sim.base_url}/repos/acme/api/commits/deadbeef")
    assert missing.status_code == 422


def test_embedded_urls_point_at_the_simulator() -> None:
    world = generate_github_world(
        seed=2, repos=1, pulls=3, issues=0, releases=0, start=START, end=END
    )
    with Simulator(github=world) as simulator:
        pull = requests.get(f"{simulator.base_url}/repos/acme/api/pulls?state=all").json()[0]
        detail = requests.get(pull["url"])
    assert pull["url"].startswith(simulator.base_url)
    assert detail.status_code == 200 and detail.json()["number"] == pull["number"]


def test_start_stop_without_context_manager(small_world: GitHubWorld) -> None:
    simulator = Simulator(github=small_world)
    base_url = simulator.start()
    try:
        assert base_url.startswith("http://127.0.0.1:") and simulator.start() == base_url
        head = requests.head(f"{base_url}/repos/acme/api")
        assert head.status_code == 200 and head.content == b"" and "etag" in head.headers
        assert requests.post(f"{base_url}/repos/acme/api/pulls", json={}).status_code == 404
        assert requests.get(f"{base_url}/nothing/here").status_code == 404
    finally:
        simulator.stop()
    simulator.stop()  # idempotent
    try:
        requests.get(f"{base_url}/repos/acme/api", timeout=1)
    except requests.ConnectionError:
        pass
    else:
        raise AssertionError("server still answering after stop()")
