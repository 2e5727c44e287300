"""Hostile upstream payloads (docs/operations.md#malformed-input-what-keel-says): GitHub, Jira,
PagerDuty and GitLab pages served by `responses` (raw bytes and headers, so any shape can be sent)
through the real sync (`source_sync`). After a good sync, each broken payload fails the run with
an error naming the provider, the URL and, for an item, its position and field; nothing of the
bad page is stored, the rows of the good sync keep their values, and no cursor or ETag moves."""

import json
import re
from dataclasses import dataclass, field
from typing import Any

import pytest
import responses

from apps.delivery.models import Deployment, PullRequest, PullRequestReview, Release, Tag
from apps.ingestion.models import HttpValidator, SyncCursor
from apps.ingestion.services import source_sync
from apps.organization.models import JiraProject, PagerDutyService, Repo, Source
from apps.quality.models import Issue, JiraIssue
from apps.reliability.models import Incident

pytestmark = pytest.mark.django_db

HUGE = "x" * 5_000_000  # a 5 MB string field, built in memory
GH, JIRA, PD = "https://gh.test", "https://jira.test", "https://pd.test"
HTML_LOGIN = b"<!DOCTYPE html><html><head><title>Sign in</title></head><body>...</body></html>"
HTML_PROXY = b"<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>"


@dataclass(frozen=True)
class Reply:
    """A raw HTTP answer: body bytes, status and headers."""

    body: bytes
    status: int = 200
    headers: dict[str, str] = field(default_factory=lambda: {"Content-Type": "application/json"})


def ok(payload: Any, **headers: str) -> Reply:
    return Reply(
        json.dumps(payload).encode(), headers={"Content-Type": "application/json", **headers}
    )


def not_utf8(payload: Any, word: str) -> Reply:
    """`payload` as JSON whose `word` is followed by the Latin-1 byte of "é" (0xE9)."""
    text = json.dumps(payload).replace(word, word + "\udce9", 1)
    return Reply(text.encode("utf-8", "surrogateescape"))


def html(body: bytes) -> Reply:
    return Reply(body, headers={"Content-Type": "text/html; charset=utf-8"})


# --- GitHub -----------------------------------------------------------------------------------

T1, T2 = "2026-03-01T10:00:00Z", "2026-03-02T10:00:00Z"


def gh_pull(number: int, updated: str = T1, **changes: Any) -> dict:
    return {
        "id": 1000 + number,
        "number": number,
        "title": f"PR {number}",
        "body": None,
        "state": "open",
        "user": {"login": "bob", "type": "User"},
        "head": {"ref": "b"},
        "labels": [],
        "html_url": f"{GH}/pull/{number}",
        "created_at": T1,
        "updated_at": updated,
        "closed_at": None,
        "merged_at": None,
        **changes,
    }


def gh_issue(number: int, updated: str = T1, **changes: Any) -> dict:
    return {
        "id": 2000 + number,
        "number": number,
        "title": f"Bug {number}",
        "state": "open",
        "labels": [{"name": "bug"}],
        "user": {"login": "bob"},
        "assignee": None,
        "html_url": f"{GH}/issues/{number}",
        "created_at": T1,
        "updated_at": updated,
        "closed_at": None,
        **changes,
    }


def gh_release(**changes: Any) -> dict:
    return {
        "id": 3001,
        "tag_name": "v1.0.0",
        "name": "One",
        "draft": False,
        "prerelease": False,
        "created_at": T1,
        "published_at": T1,
        "html_url": f"{GH}/releases/1",
        **changes,
    }


