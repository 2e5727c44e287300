"""GitHubClient against HTTP mocked with ``responses``, and against the recorded payloads in
tests/fixtures/github (served through the mock so the whole client path runs)."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
import responses

from integrations.errors import (
    AuthError,
    MalformedResponseError,
    NotFoundError,
    RateLimitExceeded,
    RetryExhaustedError,
)
from integrations.github import (
    CommitRecord,
    DeploymentStatusRecord,
    GitHubClient,
    PullRequestRecord,
    RepoRecord,
    TagRecord,
)
from tests.fixtures import FIXTURES
from tests.integrations.conftest import FakeSleep

API = "https://api.github.com"
REPO = f"{API}/repos/acme/api"
TOKEN = "ghp_TESTTOKEN0123456789"
NOW = 1_700_000_000.0
REAL = FIXTURES / "github"
SECONDARY = {"message": "You have exceeded a secondary rate limit. Please wait a few minutes."}


def gh(sleep: FakeSleep, base_url: str = API, **kw: Any) -> GitHubClient:
    kw.setdefault("backoff_factor", 0)
    return GitHubClient(base_url, TOKEN, sleep=sleep, clock=lambda: NOW, **kw)


def pull(number: int, updated: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": 1000 + number,
        "number": number,
        "title": f"PR {number}",
        "body": None,
        "state": "closed",
        "user": {"login": "bob", "type": "User"},
        "head": {"ref": "feat"},
        "labels": [{"name": "bug"}],
        "html_url": f"https://github.com/acme/api/pull/{number}",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": updated,
        "closed_at": updated,
        "merged_at": None,
        **extra,
    }


def link(url: str) -> dict[str, str]:
    return {"Link": f'<{url}>; rel="next", <{url}>; rel="last"'}


def real(name: str) -> Any:
    return json.loads((REAL / name).read_text(encoding="utf-8"))


def test_headers_and_get_repo(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(REPO, json={"id": 9, "full_name": "acme/api", "default_branch": "main"})
    assert gh(sleep).get_repo("acme/api") == RepoRecord(9, "acme/api", "main")
    headers = rsps.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Accept"] == "application/vnd.github+json"
    assert headers["X-GitHub-Api-Version"] == "2022-11-28"
    assert headers["User-Agent"] == "keel"


def test_link_pagination(rsps: Any, sleep: FakeSleep) -> None:
    page2 = "https://api.github.com/repositories/42/tags?per_page=100&page=2"
    tag = {"name": "v1", "commit": {"sha": "a" * 40}}
    rsps.get(f"{REPO}/tags", json=[tag], headers=link(page2))
    rsps.get("https://api.github.com/repositories/42/tags", json=[{**tag, "name": "v0"}])
    pages = list(gh(sleep).list_tags("acme/api"))
    assert [p.url for p in pages] == [
        f"{REPO}/tags?per_page=100",
        "https://api.github.com/repositories/42/tags?page=2&per_page=100",
    ]
    tags = [t for p in pages for t in p.items]
    assert tags == [TagRecord("v1", "a" * 40), TagRecord("v0", "a" * 40)]


def test_validator_sends_etag_and_304_stops(rsps: Any, sleep: FakeSleep) -> None:
    first = f"{REPO}/releases?per_page=100"
    rsps.get(f"{REPO}/releases", status=304, headers={"ETag": 'W/"r1"', **link(first + "&page=2")})
    client = gh(sleep, validators={first: 'W/"r1"'})
    pages = list(client.list_releases("acme/api"))
    assert len(pages) == 1 and pages[0].not_modified and pages[0].items == []
    assert pages[0].url == first and pages[0].etag == 'W/"r1"'
    assert rsps.calls[0].request.headers["If-None-Match"] == 'W/"r1"'
    assert len(rsps.calls) == 1 and client.stats.not_modified == 1


def test_releases_without_validator_return_etag(rsps: Any, sleep: FakeSleep) -> None:
    release = {
        "id": 5,
        "tag_name": "v2.0.0",
        "name": None,
        "draft": False,
        "prerelease": False,
        "created_at": "2024-03-01T10:00:00Z",
        "published_at": "2024-03-02T11:00:00Z",
        "html_url": "https://github.com/acme/api/releases/v2.0.0",
    }
    rsps.get(f"{REPO}/releases", json=[release], headers={"ETag": '"new"'})
    (page,) = list(gh(sleep, validators={"https://other": '"x"'}).list_releases("acme/api"))
    assert "If-None-Match" not in rsps.calls[0].request.headers
    assert page.etag == '"new"' and page.items[0].name == ""
    assert page.items[0].published_at == datetime(2024, 3, 2, 11, tzinfo=UTC)


def test_401_token_rejected_without_token(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(REPO, status=401, json={"message": "Bad credentials"})
    with pytest.raises(AuthError) as info:
        gh(sleep).get_repo("acme/api")
    assert "token rejected" in str(info.value) and TOKEN not in str(info.value)
    assert TOKEN not in repr(info.value.args) and sleep.calls == []


def test_404_not_found(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{REPO}/pulls/7", status=404, json={"message": "Not Found"})
    with pytest.raises(NotFoundError) as info:
        gh(sleep).get_pull("acme/api", 7)
    assert info.value.url == f"{REPO}/pulls/7"


def test_429_retry_after_waits_exactly(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(REPO, status=429, headers={"retry-after": "17"})
    rsps.get(REPO, json={"id": 1, "full_name": "acme/api", "default_branch": "main"})
    client = gh(sleep)
    assert client.get_repo("acme/api").id == 1
    assert sleep.calls == [17.0]
    assert client.stats.rate_limit_waits == 1 and client.stats.rate_limit_wait_seconds == 17.0
    assert client.stats.requests == 2


def test_403_primary_limit_waits_until_reset(rsps: Any, sleep: FakeSleep) -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 42)}
    rsps.get(f"{REPO}/tags", status=403, headers=headers, json={"message": "API rate limit"})
    rsps.get(f"{REPO}/tags", json=[])
    assert [p.items for p in gh(sleep).list_tags("acme/api")] == [[]]
    assert sleep.calls == [42.0]


def test_secondary_limit_backs_off_exponentially(rsps: Any, sleep: FakeSleep) -> None:
    ok = {"id": 1, "full_name": "acme/api", "default_branch": "main"}
    for body, status in [(SECONDARY, 403), (SECONDARY, 403), (SECONDARY, 429), (ok, 200)]:
        rsps.get(REPO, status=status, json=body)
    client = gh(sleep)
    client.get_repo("acme/api")
    assert sleep.calls == [60.0, 120.0, 240.0]
    rsps.replace(responses.GET, REPO, status=403, json=SECONDARY)
    rsps.add(responses.GET, REPO, json=ok)
    client.get_repo("acme/api")  # a success in between starts the backoff afresh
    assert sleep.calls[3:] == [60.0]


def test_wait_beyond_max_wait_raises_without_sleeping(rsps: Any, sleep: FakeSleep) -> None:
    headers = {"x-ratelimit-remaining": "0", "x-ratelimit-reset": str(int(NOW) + 3600)}
    rsps.get(REPO, status=403, headers=headers)
    with pytest.raises(RateLimitExceeded) as info:
        gh(sleep, max_wait=900).get_repo("acme/api")
    assert sleep.calls == [] and len(rsps.calls) == 1 and info.value.wait_seconds == 3600


def test_403_without_rate_limit_signs_is_forbidden(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(
        REPO,
        status=403,
        json={"message": "Resource not accessible by integration"},
        headers={"x-ratelimit-remaining": "4999"},
    )
    with pytest.raises(AuthError, match="forbidden"):
        gh(sleep).get_repo("acme/api")
    assert sleep.calls == []


def test_502_twice_then_success(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(REPO, status=502)
    rsps.get(REPO, status=502)
    rsps.get(REPO, json={"id": 1, "full_name": "acme/api", "default_branch": "main"})
    client = gh(sleep)
    assert client.get_repo("acme/api").full_name == "acme/api"
    assert client.stats.requests == 3 and client.stats.retries == 2


def test_502_forever_exhausts_retries(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(REPO, status=502)
    client = gh(sleep)  # max_retries=5
    with pytest.raises(RetryExhaustedError):
        client.get_repo("acme/api")
    assert len(rsps.calls) == 6 and client.stats.requests == 6


def test_html_page_with_200_is_malformed(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{REPO}/pulls", body="<!DOCTYPE html><p>Unicorn!</p>", content_type="text/html")
    with pytest.raises(MalformedResponseError, match=f"{REPO}/pulls"):
        list(gh(sleep).list_pulls("acme/api", stop_before=None))


def test_item_missing_number_or_date_is_malformed(rsps: Any, sleep: FakeSleep) -> None:
    bad = pull(3, "2024-05-01T00:00:00Z")
    del bad["number"]
    rsps.get(f"{REPO}/pulls", json=[bad])
    client = gh(sleep)
    with pytest.raises(MalformedResponseError, match="missing field 'number'") as info:
        list(client.list_pulls("acme/api", stop_before=None))
    assert info.value.url.startswith(f"{REPO}/pulls?")
    rsps.replace(responses.GET, f"{REPO}/pulls", json=[pull(3, "yesterday")])
    with pytest.raises(MalformedResponseError, match="Invalid isoformat"):
        list(client.list_pulls("acme/api", stop_before=None))


def test_closed_pulls_stop_before_stops_paging(rsps: Any, sleep: FakeSleep) -> None:
    page2, page3 = f"{REPO}/pulls?page=2", f"{REPO}/pulls?page=3"
    query = {"state": "all", "sort": "updated", "direction": "desc", "per_page": "100"}
    newest = [pull(9, "2024-05-09T00:00:00Z"), pull(8, "2024-05-08T00:00:00Z")]
    rsps.get(
        f"{REPO}/pulls",
        json=newest,
        headers=link(page2),
        match=[responses.matchers.query_param_matcher(query)],
    )
    rsps.get(
        page2,
        json=[pull(7, "2024-05-07T00:00:00Z"), pull(6, "2024-04-30T23:59:59Z")],
        headers=link(page3),
    )
    rsps.get(page3, json=[pull(5, "2024-04-01T00:00:00Z")])
    stop = datetime(2024, 5, 1, tzinfo=UTC)
    pages = list(gh(sleep).list_pulls("acme/api", stop_before=stop))
    assert [[pr.number for pr in p.items] for p in pages] == [[9, 8], [7]]
    assert len(rsps.calls) == 2


def test_closed_pulls_rejects_naive_datetime(sleep: FakeSleep) -> None:
    with pytest.raises(ValueError, match="aware"):
        gh(sleep).list_pulls("acme/api", stop_before=datetime(2024, 5, 1))


def test_get_pull_has_sizes(rsps: Any, sleep: FakeSleep) -> None:
    body = pull(
        4, "2024-05-09T00:00:00Z", additions=12, deletions=3, merged_at="2024-05-09T00:00:00Z"
    )
    rsps.get(f"{REPO}/pulls/4", json=body)
    pr = gh(sleep).get_pull("acme/api", 4)
    assert (pr.additions, pr.deletions, pr.body, pr.labels) == (12, 3, "", ("bug",))
    assert pr.merged_at == datetime(2024, 5, 9, tzinfo=UTC)
    assert (pr.user_login, pr.user_type, pr.head_ref) == ("bob", "User", "feat")


def test_list_issues_params_and_drops_pulls(rsps: Any, sleep: FakeSleep) -> None:
    issue = {
        "id": 1,
        "number": 1,
        "title": "t",
        "state": "open",
        "labels": [],
        "user": {"login": "a"},
        "assignee": None,
        "html_url": "u",
        "created_at": "2024-01-01T00:00:00Z",
        "updated_at": "2024-01-03T00:00:00Z",
    }
    as_pr = {**issue, "id": 2, "number": 2, "pull_request": {"url": "x"}}
    rsps.get(f"{REPO}/issues", json=[issue, as_pr])
    since = datetime(2024, 1, 2, 4, 4, 5, tzinfo=UTC).astimezone()  # any aware zone
    pages = list(gh(sleep).list_issues("acme/api", since=since))
    assert [i.number for i in pages[0].items] == [1]
    assert pages[0].items[0].assignee_login is None and pages[0].items[0].closed_at is None
    assert rsps.calls[0].request.url == (
        f"{REPO}/issues?direction=asc&per_page=100&since=2024-01-02T04:04:05Z"
        "&sort=updated&state=all"
    )


def test_deployments_and_all_status_pages(rsps: Any, sleep: FakeSleep) -> None:
    dep = {
        "id": 77,
        "environment": "production",
        "sha": "b" * 40,
        "ref": "main",
        "created_at": "2024-02-01T00:00:00Z",
        "updated_at": "2024-02-01T00:05:00Z",
    }
    rsps.get(f"{REPO}/deployments", json=[dep])
    statuses = f"{REPO}/deployments/77/statuses"
    rsps.get(
        statuses,
        json=[{"id": 2, "state": "success", "created_at": "2024-02-01T00:04:00Z"}],
        headers=link(statuses + "?page=2"),
        match=[responses.matchers.query_param_matcher({"per_page": "100"})],
    )
    rsps.get(
        statuses + "?page=2",
        json=[{"id": 1, "state": "in_progress", "created_at": "2024-02-01T00:01:00Z"}],
    )
    client = gh(sleep, validators={f"{statuses}?per_page=100": '"never-sent"'})
    (page,) = list(client.list_deployments("acme/api"))
    assert page.items[0].environment == "production" and page.items[0].id == 77
    assert client.list_deployment_statuses("acme/api", 77) == [
        DeploymentStatusRecord(2, "success", datetime(2024, 2, 1, 0, 4, tzinfo=UTC)),
        DeploymentStatusRecord(1, "in_progress", datetime(2024, 2, 1, 0, 1, tzinfo=UTC)),
    ]
    assert all("If-None-Match" not in c.request.headers for c in rsps.calls)


def test_enterprise_base_url_prefix_kept(rsps: Any, sleep: FakeSleep) -> None:
    ghe = "https://ghe.acme.test/api/v3"
    commit = real("tag_commits.json")["f7128dbdf0322f1334e09464af2bc2ad478cd309"]
    rsps.get(f"{ghe}/repos/acme/api/commits/{commit['sha']}", json=commit)
    record = gh(sleep, base_url=ghe + "/").get_commit("acme/api", commit["sha"])
    assert rsps.calls[0].request.url == f"{ghe}/repos/acme/api/commits/{commit['sha']}"
    assert record == CommitRecord(
        commit["sha"],
        datetime(2025, 12, 27, 5, 2, 57, tzinfo=UTC),
        datetime(2025, 12, 27, 5, 2, 57, tzinfo=UTC),
    )


def test_bad_repo_name_rejected(sleep: FakeSleep) -> None:
    with pytest.raises(ValueError, match="owner/name"):
        gh(sleep).get_repo("acme")


def test_real_pulls_parse(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/repos/panjf2000/ants/pulls", json=real("pulls.json"))
    (page,) = list(gh(sleep).list_pulls("panjf2000/ants", stop_before=None))
    prs: list[PullRequestRecord] = page.items
    merged = sorted(pr.number for pr in prs if pr.merged_at is not None)
    assert len(prs) == 49 and len(merged) == 26 and merged[:3] == [4, 13, 14]
    assert sorted(pr.number for pr in prs if "bug" in pr.labels) == [8, 114]
    assert min(pr.merged_at for pr in prs if pr.merged_at) == datetime(
        2018, 7, 26, 2, 32, 41, tzinfo=UTC
    )
    assert all(pr.additions is None and pr.created_at.tzinfo is UTC for pr in prs)


def test_real_issues_parse(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/repos/panjf2000/ants/issues", json=real("issues.json"))
    (page,) = list(gh(sleep).list_issues("panjf2000/ants", since=None))
    assert len(page.items) == 26 and {i.state for i in page.items} == {"closed"}
    bugs = {i.number: i for i in page.items if "bug" in i.labels}
    assert sorted(bugs) == [6, 7]
    assert bugs[6].created_at == datetime(2018, 8, 3, 4, 32, 28, tzinfo=UTC)
    assert bugs[6].closed_at == datetime(2018, 8, 4, 10, 18, 41, tzinfo=UTC)


def test_real_tags_and_commits_parse(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/repos/panjf2000/ants/tags", json=real("tags.json"))
    commits = real("tag_commits.json")
    for sha, body in commits.items():
        rsps.get(f"{API}/repos/panjf2000/ants/commits/{sha}", json=body)
    client = gh(sleep)
    tags = [t for p in client.list_tags("panjf2000/ants") for t in p.items]
    assert len(tags) == 48
    assert tags[0] == TagRecord("v2.11.4", "f7128dbdf0322f1334e09464af2bc2ad478cd309")
    by_name = {t.name: client.get_commit("panjf2000/ants", t.sha) for t in tags}
    assert by_name["v1.0.0"].committed_at == datetime(2019, 4, 14, 3, 30, 19, tzinfo=UTC)
    assert by_name["v1.2.0"] == by_name["v1.2.1"]
    assert client.stats.requests == 1 + 48
