"""JiraClient against the simulator: paging, fields, JQL, rate limits, errors."""

from datetime import UTC, datetime, timedelta

import pytest
import requests

from integrations.errors import AuthError, UpstreamError
from integrations.jira import JiraClient, issues_jql
from integrations.simulator import FaultRule, Simulator
from integrations.simulator.jira import JiraProvider, generate_jira_world

EMAIL, TOKEN = "bot@acme.test", "tok-secret-987"


@pytest.fixture
def sim():
    world = generate_jira_world(
        seed=2,
        projects=("API",),
        issues=230,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 3, 1, tzinfo=UTC),
    )
    simulator = Simulator()
    simulator.add_provider(JiraProvider(world, email=EMAIL, token=TOKEN))
    with simulator:
        yield simulator


def client(sim, token=TOKEN, **kw) -> JiraClient:
    return JiraClient(sim.base_url, EMAIL, token, max_retries=2, backoff_factor=0, **kw)


def test_pages_by_next_page_token_with_named_fields(sim) -> None:
    records = [
        r for page in client(sim).search(issues_jql(["API"], since=None)) for r in page.items
    ]
    assert len(records) == 230 and len({r.id for r in records}) == 230  # 100 + 100 + 30
    assert [r.query.get("nextPageToken") is None for r in sim.requests] == [True, False, False]
    assert "issuetype" in sim.requests[0].query["fields"]


def test_jql_has_minute_precision_overlap_in_the_users_zone() -> None:
    since = datetime(2026, 1, 1, 0, 3, 30, tzinfo=UTC)
    # 00:03:30 UTC − 5 min = 31 Dec 23:58:30 UTC = 1 Jan 07:58 in Shanghai (+8)
    assert issues_jql(["WEB", "API"], since=since, tz="Asia/Shanghai") == (
        'project in ("API","WEB") AND updated >= "2026/01/01 07:58" ORDER BY updated ASC'
    )


def test_401_is_an_auth_error_without_the_token(sim) -> None:
    with pytest.raises(AuthError) as caught:
        client(sim, token="bad-token-1").myself()
    assert "HTTP 401" in str(caught.value) and "bad-token-1" not in str(caught.value)


def test_legacy_search_answers_410(sim) -> None:
    with pytest.raises(UpstreamError) as caught:
        client(sim).get_json("/rest/api/3/search", {"jql": "project = API"})
    assert caught.value.status == 410


def test_429_retry_after_and_503_are_waited_out(sim) -> None:
    slept: list[float] = []
    sim.faults.add(FaultRule(path=r"/search/jql", status=429, retry_after=0.5))
    sim.faults.add(FaultRule(path=r"/field", status=503, retry_after=1))
    jira = client(sim, sleep=slept.append)
    assert sum(len(p.items) for p in jira.search('project in ("API")')) == 230
    jira.story_points_field_find()
    assert 0.5 in slept and 1.0 in slept  # Retry-After of the 429, then of the 503
    assert jira.stats.rate_limit_waits == 1 and jira.stats.retries >= 1


def test_rate_limit_reset_is_an_iso_timestamp() -> None:
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    jira = JiraClient("https://x.atlassian.net", EMAIL, TOKEN, clock=now.timestamp)
    response = requests.Response()
    response.status_code = 429
    response.headers["X-RateLimit-Reset"] = (now + timedelta(seconds=42)).isoformat()
    assert jira.rate_limit_wait(response) == 42.0
    response.status_code = 200
    assert jira.rate_limit_wait(response) is None


def test_retry_after_as_an_http_date_is_waited_until() -> None:
    # RFC 9110 §10.2.3: Retry-After is delta-seconds or an HTTP-date.
    now = datetime(2026, 3, 1, 12, tzinfo=UTC)
    jira = JiraClient("https://x.atlassian.net", EMAIL, TOKEN, clock=now.timestamp)
    response = requests.Response()
    response.status_code = 429
    response.headers["Retry-After"] = "Sun, 01 Mar 2026 12:00:30 GMT"
    assert jira.rate_limit_wait(response) == 30.0
    response.headers["Retry-After"] = "Sun, 01 Mar 2026 11:59:00 GMT"  # already past
    assert jira.rate_limit_wait(response) == 0.0


def test_story_points_field_found_by_name(sim) -> None:
    assert client(sim).story_points_field_find() == "customfield_10016"