REPO = "/repos/acme/api"
GH_ROUTES = {
    REPO: ok({"id": 1, "full_name": "acme/api", "default_branch": "main"}),
    f"{REPO}/releases": ok([gh_release()]),
    f"{REPO}/tags": ok([{"name": "v1.0.0", "commit": {"sha": "a" * 40}}]),
    f"{REPO}/deployments": ok([]),
    f"{REPO}/pulls": ok([gh_pull(1), gh_pull(2)]),
    f"{REPO}/issues": ok([gh_issue(5)]),
    # Each pull request's detail, read over REST (the source's api): empty lists, no size.
    **{
        path: reply
        for n in (1, 2, 3)
        for path, reply in {
            f"{REPO}/pulls/{n}": ok(
                gh_pull(n, additions=1, deletions=0, changed_files=1, commits=0)
            ),
            f"{REPO}/pulls/{n}/commits": ok([]),
            f"{REPO}/pulls/{n}/reviews": ok([]),
            f"{REPO}/pulls/{n}/files": ok([]),
            f"{REPO}/issues/{n}/timeline": ok([]),
        }.items()
    },
}
# A later page of pulls: PR 1 changed, so a stored "changed" title would show a leak.
NEW_PULLS = [gh_pull(1, T2, title="changed"), gh_pull(3, T2)]

# --- Jira -------------------------------------------------------------------------------------

JT1, JT2 = "2026-03-01T10:00:00.000+0000", "2026-03-02T10:00:00.000+0000"


def jira_issue(number: int, updated: str = JT1, **fields: Any) -> dict:
    return {
        "id": str(10000 + number),
        "key": f"API-{number}",
        "fields": {
            "summary": f"Issue {number}",
            "issuetype": {"id": "1", "name": "Bug", "subtask": False},
            "priority": {"name": "High"},
            "status": {"name": "Open", "statusCategory": {"key": "new"}},
            "resolution": None,
            "resolutiondate": None,
            "created": JT1,
            "updated": updated,
            "assignee": None,
            "reporter": None,
            "labels": [],
            "project": {"key": "API"},
            "customfield_10016": 3,
            **fields,
        },
    }


SEARCH = "/rest/api/3/search/jql"
JIRA_ROUTES = {
    "/rest/api/3/myself": ok({"accountId": "me", "timeZone": "UTC"}),
    SEARCH: ok({"issues": [jira_issue(1), jira_issue(2)], "isLast": True}),
}


def jira_search(*issues: dict) -> Reply:
    return ok({"issues": list(issues), "isLast": True})


# --- PagerDuty --------------------------------------------------------------------------------


def pd_incident(number: int, **changes: Any) -> dict:
    return {
        "id": f"Q{number}",
        "incident_number": number,
        "title": f"Down {number}",
        "status": "resolved",
        "urgency": "high",
        "service": {"id": "PSVC1"},
        "created_at": "2026-03-01T10:00:00Z",
        "resolved_at": "2026-03-01T11:00:00Z",
        "last_status_change_at": "2026-03-01T11:00:00Z",
        "html_url": f"{PD}/incidents/Q{number}",
        **changes,
    }


def pd_page(*incidents: dict) -> Reply:
    return ok({"incidents": list(incidents), "more": False, "total": len(incidents)})


PD_ROUTES = {
    "/services/PSVC1": ok({"service": {"id": "PSVC1", "name": "API"}}),
    "/incidents": pd_page(pd_incident(1), pd_incident(2)),
}


# --- GitLab -----------------------------------------------------------------------------------

GL = "https://gl.test/api/v4"
PROJ = "/projects/acme%2Fapp"
GT1, GT2 = "2026-03-01T10:00:00.000Z", "2026-03-02T10:00:00.000Z"


def gl_mr(iid: int, updated: str = GT1, **changes: Any) -> dict:
    return {
        "id": 5000 + iid,
        "iid": iid,
        "project_id": 42,
        "title": f"MR {iid}",
        "description": None,
        "state": "opened",
        "draft": False,
        "author": {"id": 1, "username": "ana"},
        "source_branch": "feat",
        "target_branch": "main",
        "labels": [],
        "web_url": f"https://gl.test/acme/app/-/merge_requests/{iid}",
        "sha": "b" * 40,
        "merge_commit_sha": None,
        "created_at": GT1,
        "updated_at": updated,
        "merged_at": None,
        "closed_at": None,
        **changes,
    }


def gl_issue(iid: int, updated: str = GT1, **changes: Any) -> dict:
    return {
        "id": 6000 + iid,
        "iid": iid,
        "project_id": 42,
        "title": f"Bug {iid}",
        "state": "opened",
        "issue_type": "issue",
        "labels": ["bug"],
        "author": {"id": 1, "username": "ana"},
        "assignee": None,
        "web_url": f"https://gl.test/acme/app/-/issues/{iid}",
        "created_at": GT1,
        "updated_at": updated,
        "closed_at": None,
        **changes,
    }


