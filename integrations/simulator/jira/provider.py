"""`JiraProvider`: Jira Cloud REST v3 over a `JiraWorld`.

Per request: basic auth (401 with Jira's body), then routing: `GET /rest/api/3/search/jql`
(the JQL subset Keel sends: `project in (...)`, `updated >= "yyyy/MM/dd HH:mm"` read in the API
user's zone, `ORDER BY updated ASC|created ASC`; `nextPageToken` paging, later pages cut from
the result the search's first page matched (a million-issue site is not re-sorted per page);
only the `fields` asked for, else only ids), `GET /rest/api/3/field`, `GET /rest/api/3/myself`,
and 410 for the removed `/rest/api/3/search`. Injected 429s carry `Retry-After` and an ISO
`X-RateLimit-Reset`.
# Jira: https://developer.atlassian.com/changelog/#CHANGE-2046 (search endpoints removed)
"""

from __future__ import annotations

import base64
import re
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from integrations.simulator.faults import FaultRule, generic_fault
from integrations.simulator.jira.world import JiraWorld
from integrations.simulator.messages import Request, Response, json_response
from integrations.simulator.provider import Provider

PAGE_MAX = 100
_PROJECTS = re.compile(r"project\s+in\s*\(([^)]*)\)", re.IGNORECASE)
_UPDATED = re.compile(r'updated\s*>=\s*"(\d{4}/\d{2}/\d{2} \d{2}:\d{2})"', re.IGNORECASE)
_ORDER = re.compile(r"order\s+by\s+(updated|created)", re.IGNORECASE)
GONE = {
    "errorMessages": [
        "The requested API has been removed. Please migrate to the "
        "/rest/api/3/search/jql API. A full migration guideline is available "
        "at https://developer.atlassian.com/changelog/#CHANGE-2046"
    ]
}


def _parse_time(value: str) -> datetime:
    try:  # ~40x faster than strptime; a search sorts every matching issue by it
        return datetime.fromisoformat(value)
    except ValueError:
        return datetime.strptime(value, "%Y-%m-%dT%H:%M:%S.%f%z")


class JiraProvider(Provider):
    """Serves `world`; requests must authenticate as `email` / `token` (basic auth)."""

    name = "jira"

    def __init__(self, world: JiraWorld, *, email: str, token: str) -> None:
        self.world = world
        self._auth = "Basic " + base64.b64encode(f"{email}:{token}".encode()).decode()
        # (jql, matching issues) of the latest search: its next pages are cut from the same
        # result instead of filtering and sorting the whole site again for every page
        self._last: tuple[str, list[dict]] | None = None

    def owns(self, path: str) -> bool:
        return path.startswith("/rest/api/")

    def handle(self, request: Request) -> Response:
        if request.headers.get("authorization") != self._auth:
            return json_response(
                401,
                {
                    "errorMessages": ["Client must be authenticated to access this resource."],
                    "errors": {},
                },
            )
        if request.path == "/rest/api/3/search/jql" and request.method == "GET":
            return self._search(request)
        if request.path in ("/rest/api/3/search", "/rest/api/2/search"):
            return json_response(410, GONE)
        if request.path == "/rest/api/3/field":
            return json_response(200, self.world.fields)
        if request.path == "/rest/api/3/myself":
            return json_response(200, {"accountId": "keel-bot", "timeZone": self.world.time_zone})
        return json_response(404, {"errorMessages": ["Not found"], "errors": {}})

    def fault_response(self, rule: FaultRule, request: Request) -> Response:
        response = generic_fault(rule)
        if rule.status == 429:
            reset = datetime.now(UTC) + timedelta(seconds=rule.retry_after or 1)
            response.headers["X-RateLimit-Reset"] = reset.isoformat(timespec="seconds")
        return response

    def _search(self, request: Request) -> Response:
        jql = request.param("jql", "") or ""
        token = request.param("nextPageToken")
        last = self._last
        if token and last is not None and last[0] == jql:
            matched = last[1]
        else:
            try:
                matched = self._matching(jql)
            except ValueError as exc:
                return json_response(400, {"errorMessages": [str(exc)], "errors": {}})
            self._last = (jql, matched)
        size = min(int(request.param("maxResults", "50") or 50), PAGE_MAX)
        start = int(base64.urlsafe_b64decode(token.encode()).decode()) if token else 0
        page = matched[start : start + size]
        wanted = [f for f in (request.param("fields", "") or "").split(",") if f]
        body: dict = {"issues": [self._render(issue, wanted) for issue in page]}
        if start + size < len(matched):
            body["nextPageToken"] = base64.urlsafe_b64encode(str(start + size).encode()).decode()
        else:
            body["isLast"] = True
        return json_response(200, body)

    def _matching(self, jql: str) -> list[dict]:
        projects_match = _PROJECTS.search(jql)
        if projects_match is None:
            raise ValueError("simulator: JQL must name its projects with 'project in (...)'")
        keys = {k.strip().strip("\"'") for k in projects_match.group(1).split(",")}
        issues = [i for i in self.world.issues if i["fields"]["project"]["key"] in keys]
        since = _UPDATED.search(jql)
        if since:
            local = datetime.strptime(since.group(1), "%Y/%m/%d %H:%M")
            floor = local.replace(tzinfo=ZoneInfo(self.world.time_zone))
            issues = [i for i in issues if _parse_time(i["fields"]["updated"]) >= floor]
        order = _ORDER.search(jql)
        column = order.group(1).lower() if order else "created"
        return sorted(issues, key=lambda i: (_parse_time(i["fields"][column]), int(i["id"])))

    @staticmethod
    def _render(issue: dict, wanted: list[str]) -> dict:
        out = {"id": issue["id"], "key": issue["key"], "self": issue.get("self", "")}
        if wanted:
            every = "*all" in wanted
            out["fields"] = {k: v for k, v in issue["fields"].items() if every or k in wanted}
        return out
