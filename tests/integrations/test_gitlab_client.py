"""GitLabClient against HTTP mocked with ``responses``: auth headers, project paths, both kinds
of pagination, rate limits, error mapping, merge-request detail (approvals from notes, line
counts from diffs) and the webhook token check."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from integrations.errors import (
    AuthError,
    MalformedResponseError,
    NotFoundError,
    RateLimitExceeded,
    RetryExhaustedError,
)
from integrations.gitlab import GitLabClient, gitlab_token_valid
from integrations.gitlab.detail import diff_line_counts
from integrations.gitlab.webhooks import event_project
from tests.integrations.conftest import FakeSleep

API = "https://gitlab.example.com/api/v4"
PROJECT = f"{API}/projects/acme%2Fplatform%2Fapi"
TOKEN = "glpat-TESTTOKEN0123456789"
NOW = 1_700_000_000.0


def gl(sleep: FakeSleep, **kw: Any) -> GitLabClient:
    kw.setdefault("backoff_factor", 0)
    return GitLabClient(API, TOKEN, sleep=sleep, clock=lambda: NOW, **kw)


def user(name: str) -> dict[str, Any]:
    return {"id": len(name), "username": name, "name": name.title()}


def mr(iid: int, updated: str, **extra: Any) -> dict[str, Any]:
    return {
        "id": 500 + iid,
        "iid": iid,
        "project_id": 7,
        "title": f"MR {iid}",
        "description": None,
        "state": "merged",
        "author": user("ana"),
        "source_branch": "feat",
        "target_branch": "main",
        "labels": ["type::bug"],
        "web_url": f"https://gitlab.example.com/acme/platform/api/-/merge_requests/{iid}",
        "sha": "b" * 40,
        "merge_commit_sha": "c" * 40,
        "created_at": "2024-01-01T00:00:00.000Z",
        "updated_at": updated,
        "merged_at": updated,
        "closed_at": None,
        "draft": False,
        **extra,
    }


def note(note_id: int, who: str, body: str, at: str, system: bool = True) -> dict[str, Any]:
    return {"id": note_id, "body": body, "system": system, "author": user(who), "created_at": at}


def test_private_token_header_and_encoded_project_path(rsps: Any, sleep: FakeSleep) -> None:
    project = {"id": 7, "path_with_namespace": "acme/platform/api", "default_branch": "main"}
    rsps.get(PROJECT, json=project)
    record = gl(sleep).get_project("acme/platform/api")
    assert (record.id, record.path, record.default_branch) == (7, "acme/platform/api", "main")
    request = rsps.calls[0].request
    assert request.url == PROJECT
    assert request.headers["PRIVATE-TOKEN"] == TOKEN and "Authorization" not in request.headers


def test_oauth_token_is_a_bearer_header(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/projects/7", json={"id": 7, "path_with_namespace": "a/b"})
    gl(sleep, auth="oauth").get_project(7)
    headers = rsps.calls[0].request.headers
    assert headers["Authorization"] == f"Bearer {TOKEN}" and "PRIVATE-TOKEN" not in headers


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(ValueError, match="token is empty"):
        GitLabClient(API, "")
    with pytest.raises(ValueError, match="auth must be one of"):
        GitLabClient(API, TOKEN, auth="basic")
    with pytest.raises(ValueError, match="'group/project' or an id"):
        GitLabClient(API, TOKEN).get_project("api")


def test_merge_requests_follow_x_next_page_with_updated_after(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(
        f"{PROJECT}/merge_requests",
        json=[mr(1, "2024-02-01T10:00:00.500Z")],
        headers={"X-Next-Page": "2"},
    )
    rsps.get(
        f"{PROJECT}/merge_requests",
        json=[mr(2, "2024-02-02T10:00:00.000Z")],
        headers={"X-Next-Page": ""},
    )
    since = datetime(2024, 2, 1, 9, 30, tzinfo=UTC)
    pages = list(gl(sleep).list_merge_requests("acme/platform/api", updated_after=since))
    assert [m.iid for p in pages for m in p.items] == [1, 2]
    first, second = (c.request.url for c in rsps.calls)
    assert first == (
        f"{PROJECT}/merge_requests?order_by=updated_at&per_page=100&sort=asc&state=all"
        "&updated_after=2024-02-01T09:30:00Z"
    )
    assert second == first.replace("per_page=100", "page=2&per_page=100")
    record = pages[0].items[0]
    assert record.merged_at == datetime(2024, 2, 1, 10, 0, 0, 500_000, tzinfo=UTC)
    assert record.labels == ("type::bug",) and record.description == ""
    assert record.merge_commit_sha == "c" * 40 and record.author_username == "ana"


def test_group_projects_keyset_link(rsps: Any, sleep: FakeSleep) -> None:
    following = f"{API}/groups/acme/projects?pagination=keyset&id_after=7"
    rsps.get(
        f"{API}/groups/acme/projects",
        json=[{"id": 7, "path_with_namespace": "acme/a"}],
        headers={"Link": f'<{following}>; rel="next"'},
    )
    rsps.get(f"{API}/groups/acme/projects", json=[{"id": 9, "path_with_namespace": "acme/sub/b"}])
    paths = [p.path for page in gl(sleep).list_group_projects("acme") for p in page.items]
    assert paths == ["acme/a", "acme/sub/b"]
    query = rsps.calls[0].request.url.split("?", 1)[1]
    assert "pagination=keyset" in query and "order_by=id" in query
    assert "include_subgroups=true" in query and "with_shared=false" in query
    assert rsps.calls[1].request.url == f"{API}/groups/acme/projects?id_after=7&pagination=keyset"


def test_429_waits_retry_after(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(
        f"{PROJECT}/repository/tags",
        status=429,
        body="Retry later\n",
        headers={"Retry-After": "17"},
    )
    rsps.get(f"{PROJECT}/repository/tags", json=[])
    client = gl(sleep)
    assert [p.items for p in client.list_tags("acme/platform/api")] == [[]]
    assert sleep.calls == [17.0] and client.stats.rate_limit_waits == 1


def test_429_without_retry_after_waits_until_reset(rsps: Any, sleep: FakeSleep) -> None:
    headers = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 42)}
    rsps.get(f"{PROJECT}/releases", status=429, headers=headers)
    rsps.get(f"{PROJECT}/releases", json=[])
    list(gl(sleep).list_releases("acme/platform/api"))
    assert sleep.calls == [42.0]


def test_spent_budget_pauses_the_next_request_until_reset(rsps: Any, sleep: FakeSleep) -> None:
    spent = {"RateLimit-Remaining": "0", "RateLimit-Reset": str(int(NOW) + 30)}
    rsps.get(f"{API}/projects/7", json={"id": 7, "path_with_namespace": "a/b"}, headers=spent)
    rsps.get(f"{API}/projects/8", json={"id": 8, "path_with_namespace": "a/c"})
    client = gl(sleep)
    client.get_project(7)
    assert sleep.calls == []
    client.get_project(8)
    assert sleep.calls == [30.0] and len(rsps.calls) == 2  # no request spent on a certain 429


def test_wait_beyond_max_wait_raises(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{PROJECT}/issues", status=429, headers={"Retry-After": "3600"})
    with pytest.raises(RateLimitExceeded) as info:
        list(gl(sleep, max_wait=900).list_issues("acme/platform/api"))
    assert info.value.wait_seconds == 3600 and sleep.calls == []
    assert str(info.value).startswith("GitLab project 'acme/platform/api', issues: rate limited")


def test_401_names_project_and_endpoint_without_token(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{PROJECT}/merge_requests", status=401, json={"message": "401 Unauthorized"})
    with pytest.raises(AuthError) as info:
        list(gl(sleep).list_merge_requests("acme/platform/api"))
    message = str(info.value)
    assert message.startswith("GitLab project 'acme/platform/api', merge requests: token rejected")
    assert "(HTTP 401)" in message and TOKEN not in message and sleep.calls == []


def test_404_detail_names_the_merge_request(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{PROJECT}/merge_requests/3/commits", status=404, json={"message": "404 Not found"})
    with pytest.raises(NotFoundError, match=r"'acme/platform/api', merge request !3 commits"):
        gl(sleep).list_commits("acme/platform/api", 3)


def test_502_retried_then_exhausted(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{PROJECT}/deployments", status=502)
    client = gl(sleep, max_retries=2)
    with pytest.raises(
        RetryExhaustedError, match="GitLab project 'acme/platform/api', deployments"
    ):
        list(client.list_deployments("acme/platform/api"))
    assert client.stats.requests == 3


def test_malformed_item_names_the_field(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{PROJECT}/issues", json=[{"id": 1, "iid": 1, "project_id": 7, "state": "opened"}])
    with pytest.raises(MalformedResponseError, match="missing field 'created_at'"):
        list(gl(sleep).list_issues("acme/platform/api"))


def test_malformed_timestamp_names_the_field_even_nested(rsps: Any, sleep: FakeSleep) -> None:
    tag = {"name": "v1", "commit": {"id": "a" * 40, "committed_date": "yesterday"}}
    rsps.get(f"{PROJECT}/repository/tags", json=[tag])
    with pytest.raises(MalformedResponseError) as caught:
        list(gl(sleep).list_tags("acme/platform/api"))
    assert str(caught.value) == (
        f"GitLab project 'acme/platform/api', tags: malformed item #0 ('v1') from {PROJECT}"
        "/repository/tags?order_by=updated&per_page=100&sort=desc: field "
        "'commit.committed_date': Invalid isoformat string: 'yesterday'"
    )


@pytest.mark.parametrize("header", ["https://evil.example/steal", "2; drop", "\u00b2"])
def test_x_next_page_that_is_not_a_page_number_is_refused(
    rsps: Any, sleep: FakeSleep, header: str
) -> None:
    """Ending the list there would cut it short silently (and, for tags and releases, keep
    the first page's ETag so the rest is never read). "\u00b2" (superscript two) is a digit
    to str.isdigit() but no page number."""
    rsps.get(f"{PROJECT}/issues", json=[], headers={"X-Next-Page": header})
    with pytest.raises(MalformedResponseError) as caught:
        list(gl(sleep).list_issues("acme/platform/api"))
    assert str(caught.value) == (
        f"GitLab project 'acme/platform/api', issues: X-Next-Page {header!r} from {PROJECT}"
        "/issues?order_by=updated_at&per_page=100&scope=all&sort=asc&state=all is not a page "
        "number"
    )
    assert len(rsps.calls) == 1


def test_merge_request_detail(rsps: Any, sleep: FakeSleep) -> None:
    base = f"{PROJECT}/merge_requests/4"
    commit = {
        "id": "d" * 40,
        "title": "Fix",
        "author_name": "Ana",
        "author_email": "ana@example.com",
        "authored_date": "2024-01-01T08:00:00.000+02:00",
        "committed_date": "2024-01-01T09:00:00.000Z",
    }
    rsps.get(f"{base}/commits", json=[commit])
    rsps.get(
        f"{base}/notes",
        json=[
            note(1, "ben", "assigned to @ben", "2024-01-02T00:00:00Z"),
            note(2, "ben", "Please rename this.", "2024-01-02T01:00:00Z", system=False),
            note(3, "ben", "approved this merge request", "2024-01-02T02:00:00Z"),
            note(4, "cem", "approved this merge request", "2024-01-02T03:00:00Z"),
            note(5, "ben", "unapproved this merge request", "2024-01-02T04:00:00Z"),
        ],
    )
    diff = "@@ -1,2 +1,3 @@\n context\n-old\n+new\n+more\n"
    rsps.get(f"{base}/diffs", json=[{"old_path": "a.py", "new_path": "a.py", "diff": diff}])
    client = gl(sleep)
    detail = client.get_merge_request_detail("acme/platform/api", client_mr(client, rsps))
    assert [c.sha for c in detail.commits] == ["d" * 40]
    assert detail.commits[0].authored_at == datetime(2024, 1, 1, 6, tzinfo=UTC)
    assert [(a.id, a.author_username, a.state) for a in detail.approvals] == [
        (3, "ben", "DISMISSED"),
        (4, "cem", "APPROVED"),
    ]
    assert [c.body for c in detail.comments] == ["Please rename this."]
    assert (detail.additions, detail.deletions, len(detail.files)) == (2, 1, 1)


def client_mr(client: GitLabClient, rsps: Any) -> Any:
    rsps.get(f"{PROJECT}/merge_requests", json=[mr(4, "2024-01-03T00:00:00Z")])
    (page,) = client.list_merge_requests("acme/platform/api")
    return page.items[0]


def test_diffs_fall_back_to_changes_on_old_gitlab(rsps: Any, sleep: FakeSleep) -> None:
    base = f"{PROJECT}/merge_requests/4"
    rsps.get(f"{base}/diffs", status=404, json={"message": "404 Not found"})
    change = {"old_path": "b.py", "new_path": "b.py", "diff": "@@ -0,0 +1 @@\n+x\n"}
    rsps.get(f"{base}/changes", json={"iid": 4, "changes": [change]})
    files = gl(sleep).list_diffs("acme/platform/api", 4)
    assert [(f.path, f.additions, f.deletions) for f in files] == [("b.py", 1, 0)]


def test_approval_state(rsps: Any, sleep: FakeSleep) -> None:
    body = {
        "approved_by": [
            {"user": user("ben"), "approved_at": "2024-01-02T02:00:00Z"},
            {"user": user("cem")},
        ],
        "approvals_left": 0,
    }
    rsps.get(f"{PROJECT}/merge_requests/4/approvals", json=body)
    state = gl(sleep).get_approvals("acme/platform/api", 4)
    assert state.approved_by == (("ben", datetime(2024, 1, 2, 2, tzinfo=UTC)), ("cem", None))
    assert state.approvals_left == 0


def test_diff_line_counts_skip_file_headers() -> None:
    diff = "--- a/x\n+++ b/x\n@@ -1 +1 @@\n-a\n+b\n\\ No newline at end of file\n"
    assert diff_line_counts(diff) == (1, 1)
    assert diff_line_counts("") == (0, 0)


def test_webhook_token_and_project() -> None:
    assert gitlab_token_valid(secret="s3cret", header="s3cret")
    assert not gitlab_token_valid(secret="s3cret", header="s3cre")
    assert not gitlab_token_valid(secret="", header="")
    assert not gitlab_token_valid(secret="s3cret", header="sécret")  # non-ASCII: no TypeError
    body = b'{"object_kind": "merge_request", "project": {"path_with_namespace": "acme/api"}}'
    assert event_project(body) == "acme/api"
    with pytest.raises(ValueError, match="path_with_namespace"):
        event_project(b'{"project": {}}')


def test_closing_references_and_ready_time() -> None:
    from integrations.gitlab.detail import NoteRecord, closing_refs, ready_at

    text = "Closes #12, fixes acme/web#3 and Implements #12. See #9."
    assert closing_refs(text, "acme/api") == ("acme/api#12", "acme/web#3")
    assert closing_refs("Resolving issue #4", "a/b") == ("a/b#4",)
    t = datetime(2024, 1, 1, tzinfo=UTC)
    notes = [
        NoteRecord(1, "marked this merge request as **draft**", True, "ana", t),
        NoteRecord(2, "marked this merge request as **ready**", True, "ana", t.replace(hour=3)),
        NoteRecord(3, "marked this merge request as **ready**", False, "ana", t.replace(hour=1)),
    ]
    assert ready_at(notes) == t.replace(hour=3)  # a comment quoting it is no system note
    assert ready_at(notes[:1]) is None


def test_429_with_budget_left_backs_off_doubling(rsps: Any, sleep: FakeSleep) -> None:
    # another limit than the budget RateLimit-* count: its reset says nothing about this one
    headers = {"RateLimit-Remaining": "1500", "RateLimit-Reset": str(int(NOW) + 42)}
    for _ in range(2):
        rsps.get(f"{PROJECT}/issues", status=429, headers=headers)
    rsps.get(f"{PROJECT}/issues", json=[])
    list(gl(sleep).list_issues("acme/platform/api"))
    assert sleep.calls == [60.0, 120.0]
