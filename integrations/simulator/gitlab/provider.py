"""`GitLabProvider`: the GitLab REST API v4 (`/api/v4/...`) over a `GitLabWorld`.

Per request, in GitLab's order: authentication (`PRIVATE-TOKEN` or `Authorization: Bearer`;
401), the token's request budget (429 with `Retry-After` once spent), routing (404), then a 200
with a weak ETag, or a 304 when `If-None-Match` matches. Every response carries GitLab's
`RateLimit-*` headers. Lists are offset-paged (`page`, `per_page`: 20 by default, at most 100;
`X-Page`, `X-Per-Page`, `X-Next-Page`, `X-Prev-Page`, `X-Total`, `X-Total-Pages` and a `Link`
header), or keyset-paged where GitLab offers it (`pagination=keyset&order_by=id` on a group's
projects: `Link` with `id_after`, no totals).
# GitLab: https://docs.gitlab.com/ee/api/rest/index.html#pagination
# GitLab: https://docs.gitlab.com/ee/administration/settings/user_and_ip_rate_limits.html#response-headers
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import unquote, urlencode

from integrations.simulator.faults import FaultRule, generic_fault
from integrations.simulator.gitlab.world import GitLabProject, GitLabWorld, JSONDict, parse_iso
from integrations.simulator.messages import (
    Request,
    Response,
    dump_json,
    etag_matches,
    json_response,
    weak_etag,
)
from integrations.simulator.provider import Provider
from integrations.simulator.ratelimit import BudgetState, RateBudget

PREFIX = "/api/v4"
DEFAULT_PER_PAGE = 20
_PROJECT = re.compile(r"^/projects/(?P<id>[^/]+)(?P<rest>/.*)?$")
_GROUP_PROJECTS = re.compile(r"^/groups/(?P<id>[^/]+)/projects$")
_MR = re.compile(r"^/merge_requests/(?P<iid>\d+)(?P<sub>/[a-z_]+)?$")
_BEARER = re.compile(r"^\s*bearer\s+(?P<token>\S+)\s*$", re.IGNORECASE)


class Listing(list[JSONDict]):
    """A list result to be paged (offset unless `keyset`)."""

    keyset = False


class GitLabProvider(Provider):
    """Serves `world` like gitlab.com/api/v4. `token`: when set, requests must send it;
    `rate_limit` requests per `rate_limit_window` seconds per token (`budget.set_used` lets a
    test spend it); `page_size_max`: the largest `per_page` honoured (GitLab: 100)."""

    name = "gitlab"

    def __init__(
        self,
        world: GitLabWorld,
        *,
        token: str | None = None,
        rate_limit: int = 2000,
        rate_limit_window: float = 60.0,
        page_size_max: int = 100,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.world = world
        self.token = token
        self.page_size_max = page_size_max
        self.budget = RateBudget(rate_limit, rate_limit_window, clock)
        self._clock = clock

    def owns(self, path: str) -> bool:
        return path.startswith(f"{PREFIX}/")

    def handle(self, request: Request) -> Response:
        credential = self._credential(request)
        if self.token is not None and credential != self.token:
            return json_response(401, {"message": "401 Unauthorized"})
        key = credential or ""
        if self.budget.peek(key).remaining == 0:
            return self._limited(self.budget.peek(key))
        state = self.budget.spend(key)
        if request.method not in ("GET", "HEAD"):
            return self._decorate(json_response(405, {"message": "405 Method Not Allowed"}), state)
        with self.world.lock:
            response = self._route(request)
        if response.status == 200:
            etag = weak_etag(response.body)
            response.headers["etag"] = etag
            if etag_matches(request.headers.get("if-none-match"), etag):
                response.status, response.body = 304, b""
                response.drop_header("content-type")
        return self._decorate(response, state)

    def fault_response(self, rule: FaultRule, request: Request) -> Response:
        """A plain 429 gets GitLab's body (`Retry later`) and rate-limit headers."""
        response = generic_fault(rule)
        if rule.status == 429 and rule.body is None:
            response.body = b"Retry later\n"
            response.headers["content-type"] = "text/plain"
        return self._decorate(response, self.budget.peek(self._credential(request) or ""))

    # --- auth and limits ---------------------------------------------------------------------

    @staticmethod
    def _credential(request: Request) -> str | None:
        private = request.headers.get("private-token")
        if private:
            return private
        match = _BEARER.match(request.headers.get("authorization", ""))
        return match["token"] if match else None

    def _limited(self, state: BudgetState) -> Response:
        wait = max(1, state.reset - int(self._clock()))
        response = Response(429, b"Retry later\n", {"content-type": "text/plain"})
        response.headers["retry-after"] = str(wait)
        return self._decorate(response, state)

    def _decorate(self, response: Response, state: BudgetState) -> Response:
        response.headers.update(
            {
                "ratelimit-limit": str(state.limit),
                "ratelimit-observed": str(state.used),
                "ratelimit-remaining": str(state.remaining),
                "ratelimit-reset": str(state.reset),
            }
        )
        return response

    # --- routing -----------------------------------------------------------------------------

    def _route(self, request: Request) -> Response:
        path = request.path[len(PREFIX) :]
        group = _GROUP_PROJECTS.match(path)
        if group:
            return self._group_projects(request, unquote(group["id"]))
        match = _PROJECT.match(path)
        if match is None:
            return _not_found("404 Not found")
        project = self.world.project(unquote(match["id"]))
        if project is None:
            return _not_found("404 Project Not Found")
        result = self._project_route(request, project, match["rest"] or "")
        if isinstance(result, Response):
            return result
        if isinstance(result, Listing):
            return self._page(request, result)
        return json_response(200, result)

    def _project_route(
        self, request: Request, project: GitLabProject, rest: str
    ) -> JSONDict | Listing | Response:
        if rest == "":
            return project.obj
        lists = {
            "/merge_requests": lambda: _filtered(request, project.merge_requests),
            "/repository/tags": lambda: Listing(project.tags),
            "/releases": lambda: Listing(project.releases),
            "/deployments": lambda: _filtered(request, project.deployments, environment=True),
            "/issues": lambda: _filtered(request, project.issues),
        }
        if rest in lists:
            return lists[rest]()
        mr = _MR.match(rest)
        if mr is None:
            return _not_found("404 Not found")
        return self._merge_request_route(project, int(mr["iid"]), mr["sub"] or "")

    def _merge_request_route(
        self, project: GitLabProject, iid: int, sub: str
    ) -> JSONDict | Listing | Response:
        found = project.merge_request(iid)
        if found is None:
            return _not_found("404 Not found")
        if sub == "":
            return {**found, "changes_count": str(len(project.diffs_of(iid)))}
        if sub == "/commits":
            return Listing(project.commits_of(iid))
        if sub == "/notes":
            return Listing(project.notes_of(iid))
        if sub == "/diffs":
            return Listing(project.diffs_of(iid))
        if sub == "/changes":
            return {**found, "changes": project.diffs_of(iid), "overflow": False}
        if sub == "/approvals":
            return _approvals(found, project.notes_of(iid))
        return _not_found("404 Not found")

    def _group_projects(self, request: Request, ident: str) -> Response:
        group = self.world.group_id(ident)
        if group is None:
            return _not_found("404 Group Not Found")
        subgroups = request.param("include_subgroups") == "true"
        projects = Listing(
            p.obj for p in self.world.group_projects(group, include_subgroups=subgroups)
        )
        if request.param("pagination") == "keyset":
            if request.param("order_by", "created_at") != "id":
                return json_response(405, {"message": "405 Method Not Allowed"})
            after = int(request.param("id_after") or 0)
            projects = Listing(p for p in projects if p["id"] > after)
            projects.keyset = True
        return self._page(request, projects)

    # --- paging ------------------------------------------------------------------------------

    def _page(self, request: Request, items: Listing) -> Response:
        per_page = _int(request.param("per_page"), DEFAULT_PER_PAGE)
        per_page = DEFAULT_PER_PAGE if per_page < 1 else min(per_page, self.page_size_max)
        base = f"{request.base_url}{request.path}"
        if items.keyset:
            chunk = items[:per_page]
            response = json_response(200, chunk)
            if len(items) > per_page:
                query = _replace(request.query, id_after=str(chunk[-1]["id"]))
                response.headers["link"] = f'<{base}?{query}>; rel="next"'
            return response
        page = max(1, _int(request.param("page"), 1))
        last = max(1, -(-len(items) // per_page))
        response = Response(200, dump_json(items[(page - 1) * per_page : page * per_page]))
        response.headers["content-type"] = "application/json"
        links = [("first", 1), ("last", last)]
        if page > 1:
            links.insert(0, ("prev", page - 1))
        if page < last:
            links.insert(0, ("next", page + 1))
        response.headers.update(
            {
                "x-page": str(page),
                "x-per-page": str(per_page),
                "x-total": str(len(items)),
                "x-total-pages": str(last),
                "x-next-page": str(page + 1) if page < last else "",
                "x-prev-page": str(page - 1) if page > 1 else "",
                "link": ", ".join(
                    f'<{base}?{_replace(request.query, page=str(n))}>; rel="{rel}"'
                    for rel, n in links
                ),
            }
        )
        return response


def _filtered(request: Request, items: list[JSONDict], *, environment: bool = False) -> Listing:
    """`state`, `environment`, `updated_after`/`updated_before` (inclusive) filters, then
    `order_by` (`created_at` by default, or `updated_at`) and `sort` (`desc` by default)."""
    state = request.param("state", "all")
    chosen = [i for i in items if state == "all" or i.get("state") == state]
    if environment and request.param("environment"):
        chosen = [i for i in chosen if i["environment"]["name"] == request.param("environment")]
    after, before = request.param("updated_after"), request.param("updated_before")
    if after:
        chosen = [i for i in chosen if parse_iso(_updated(i)) >= parse_iso(after)]
    if before:
        chosen = [i for i in chosen if parse_iso(_updated(i)) <= parse_iso(before)]
    order = request.param("order_by", "created_at")
    field = "updated_at" if order == "updated_at" else "created_at"
    key = (lambda i: (parse_iso(_updated(i)), i["id"])) if field == "updated_at" else None
    ordered = sorted(chosen, key=key or (lambda i: (parse_iso(i["created_at"]), i["id"])))
    if request.param("sort", "desc") == "desc":
        ordered.reverse()
    return Listing(ordered)


def _updated(item: JSONDict) -> str:
    return str(item.get("updated_at") or item["created_at"])


def _approvals(mr: JSONDict, notes: list[JSONDict]) -> JSONDict:
    """`GET …/approvals` from the approval system notes (users approving now)."""
    approving: dict[str, JSONDict] = {}
    for note in notes:
        if note.get("system") and note["body"] == "approved this merge request":
            approving[note["author"]["username"]] = {
                "user": note["author"],
                "approved_at": note["created_at"],
            }
        elif note.get("system") and note["body"] == "unapproved this merge request":
            approving.pop(note["author"]["username"], None)
    return {
        "id": mr["id"],
        "iid": mr["iid"],
        "project_id": mr["project_id"],
        "title": mr["title"],
        "state": mr["state"],
        "approved": bool(approving),
        "approved_by": list(approving.values()),
    }


def _replace(query: list[tuple[str, str]], **values: str) -> str:
    kept = [(k, v) for k, v in query if k not in values]
    return urlencode([*kept, *values.items()])


def _int(value: Any, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def _not_found(message: str) -> Response:
    return json_response(404, {"message": message})
