"""`GitHubProvider`: the GitHub REST API (api.github.com) over a `GitHubWorld`.

Per request, in GitHub's order: authentication (401), primary rate limit (403 when the token's
budget is spent), routing (404), then a 200 with a weak ETag, or a 304 when `If-None-Match`
matches (a 304 does not count against the rate limit). Every response carries the
`x-ratelimit-*` headers. Links embedded in bodies (`https://api.github.com/...`) are rewritten
to the simulator's base URL, as a GitHub Enterprise server would send its own host.
GitHub: https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api and
https://docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable

from integrations.simulator.faults import FaultRule, generic_fault
from integrations.simulator.github.graphql.endpoint import GRAPHQL_PATHS, GraphQLEndpoint
from integrations.simulator.github.objects import API, JSONDict
from integrations.simulator.github.paging import link_header, page_params, page_slice
from integrations.simulator.github.routes import ROUTES, Listing, Result, error, not_found
from integrations.simulator.github.world import GitHubRepo, GitHubWorld
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

RATE_DOCS = "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api"
SECONDARY_MESSAGE = (
    "You have exceeded a secondary rate limit. Please wait a few minutes before "
    "you try again. If you reach out to GitHub Support for help, please include "
    "the request ID {request_id}."
)
ANONYMOUS = ""  # budget key of requests without a token
_REPO_PATH = re.compile(
    r"^/(?:repos/(?P<owner>[^/]+)/(?P<name>[^/]+)|repositories/(?P<rid>\d+))(?P<rest>/.*)?$"
)
_AUTH = re.compile(r"^\s*(?:bearer|token)\s+(?P<token>\S+)\s*$", re.IGNORECASE)
_STATIC_HEADERS = {
    "cache-control": "private, max-age=60, s-maxage=60",
    "vary": "Accept, Authorization, Cookie, X-GitHub-OTP",
    "x-github-media-type": "github.v3; format=json",
    "x-github-api-version-selected": "2022-11-28",
    "x-ratelimit-resource": "core",
}


class GitHubProvider(Provider):
    """Serves `world` like api.github.com. See `Simulator` for the parameters;
    `budget` is the per-token primary rate limit (tests may call `budget.set_used`)."""

    name = "github"

    def __init__(
        self,
        world: GitHubWorld,
        *,
        token: str | None = None,
        page_size_max: int = 100,
        rate_limit: int = 5000,
        rate_limit_window: float = 3600.0,
        graphql_rate_limit: int = 5000,
        link_by_repo_id: bool = True,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.world = world
        self.token = token
        self.page_size_max = page_size_max
        self.link_by_repo_id = link_by_repo_id
        self.budget = RateBudget(rate_limit, rate_limit_window, clock)
        self.anonymous_budget = RateBudget(60, 3600.0, clock)  # GitHub: 60/h unauthenticated
        self.graphql_budget = RateBudget(graphql_rate_limit, rate_limit_window, clock)
        self.graphql = GraphQLEndpoint(world, self.graphql_budget)

    def owns(self, path: str) -> bool:
        """Repository URLs (`/repos/...`, `/repositories/{id}/...`), `/rate_limit` and the
        GraphQL endpoint (`/graphql`, GitHub Enterprise's `/api/graphql`)."""
        return (
            path.startswith(("/repos/", "/repositories/"))
            or path == "/rate_limit"
            or path in GRAPHQL_PATHS
        )

    def handle(self, request: Request) -> Response:
        """Auth, rate limit, route, ETag/304, rate-limit headers."""
        key, denied = self._authenticate(request)
        if denied is not None:
            return self._decorate(denied, self.anonymous_budget.spend(key))
        if request.path in GRAPHQL_PATHS:  # points-based: its own budget and headers
            return self._decorate(self.graphql.handle(request, key), None)
        if request.path == "/rate_limit":  # GitHub: does not count against the limit
            return self._decorate(self._rate_limit_view(key), self.budget.peek(key))
        if self.budget.peek(key).remaining == 0:
            body = error(403, "API rate limit exceeded for user ID 1.", RATE_DOCS)
            return self._decorate(body, self.budget.peek(key))
        response = self._respond(request)
        if response.status == 304:
            return self._decorate(response, self.budget.peek(key))
        return self._decorate(response, self.budget.spend(key))

    def fault_response(self, rule: FaultRule, request: Request) -> Response:
        """GitHub-flavoured faults: `kind="secondary"` (403 unless `status` given) and a plain
        429 get GitHub's secondary-rate-limit body; others use `generic_fault`. Rate-limit
        headers are added but nothing is spent."""
        request_id = _request_id()
        secondary = rule.kind == "secondary" or (rule.kind == "" and rule.status == 429)
        if secondary and rule.body is None:
            body = {
                "message": SECONDARY_MESSAGE.format(request_id=request_id),
                "documentation_url": f"{RATE_DOCS}#about-secondary-rate-limits",
            }
            response = json_response(rule.status or 403, body, rule.retry_after_header())
        else:
            response = generic_fault(rule)
        key = self._credential(request) or ANONYMOUS
        trusted = self.token is None or key == self.token
        budget = self.budget if trusted else self.anonymous_budget
        return self._decorate(response, budget.peek(key), request_id)

    def _credential(self, request: Request) -> str | None:
        match = _AUTH.match(request.headers.get("authorization", ""))
        return match["token"] if match else None

    def _authenticate(self, request: Request) -> tuple[str, Response | None]:
        """(budget key, None) when allowed, else (key, 401 response)."""
        credential = self._credential(request)
        if self.token is None or credential == self.token:
            return credential or ANONYMOUS, None
        if credential is None and "authorization" not in request.headers:
            return ANONYMOUS, error(401, "Requires authentication")
        return ANONYMOUS, error(401, "Bad credentials")

    def _respond(self, request: Request) -> Response:
        if request.method not in ("GET", "HEAD"):
            return not_found()
        with self.world.lock:
            resolved = self._resolve(request)
            if isinstance(resolved, Response):
                return resolved
            repo, rest, result = resolved
            response = self._render(request, repo, rest, result)
        if response.status == 200:
            self._add_etag(request, response)
        return response

    def _resolve(self, request: Request) -> tuple[GitHubRepo, str, Result] | Response:
        match = _REPO_PATH.match(request.path)
        if match is None:
            return not_found()
        if match["rid"]:
            repo = self.world.by_id(int(match["rid"]))
        else:
            repo = self.world.find(f"{match['owner']}/{match['name']}")
        rest = match["rest"] or ""
        if repo is None:
            return not_found("https://docs.github.com/rest/repos/repos#get-a-repository")
        for pattern, handler in ROUTES:
            found = pattern.match(rest)
            if found:
                return repo, rest, handler(repo, request, found.groupdict())
        return not_found()

    def _render(self, request: Request, repo: GitHubRepo, rest: str, result: Result) -> Response:
        if isinstance(result, Response):
            return result
        if not isinstance(result, Listing):
            return self._json(request, result)
        page, per_page = page_params(
            request.param("per_page"), request.param("page"), self.page_size_max
        )
        response = self._json(request, page_slice(result.items, page, per_page))
        path = f"/repositories/{repo.id}{rest}" if self.link_by_repo_id else request.path
        link = link_header(
            f"{request.base_url}{path}", request.query, page, per_page, len(result.items)
        )
        if link:
            response.headers["link"] = link
        return response

    def _json(self, request: Request, data: JSONDict | list[JSONDict]) -> Response:
        response = json_response(200, None)
        response.body = dump_json(data).replace(API.encode(), request.base_url.encode())
        return response

    def _add_etag(self, request: Request, response: Response) -> None:
        etag = weak_etag(response.body)
        response.headers["etag"] = etag
        if etag_matches(request.headers.get("if-none-match"), etag):
            response.status, response.body = 304, b""
            response.drop_header("content-type")

    def _rate_limit_view(self, key: str) -> Response:
        state = self.budget.peek(key)
        core = {
            "limit": state.limit,
            "used": state.used,
            "remaining": state.remaining,
            "reset": state.reset,
            "resource": "core",
        }
        return json_response(200, {"resources": {"core": core}, "rate": core})

    def _decorate(
        self, response: Response, state: BudgetState | None, request_id: str | None = None
    ) -> Response:
        """GitHub's headers; `state` None keeps the rate-limit headers already set."""
        graphql = dict(response.headers) if state is None else {}
        response.headers.update(_STATIC_HEADERS)
        response.headers.update(graphql)
        if state is not None:
            response.headers.update(
                {
                    "x-ratelimit-limit": str(state.limit),
                    "x-ratelimit-remaining": str(state.remaining),
                    "x-ratelimit-reset": str(state.reset),
                    "x-ratelimit-used": str(state.used),
                }
            )
        response.headers["x-github-request-id"] = request_id or _request_id()
        return response


def _request_id() -> str:
    """An id shaped like GitHub's `x-github-request-id`: `C0DE:1A2B3:4C5D6E:7F8091:6560A1B2`."""
    raw = uuid.uuid4().hex.upper()
    return f"{raw[:4]}:{raw[4:9]}:{raw[9:15]}:{raw[15:21]}:{raw[21:29]}"