def gl_deployment(iid: int, updated: str = GT1, **changes: Any) -> dict:
    return {
        "id": 7000 + iid,
        "iid": iid,
        "environment": {"id": 1, "name": "production"},
        "status": "success",
        "ref": "main",
        "sha": "d" * 40,
        "created_at": GT1,
        "updated_at": updated,
        "deployable": {"finished_at": updated},
        **changes,
    }


def gl_release(**changes: Any) -> dict:
    return {
        "tag_name": "v1.0.0",
        "name": "One",
        "commit": {"id": "a" * 40},
        "created_at": GT1,
        "released_at": GT1,
        "upcoming_release": False,
        "_links": {"self": "https://gl.test/acme/app/-/releases/v1.0.0"},
        **changes,
    }


def gl_tag(name: str = "v1.0.0", **changes: Any) -> dict:
    commit = {"id": "a" * 40, "committed_date": GT1}
    return {"name": name, "message": "", "commit": commit, "created_at": GT1, **changes}


def gl_note(note_id: int, **changes: Any) -> dict:
    """An approval (GitLab's system note), without its time unless given."""
    body, author = "approved this merge request", {"id": 2, "username": "bo"}
    return {"id": note_id, "body": body, "system": True, "author": author, **changes}


MRS = f"{PROJ}/merge_requests"
GL_ROUTES = {
    PROJ: ok({"id": 42, "path_with_namespace": "acme/app", "default_branch": "main"}),
    f"{PROJ}/releases": ok([gl_release()], ETag='W/"releases-1"'),
    f"{PROJ}/repository/tags": ok([gl_tag()], ETag='W/"tags-1"'),
    f"{PROJ}/deployments": ok([gl_deployment(1)]),
    MRS: ok([gl_mr(1), gl_mr(2)]),
    f"{PROJ}/issues": ok([gl_issue(5)]),
    # Each merge request's detail: one approval, no commits, no diffs.
    **{
        path: reply
        for n in (1, 2, 3)
        for path, reply in {
            f"{MRS}/{n}/commits": ok([]),
            f"{MRS}/{n}/notes": ok([gl_note(900 + n, created_at=GT1)]),
            f"{MRS}/{n}/diffs": ok([]),
        }.items()
    },
}
# A later page of merge requests: MR !1 changed, so a stored "changed" title would show a leak.
NEW_MRS = [gl_mr(1, GT2, title="changed"), gl_mr(3, GT2)]


