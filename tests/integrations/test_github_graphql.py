"""GitHubGraphQLClient against the simulator (which executes GitHub's schema) and against
hand-made answers for the error shapes GitHub sends with HTTP 200."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
import responses

from integrations.errors import (
    AuthError,
    MalformedResponseError,
    NotFoundError,
    RateLimitExceeded,
    UpstreamError,
)
from integrations.github.graphql import GitHubGraphQLClient, QueryTooBig, graphql_url
from integrations.simulator import FaultRule, GitHubWorld, Simulator
from integrations.simulator.github.detail import commit_item, file_item
from integrations.simulator.github.objects import user_obj
from tests.integrations.conftest import FakeSleep

TOKEN = "ghp_GRAPHQLTOKEN0123"
NOW = 1_700_000_000.0
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def client(base_url: str, sleep: FakeSleep, **kw: Any) -> GitHubGraphQLClient:
    kw.setdefault("backoff_factor", 0)
    return GitHubGraphQLClient(base_url, TOKEN, sleep=sleep, clock=lambda: NOW, **kw)


def world_with_pulls(count: int = 30) -> GitHubWorld:
    world = GitHubWorld()
    repo = world.add_repo("acme/api", created_at=T0)
    for i in range(count):
        at = T0 + timedelta(hours=i)
        pull = repo.add_pull(f"Change {i}", author="bob", created_at=at, commits=2)
        repo.merge_pull(pull["number"], at=at + timedelta(minutes=30), merged_by="carol")
    return world


def all_details(c: GitHubGraphQLClient, name: str = "acme/api", stop=None) -> list:
    return [d for page in c.list_pull_details(name, stop_before=stop) for d in page.items]


def test_endpoint_of_github_com_and_enterprise() -> None:
    assert graphql_url("https://api.github.com") == "https://api.github.com/graphql"
    assert graphql_url("https://ghe.acme.test/api/v3/") == "https://ghe.acme.test/api/graphql"


def test_pages_of_24_cost_one_point_each_and_carry_every_detail(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(30), token=TOKEN) as sim:
        c = client(sim.base_url, sleep)
        details = all_details(c)
    assert [d.pull.number for d in details] == list(range(30, 0, -1))  # updated, newest first
    assert (c.stats.requests, c.stats.points) == (2, 2)  # 24 + 6 PRs, one point per page
    first = details[-1]
    assert first.pull.merged_at == T0 + timedelta(minutes=30)
    assert (first.commits_total, len(first.commits), first.changed_files) == (
        2,
        2,
        len(first.files),
    )
    assert [r.state for r in first.reviews][-1] == "APPROVED"
    assert first.reviews[-1].author_login == "carol"
    assert sum(f.additions for f in first.files) == first.pull.additions


def test_nested_pages_are_read_to_the_end_and_commits_stop_at_githubs_250(
    sleep: FakeSleep,
) -> None:
    world = world_with_pulls(3)
    repo = world.repo("acme/api")
    user = user_obj("bob")
    commits = [
        commit_item(
            "acme/api",
            f"{i:040x}",
            {
                "author": user,
                "name": "bob",
                "message": f"c{i}",
                "parent": "0" * 40,
                "authored_at": "2026-02-01T00:00:00Z",
                "committed_at": "2026-02-01T00:00:00Z",
            },
        )
        for i in range(300)
    ]
    files = [file_item("acme/api", f"f/{i}.py", 1, 0) for i in range(3000)]
    repo.set_pull_detail(2, commits=commits, files=files, at=T0 + timedelta(days=2))
    with Simulator(github=world, token=TOKEN) as sim:
        c = client(sim.base_url, sleep)
        big = all_details(c)[0]
    assert big.pull.number == 2
    assert (big.commits_total, len(big.commits)) == (300, 250)
    assert [x.sha for x in big.commits] == [f"{i:040x}" for i in range(250)]
    assert (big.changed_files, len(big.files), big.pull.additions) == (3000, 3000, 3000)
    # 1 page, then 29 more file pages one after the other (each page's cursor comes from the
    # one before); the 2 more commit pages ride along in the first two of those queries
    assert c.stats.requests == 30


def test_bot_and_ghost_authors_are_normalised_like_rest(sleep: FakeSleep) -> None:
    world = GitHubWorld()
    repo = world.add_repo("acme/api", created_at=T0)
    repo.add_pull("Bump x", author="dependabot[bot]", author_type="Bot", created_at=T0)
    ghost = repo.add_pull("Old work", author="ghost", created_at=T0 + timedelta(hours=1))
    repo.add_review(ghost["number"], reviewer="", state="COMMENTED", at=T0 + timedelta(hours=2))
    with Simulator(github=world, token=TOKEN) as sim:
        details = {d.pull.number: d for d in all_details(client(sim.base_url, FakeSleep()))}
    assert (details[1].pull.user_login, details[1].pull.user_type) == ("dependabot[bot]", "Bot")
    assert [c.author_login for c in details[1].commits] == [None]  # a bot is no commit user
    assert (details[2].pull.user_login, details[2].pull.user_type) == ("ghost", "User")
    assert [(r.author_login, r.state) for r in details[2].reviews][-1] == ("ghost", "COMMENTED")


def test_a_draft_made_ready_keeps_its_first_ready_time(sleep: FakeSleep) -> None:
    world = GitHubWorld()
    repo = world.add_repo("acme/api", created_at=T0)
    repo.add_pull("WIP", author="bob", draft=True, created_at=T0)
    repo.mark_ready(1, at=T0 + timedelta(hours=5))
    with Simulator(github=world, token=TOKEN) as sim:
        (detail,) = all_details(client(sim.base_url, sleep))
    assert (detail.draft, detail.ready_for_review_at) == (False, T0 + timedelta(hours=5))


def test_closing_references_name_issues_of_the_simulated_github(sleep: FakeSleep) -> None:
    world = GitHubWorld()
    repo = world.add_repo("acme/api", created_at=T0)
    issue = repo.add_issue("Crash", created_at=T0)
    body = f"Fixes #{issue['number']}, closes acme/api#{issue['number']} and resolves #999"
    repo.add_pull("Fix crash", body=body, created_at=T0 + timedelta(hours=1))
    with Simulator(github=world, token=TOKEN) as sim:
        (detail,) = all_details(client(sim.base_url, sleep))
    assert detail.closing_issues == ("acme/api#1",)


def test_stop_before_drops_older_pulls_and_requests_no_further_page(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(60), token=TOKEN) as sim:
        c = client(sim.base_url, sleep)
        details = all_details(c, stop=T0 + timedelta(hours=50))
    assert [d.pull.number for d in details] == list(range(60, 50, -1))
    assert c.stats.requests == 1


def test_unknown_repository_is_not_found(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(1), token=TOKEN) as sim:
        with pytest.raises(NotFoundError, match="acme/nope"):
            all_details(client(sim.base_url, sleep), "acme/nope")


def test_a_bad_token_is_an_auth_error(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(1), token="other") as sim:
        with pytest.raises(AuthError, match="HTTP 401"):
            all_details(client(sim.base_url, sleep))


def test_rate_limited_waits_until_reset_then_asks_again(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(2), token=TOKEN, graphql_rate_limit=0) as sim:
        c = GitHubGraphQLClient(sim.base_url, TOKEN, sleep=sleep, max_wait=7200)
        c.max_rate_limit_waits = 1
        with pytest.raises(RateLimitExceeded, match="still rate limited after 1 waits"):
            all_details(c)
        statuses = [r.status for r in sim.requests]
    assert statuses == [200, 200]  # GitHub says RATE_LIMITED with HTTP 200
    assert len(sleep.calls) == 1 and 3500 < sleep.calls[0] <= 3600  # until x-ratelimit-reset


def test_remaining_points_below_the_cost_wait_for_reset_before_the_next_query() -> None:
    with Simulator(github=world_with_pulls(30), token=TOKEN, graphql_rate_limit=1) as sim:
        budget = sim.github.graphql_budget
        waits: list[float] = []

        def sleep(seconds: float) -> None:  # the window resets while the client sleeps
            waits.append(seconds)
            budget.limit = 100

        c = GitHubGraphQLClient(sim.base_url, TOKEN, sleep=sleep, max_wait=7200)
        details = all_details(c)
        statuses = [r.status for r in sim.requests]
    assert len(details) == 30 and statuses == [200, 200]  # no query was refused
    assert len(waits) == 1 and 3500 < waits[0] <= 3600  # rateLimit.resetAt, read from the body
    assert (c.stats.rate_limit_waits, c.stats.points) == (1, 2)


def test_a_wait_longer_than_max_wait_is_a_clear_error(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(30), token=TOKEN, graphql_rate_limit=1) as sim:
        c = GitHubGraphQLClient(sim.base_url, TOKEN, sleep=sleep, max_wait=5)
        with pytest.raises(RateLimitExceeded, match="more than max_wait"):
            all_details(c)
    assert c.stats.points == 1


def test_timeouts_halve_the_page_size(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(30), token=TOKEN) as sim:
        sim.faults.add(FaultRule(path="/graphql", status=502, times=2))
        c = client(sim.base_url, sleep)
        details = all_details(c)
    assert len(details) == 30 and c.page_size == 6
    assert c.stats.requests == 2 + 5  # two 502s, then 30 PRs in pages of 6


def test_resource_limits_error_also_halves(rsps, sleep: FakeSleep) -> None:
    too_big = {"errors": [{"type": "RESOURCE_LIMITS_EXCEEDED", "message": "too much"}]}
    rsps.post("https://api.github.com/graphql", json=too_big)
    c = client("https://api.github.com", sleep, page_size=2)
    with pytest.raises(QueryTooBig, match="RESOURCE_LIMITS_EXCEEDED"):
        all_details(c)
    assert c.page_size == 1 and len(rsps.calls) == 2


PARTIAL = {
    "data": {"repository": {"pullRequests": {"pageInfo": {"hasNextPage": False}, "nodes": [None]}}},
    "errors": [
        {
            "type": "SERVICE_UNAVAILABLE",
            "message": "Something went wrong",
            "path": ["repository", "pullRequests", "nodes", 0],
        }
    ],
}


def test_partial_data_with_errors_fails_the_page(rsps, sleep: FakeSleep) -> None:
    rsps.post("https://api.github.com/graphql", json=PARTIAL)
    with pytest.raises(UpstreamError, match="partial data: nothing of this page is stored"):
        all_details(client("https://api.github.com", sleep))


def test_a_200_with_html_is_malformed(rsps, sleep: FakeSleep) -> None:
    rsps.post("https://api.github.com/graphql", body="<html><body>Sign in</body></html>")
    with pytest.raises(MalformedResponseError, match="an HTML page"):
        all_details(client("https://api.github.com", sleep))


def test_a_hidden_linked_issue_is_left_out(sleep: FakeSleep) -> None:
    with Simulator(github=world_with_pulls(1), token=TOKEN) as sim:
        real = client(sim.base_url, sleep).query(
            __import__("integrations.github.graphql", fromlist=["x"]).pull_requests_document(),
            {"owner": "acme", "name": "api", "first": 1, "after": None},
        )
    node = real["repository"]["pullRequests"]["nodes"][0]
    node["closingIssuesReferences"]["nodes"] = [None]
    answer = {
        "data": real,
        "errors": [
            {
                "type": "FORBIDDEN",
                "message": "Resource not accessible by integration",
                "path": [
                    "repository",
                    "pullRequests",
                    "nodes",
                    0,
                    "closingIssuesReferences",
                    "nodes",
                    0,
                ],
            }
        ],
    }
    with responses.RequestsMock() as mock:
        mock.post("https://api.github.com/graphql", body=json.dumps(answer))
        (detail,) = all_details(client("https://api.github.com", sleep))
    assert detail.closing_issues == () and detail.pull.number == 1