# --- the cases --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """`routes` replaces some answers of the provider's good routes; the run's error must hold
    every string of `expected` (the URL part is a regex-free substring)."""

    provider: str
    routes: dict[str, Reply]
    expected: tuple[str, ...]


PULLS_URL = f"{GH}{REPO}/pulls?direction=desc&per_page=100&sort=updated&state=all"
ISSUES_URL = f"{GH}{REPO}/issues?direction=desc&per_page=100&sort=updated&state=all"
RELEASES_URL = f"{GH}{REPO}/releases?per_page=100"
TAGS_URL = f"{GH}{REPO}/tags?per_page=100"
SEARCH_URL = f"{JIRA}{SEARCH}?"
INCIDENTS_URL = f"{PD}/incidents?limit=100&offset=0&service_ids%5B%5D=PSVC1&since="
# GitLab lists read from their cursor (the good sync's newest update) on.
AFTER = "sort=asc&state=all&updated_after=2026-03-01T10:00:00Z"
MRS_URL = f"{GL}{MRS}?order_by=updated_at&per_page=100&{AFTER}"
GL_ISSUES_URL = f"{GL}{PROJ}/issues?order_by=updated_at&per_page=100&scope=all&{AFTER}"
DEPLOYMENTS_URL = (
    f"{GL}{PROJ}/deployments?order_by=updated_at&per_page=100&sort=asc"
    "&updated_after=2026-03-01T10:00:00Z"
)
GL_TAGS_URL = f"{GL}{PROJ}/repository/tags?order_by=updated&per_page=100&sort=desc"
GL_RELEASES_URL = f"{GL}{PROJ}/releases?order_by=released_at&per_page=100&sort=desc"
NOTES_URL = f"{GL}{MRS}/3/notes?order_by=created_at&per_page=100&sort=asc"


def pulls(reply: Reply) -> dict[str, Reply]:
    return {f"{REPO}/pulls": reply}


def mrs(reply: Reply) -> dict[str, Reply]:
    return {MRS: reply}


def about(endpoint: str) -> str:
    """How the GitLab client starts an error: the project and the endpoint."""
    return f"GitLab project 'acme/app', {endpoint}: "


CASES: dict[str, Case] = {
    # GitHub
    "github-html-error-page-200": Case(
        "github",
        pulls(html(b"<!DOCTYPE html><p>Unicorn!</p>")),
        (
            f"GitHub: response from {PULLS_URL} is not valid JSON: an HTML page (an error or "
            "sign-in page?) (HTTP 200, Content-Type text/html; charset=utf-8)",
        ),
    ),
    "github-truncated-json": Case(
        "github",
        pulls(Reply(json.dumps(NEW_PULLS).encode()[:60])),
        (f"GitHub: response from {PULLS_URL} is not valid JSON: ", "(line 1, column 6"),
    ),
    "github-object-where-list-expected": Case(
        "github",
        pulls(ok({"items": NEW_PULLS})),
        (f"GitHub: expected a JSON array of objects from {PULLS_URL}, got dict",),
    ),
    "github-item-not-an-object": Case(
        "github",
        pulls(ok([NEW_PULLS[0], "PR 3"])),
        (f"GitHub: expected a JSON array of objects from {PULLS_URL}, got str at item #1",),
    ),
    "github-item-missing-key": Case(
        "github",
        pulls(ok([NEW_PULLS[0], {k: v for k, v in NEW_PULLS[1].items() if k != "number"}])),
        (f"GitHub: malformed item #1 (1003) from {PULLS_URL}: missing field 'number'",),
    ),
    "github-string-number-id": Case(
        "github",
        {f"{REPO}/issues": ok([gh_issue(6, T2, id="2006")])},
        (
            f"GitHub: malformed item #0 (6) from {ISSUES_URL}: field 'id' must be an integer, "
            "got '2006'",
        ),
    ),
    "github-null-id": Case(
        "github",
        {f"{REPO}/releases": ok([gh_release(id=None)])},
        (
            f"GitHub: malformed item #0 (None) from {RELEASES_URL}: field 'id' must be an "
            "integer, got None",
        ),
    ),
    "github-wrong-type-timestamp": Case(
        "github",
        pulls(ok([gh_pull(3, T2, created_at=1717)])),
        (
            f"GitHub: malformed item #0 (3) from {PULLS_URL}: expected an ISO 8601 timestamp, "
            "got 1717",
        ),
    ),
    "github-nested-key-missing": Case(
        "github",
        {f"{REPO}/tags": ok([{"name": "v2.0.0"}])},
        (f"GitHub: malformed item #0 ('v2.0.0') from {TAGS_URL}: missing field 'commit'",),
    ),
    "github-5mb-string-field": Case(
        "github",
        pulls(ok([NEW_PULLS[0], gh_pull(3, T2, title=HUGE)])),
        (
            f"GitHub: malformed item #1 (3) from {PULLS_URL}: field 'title' is "
            "5,000,000 characters long (at most 1,000,000)",
        ),
    ),
    "github-invalid-utf8": Case(
        "github",
        pulls(not_utf8(NEW_PULLS, "changed")),
        (
            f"GitHub: response from {PULLS_URL} is not valid JSON: not UTF-8 (invalid "
            "continuation byte at byte ",
        ),
    ),
    "github-link-header-to-another-host": Case(
        "github",
        pulls(ok([gh_pull(1), gh_pull(2)], Link='<https://evil.test/steal?page=2>; rel="next"')),
        (
            f"GitHub: next-page link 'https://evil.test/steal?page=2' from {PULLS_URL} points "
            f"outside {GH}",
        ),
    ),
    # Jira
    "jira-html-login-page-200": Case(
        "jira",
        {SEARCH: html(HTML_LOGIN)},
        (f"Jira: response from {SEARCH_URL}", "is not valid JSON: an HTML page"),
    ),
    "jira-truncated-json": Case(
        "jira",
        {SEARCH: Reply(b'{"issues": [{"id": "10003", "ke')},
        (
            f"Jira: response from {SEARCH_URL}",
            "is not valid JSON: Unterminated string starting at (line 1, column 29)",
        ),
    ),
    "jira-list-where-object-expected": Case(
        "jira",
        {SEARCH: ok([jira_issue(3, JT2)])},
        (f"Jira: expected an object with an 'issues' array from {SEARCH_URL}",),
    ),
    "jira-null-key": Case(
        "jira",
        {SEARCH: jira_search(jira_issue(1, JT2), {**jira_issue(3, JT2), "key": None})},
        ("Jira: malformed issue #1 (None) from ", "field 'key' must be a string, got 'None'"),
    ),
    "jira-missing-fields": Case(
        "jira",
        {SEARCH: jira_search({"id": "10003", "key": "API-3"})},
        ("Jira: malformed issue #0 ('API-3') from ", "missing field 'fields'"),
    ),
    "jira-string-where-number-expected": Case(
        "jira",
        {SEARCH: jira_search({**jira_issue(3, JT2), "id": "ten thousand"})},
        (
            "Jira: malformed issue #0 ('API-3') from ",
            "invalid literal for int() with base 10: 'ten thousand'",
        ),
    ),
    "jira-bad-date": Case(
        "jira",
        {SEARCH: jira_search(jira_issue(3, "2026-13-01T10:00"))},
        (
            "Jira: malformed issue #0 ('API-3') from ",
            "time data '2026-13-01T10:00' does not match format",
        ),
    ),
    "jira-5mb-string-field": Case(
        "jira",
        {SEARCH: jira_search(jira_issue(3, JT2, summary=HUGE))},
        (
            "Jira: malformed issue #0 ('API-3') from ",
            "field 'fields.summary' is 5,000,000 characters long (at most 1,000,000)",
        ),
    ),
    "jira-invalid-utf8": Case(
        "jira",
        {SEARCH: not_utf8({"issues": [jira_issue(3, JT2, summary="Jos")]}, "Jos")},
        (
            f"Jira: response from {SEARCH_URL}",
            "is not valid JSON: not UTF-8 (invalid continuation byte at byte ",
        ),
    ),
    "jira-lone-surrogate-escape": Case(
        "jira",
        {SEARCH: jira_search(jira_issue(3, JT2, summary="half \ud83d of an emoji"))},
        (
            "Jira: malformed issue #0 ('API-3') from ",
            "field 'fields.summary' holds a lone UTF-16 surrogate (not valid Unicode text)",
        ),
    ),
    # PagerDuty
    "pagerduty-html-proxy-page-200": Case(
        "pagerduty",
        {"/incidents": html(HTML_PROXY)},
        (f"PagerDuty: response from {PD}/incidents?", "is not valid JSON: an HTML page"),
    ),
    "pagerduty-truncated-json": Case(
        "pagerduty",
        {"/incidents": Reply(b'{"incidents": [')},
        (
            f"PagerDuty: response from {PD}/incidents?",
            "is not valid JSON: Expecting value (line 1, column 16)",
        ),
    ),
    "pagerduty-missing-list-key": Case(
        "pagerduty",
        {"/incidents": ok({"more": False})},
        (f"PagerDuty: no 'incidents' in the response from {INCIDENTS_URL}",),
    ),
    "pagerduty-object-where-list-expected": Case(
        "pagerduty",
        {"/incidents": ok({"incidents": pd_incident(3), "more": False})},
        (f"PagerDuty: expected a JSON array of objects from {INCIDENTS_URL}", ", got dict"),
    ),
    "pagerduty-null-id": Case(
        "pagerduty",
        {"/incidents": pd_page(pd_incident(3), pd_incident(4, id=None))},
        (
            f"PagerDuty: malformed item #1 (None) from {INCIDENTS_URL}",
            ": field 'id' must be a string, got 'None'",
        ),
    ),
    "pagerduty-missing-created-at": Case(
        "pagerduty",
        {"/incidents": pd_page({k: v for k, v in pd_incident(3).items() if k != "created_at"})},
        (
            f"PagerDuty: malformed item #0 ('Q3') from {INCIDENTS_URL}",
            ": missing field 'created_at'",
        ),
    ),
    "pagerduty-string-number": Case(
        "pagerduty",
        {"/incidents": pd_page(pd_incident(3, incident_number="three"))},
        (
            f"PagerDuty: malformed item #0 ('Q3') from {INCIDENTS_URL}",
            ": invalid literal for int() with base 10: 'three'",
        ),
    ),
    "pagerduty-5mb-string-field": Case(
        "pagerduty",
        {"/incidents": pd_page(pd_incident(3, title=HUGE))},
        (
            f"PagerDuty: malformed item #0 ('Q3') from {INCIDENTS_URL}",
            ": field 'title' is 5,000,000 characters long (at most 1,000,000)",
        ),
    ),
    "pagerduty-invalid-utf8": Case(
        "pagerduty",
        {
            "/incidents": not_utf8(
                {"incidents": [pd_incident(3, title="Caf")], "more": False}, "Caf"
            )
        },
        (
            f"PagerDuty: response from {PD}/incidents?",
            "is not valid JSON: not UTF-8 (invalid continuation byte at byte ",
        ),
    ),
    "pagerduty-service-not-an-object": Case(
        "pagerduty",
        {"/services/PSVC1": ok({"service": "PSVC1"})},
        (f"PagerDuty: expected an object 'service' at {PD}/services/PSVC1",),
    ),
    # GitLab
    "gitlab-html-sign-in-page-200": Case(
        "gitlab",
        mrs(html(HTML_LOGIN)),
        (
            about("merge requests") + f"response from {MRS_URL} is not valid JSON: an HTML page "
            "(an error or sign-in page?) (HTTP 200, Content-Type text/html; charset=utf-8)",
        ),
    ),
    "gitlab-truncated-json": Case(
        "gitlab",
        mrs(Reply(json.dumps(NEW_MRS).encode()[:60])),
        (
            about("merge requests") + f"response from {MRS_URL} is not valid JSON: Expecting "
            "',' delimiter (line 1, column 61) (HTTP 200, Content-Type application/json)",
        ),
    ),
    "gitlab-object-where-list-expected": Case(
        "gitlab",
        mrs(ok({"merge_requests": NEW_MRS})),
        (about("merge requests") + f"expected a JSON array of objects from {MRS_URL}, got dict",),
    ),
    "gitlab-item-not-an-object": Case(
        "gitlab",
        {f"{PROJ}/issues": ok([gl_issue(5, GT2), "Bug 6"])},
        (
            about("issues")
            + f"expected a JSON array of objects from {GL_ISSUES_URL}, got str at item #1",
        ),
    ),
    "gitlab-item-missing-key": Case(
        "gitlab",
        mrs(ok([NEW_MRS[0], {k: v for k, v in NEW_MRS[1].items() if k != "iid"}])),
        (
            about("merge requests")
            + f"malformed item #1 (5003) from {MRS_URL}: missing field 'iid'",
        ),
    ),
    "gitlab-null-id": Case(
        "gitlab",
        {f"{PROJ}/deployments": ok([gl_deployment(2, GT2, id=None)])},
        (
            about("deployments") + f"malformed item #0 (None) from {DEPLOYMENTS_URL}: "
            "field 'id' must be an integer, got None",
        ),
    ),
    "gitlab-string-id": Case(
        "gitlab",
        {f"{PROJ}/issues": ok([gl_issue(6, GT2, id="6006")])},
        (
            about("issues") + f"malformed item #0 ('6006') from {GL_ISSUES_URL}: "
            "field 'id' must be an integer, got '6006'",
        ),
    ),
    "gitlab-wrong-type-timestamp": Case(
        "gitlab",
        mrs(ok([gl_mr(3, GT2, created_at=1717)])),
        (
            about("merge requests") + f"malformed item #0 (5003) from {MRS_URL}: "
            "field 'created_at': expected an ISO 8601 timestamp, got 1717",
        ),
    ),
    "gitlab-nested-key-missing": Case(
        "gitlab",
        {f"{PROJ}/repository/tags": ok([gl_tag("v2.0.0", commit={"committed_date": GT2})])},
        (about("tags") + f"malformed item #0 ('v2.0.0') from {GL_TAGS_URL}: missing field 'id'",),
    ),
    "gitlab-null-release-tag": Case(
        "gitlab",
        {f"{PROJ}/releases": ok([gl_release(tag_name=None)])},
        (
            about("releases") + f"malformed item #0 ('One') from {GL_RELEASES_URL}: "
            "field 'tag_name' must be a string, got None",
        ),
    ),
    "gitlab-5mb-string-field": Case(
        "gitlab",
        mrs(ok([NEW_MRS[0], gl_mr(3, GT2, description=HUGE)])),
        (
            about("merge requests") + f"malformed item #1 (5003) from {MRS_URL}: field "
            "'description' is 5,000,000 characters long (at most 1,000,000)",
        ),
    ),
    "gitlab-invalid-utf8": Case(
        "gitlab",
        mrs(not_utf8(NEW_MRS, "changed")),
        (
            about("merge requests") + f"response from {MRS_URL} is not valid JSON: not UTF-8 "
            "(invalid continuation byte at byte 59) (HTTP 200, Content-Type application/json)",
        ),
    ),
    "gitlab-link-header-to-another-host": Case(
        "gitlab",
        mrs(ok([gl_mr(1), gl_mr(2)], Link='<https://evil.test/steal?page=2>; rel="next"')),
        (
            about("merge requests") + "next-page link 'https://evil.test/steal?page=2' from "
            f"{MRS_URL} points outside https://gl.test",
        ),
    ),
    "gitlab-x-next-page-not-a-page-number": Case(
        "gitlab",
        mrs(ok([gl_mr(1), gl_mr(2)], **{"X-Next-Page": "https://evil.test/steal"})),
        (
            about("merge requests") + "X-Next-Page 'https://evil.test/steal' from "
            f"{MRS_URL} is not a page number",
        ),
    ),
    "gitlab-note-missing-created-at": Case(
        "gitlab",
        {**mrs(ok(NEW_MRS)), f"{MRS}/3/notes": ok([gl_note(903)])},
        (
            about("merge request !3 notes")
            + f"malformed item #0 (903) from {NOTES_URL}: missing field 'created_at'",
        ),
    ),
}


# --- harness ----------------------------------------------------------------------------------


def make_sources() -> dict[str, Source]:
    gh = Source.objects.create(
        name="gh", kind="github", base_url=GH, token="gh-token", api=Source.Api.REST
    )  # the hostile pages are REST payloads
    Repo.objects.create(source=gh, full_name="acme/api")
    jira = Source.objects.create(
        name="jira",
        kind="jira",
        base_url=JIRA,
        token="jira-token",
        email="me@acme.test",
        story_points_field="customfield_10016",
    )
    JiraProject.objects.create(source=jira, key="API")
    pd = Source.objects.create(name="pd", kind="pagerduty", base_url=PD, token="pd-token")
    PagerDutyService.objects.create(source=pd, service_id="PSVC1")
    gl = Source.objects.create(name="gl", kind="gitlab", base_url=GL, token="gl-token")
    Repo.objects.create(source=gl, full_name="acme/app")
    return {"github": gh, "jira": jira, "pagerduty": pd, "gitlab": gl}


BASES = {
    "github": (GH, GH_ROUTES),
    "jira": (JIRA, JIRA_ROUTES),
    "pagerduty": (PD, PD_ROUTES),
    "gitlab": (GL, GL_ROUTES),
}


def serve(provider: str, changes: dict[str, Reply]) -> responses.RequestsMock:
    """A mock answering the provider's routes (any query string), `changes` taking precedence;
    a request to any other URL fails the test (responses raises ConnectionError)."""
    base, routes = BASES[provider]
    mock = responses.RequestsMock(assert_all_requests_are_fired=False)
    for path, reply in {**routes, **changes}.items():
        pattern = re.compile(re.escape(base + path) + r"(\?.*)?$")

        def answer(request, reply: Reply = reply) -> tuple:
            return reply.status, reply.headers, reply.body

        mock.add_callback(responses.GET, pattern, callback=answer)
    return mock


def stored() -> dict[str, list]:
    """Every synced row (with the values a bad page could change), cursors and ETags."""
    return {
        "pulls": list(
            PullRequest.objects.order_by("provider", "external_id").values_list(
                "provider", "external_id", "title", "updated_at"
            )
        ),
        "pull_reviews": list(
            PullRequestReview.objects.order_by("pk").values_list("external_id", "state")
        ),
        "issues": list(
            Issue.objects.order_by("provider", "external_id").values_list(
                "provider", "external_id", "title"
            )
        ),
        "releases": list(
            Release.objects.order_by("provider", "external_id").values_list(
                "provider", "external_id", "name"
            )
        ),
        "tags": list(
            Tag.objects.order_by("provider", "name").values_list("provider", "name", "sha")
        ),
        "deployments": list(
            Deployment.objects.order_by("provider", "external_id").values_list(
                "provider", "external_id", "first_success_at", "updated_at"
            )
        ),
        "jira": list(
            JiraIssue.objects.order_by("jira_id").values_list("jira_id", "summary", "updated_at")
        ),
        "incidents": list(Incident.objects.order_by("pd_id").values_list("pd_id", "title")),
        "cursors": list(
            SyncCursor.objects.order_by("pk").values_list("scope", "endpoint", "value")
        ),
        "etags": list(HttpValidator.objects.order_by("pk").values_list("url", "etag")),
    }


def sync(source: Source, changes: dict[str, Reply]) -> Any:
    with serve(source.kind, changes):
        return source_sync(source=source)


@pytest.fixture
def synced() -> dict[str, Source]:
    """The four sources, each synced once from the good routes."""
    sources = make_sources()
    for source in sources.values():
        run = sync(source, {})
        assert run.status == "succeeded", run.error
    rows = stored()
    assert [p[:2] for p in rows["pulls"]] == [
        ("github", 1001),
        ("github", 1002),
        ("gitlab", 5001),
        ("gitlab", 5002),
    ]
    assert [i[:2] for i in rows["issues"]] == [("github", 2005), ("gitlab", 6005)]
    assert rows["pull_reviews"] == [(901, "APPROVED"), (902, "APPROVED")]
    assert len(rows["jira"]) == 2 and len(rows["incidents"]) == 2
    assert [d[:2] for d in rows["deployments"]] == [("gitlab", 7001)]
    assert ("gitlab", "v1.0.0", "a" * 40) in rows["tags"]
    assert {etag for _, etag in rows["etags"]} >= {'W/"releases-1"', 'W/"tags-1"'}
    assert rows["cursors"]
    return sources


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_broken_payload_fails_the_run_naming_where_and_stores_nothing(case, synced):
    source = synced[case.provider]
    before = stored()
    run = sync(source, case.routes)
    assert run.status == "failed"
    assert run.error.startswith(f"{source.kind} source '{source.name}': ")
    for part in case.expected:
        assert part in run.error
    assert len(run.error) < 1000 and "unexpected" not in run.error
    assert "-token" not in run.error
    assert stored() == before


def test_cases_cover_every_provider_with_at_least_ten_each():
    providers = [case.provider for case in CASES.values()]
    counts = {p: providers.count(p) for p in BASES}
    assert counts == {"github": 12, "jira": 10, "pagerduty": 10, "gitlab": 15}


@pytest.mark.parametrize(
    "bad",
    [
        pytest.param({"/incidents": pd_page(pd_incident(3, status=None))}, id="null-status"),
        pytest.param(
            {"/incidents": pd_page(pd_incident(3, service={"id": None}))}, id="null-service"
        ),
    ],
)
def test_pagerduty_null_text_is_not_stored_as_the_word_none(bad, synced):
    before = stored()
    run = sync(synced["pagerduty"], bad)
    assert run.status == "failed" and "must be a string, got 'None'" in run.error
    assert stored() == before and not Incident.objects.filter(status="None").exists()
