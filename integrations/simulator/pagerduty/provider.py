"""`PagerDutyProvider`: the PagerDuty REST API v2 (api.pagerduty.com) over a `PagerDutyWorld`.

Per request: authentication (`Authorization: Token token=...`, else 401), the per-token rate
limit (429 with `ratelimit-limit/-remaining/-reset`, reset in seconds), routing (404), then
classic offset paging (`limit` ≤ 100, `offset + limit` ≤ 10,000, else 400) with `more` and,
on `total=true`, `total`. `GET /incidents` filters on `created_at` in `[since, until)`;
without them it covers the last 30 days, and a range over 6 months is a 400.
# PagerDuty: https://developer.pagerduty.com/api-reference/9d0b4b12e36f9-list-incidents
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from integrations.simulator.faults import FaultRule, generic_fault
from integrations.simulator.messages import Request, Response, json_response
from integrations.simulator.pagerduty.world import PagerDutyWorld, parse
from integrations.simulator.provider import Provider
from integrations.simulator.ratelimit import RateBudget

OFFSET_CAP = 10_000
MAX_RANGE = timedelta(days=183)
_AUTH = re.compile(r"^\s*Token\s+token=(?P<token>\S+)\s*$")
_ONE = re.compile(r"^/(?P<kind>incidents|services)/(?P<id>[^/]+)$")


def _error(status: int, message: str, code: int, errors: list[str] | None = None) -> Response:
    body = {"error": {"message": message, "code": code, **({"errors": errors} if errors else {})}}
    return json_response(status, body)


class PagerDutyProvider(Provider):
    """Serves `world` like api.pagerduty.com. `token`: required API token (None: any).
    `rate_limit` requests per `rate_limit_window` seconds per token. `clock`: epoch seconds."""

    name = "pagerduty"

    def __init__(
        self,
        world: PagerDutyWorld,
        *,
        token: str | None = None,
        rate_limit: int = 960,
        rate_limit_window: float = 60.0,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.world = world
        self.token = token
        self.budget = RateBudget(rate_limit, rate_limit_window, clock)
        self._clock = clock

    def owns(self, path: str) -> bool:
        return path in ("/incidents", "/services") or _ONE.match(path) is not None

    def handle(self, request: Request) -> Response:
        match = _AUTH.match(request.headers.get("authorization", ""))
        if match is None or (self.token is not None and match["token"] != self.token):
            return _error(401, "Unauthorized", 2006)
        state = self.budget.peek(match["token"])
        if state.remaining == 0:
            headers = {
                "ratelimit-limit": str(state.limit),
                "ratelimit-remaining": "0",
                "ratelimit-reset": str(max(1, state.reset - int(self._clock()))),
            }
            response = _error(429, "Rate Limit Exceeded", 2020)
            response.headers.update(headers)
            return response
        self.budget.spend(match["token"])
        if request.path == "/incidents":
            return self._incidents(request)
        if request.path == "/services":
            items = [_service(i, n) for i, n in sorted(self.world.services.items())]
            return _paged(request, "services", items)
        one = _ONE.match(request.path)
        assert one is not None
        if one["kind"] == "services" and one["id"] in self.world.services:
            return json_response(
                200, {"service": _service(one["id"], self.world.services[one["id"]])}
            )
        if one["kind"] == "incidents" and one["id"] in self.world.incidents:
            return json_response(200, {"incident": self.world.incidents[one["id"]]})
        return _error(404, "Not Found", 2100)

    def fault_response(self, rule: FaultRule, request: Request) -> Response:
        """Injected faults: PagerDuty's error envelope for a plain status (a 429 carries no
        rate-limit headers unless the rule sets `retry_after`)."""
        if rule.kind == "" and rule.status is not None and rule.body is None:
            response = _error(
                rule.status,
                "Rate Limit Exceeded" if rule.status == 429 else "Error",
                2020 if rule.status == 429 else 0,
            )
            response.headers.update(rule.retry_after_header())
            return response
        return generic_fault(rule)

    def _incidents(self, request: Request) -> Response:
        until_text, since_text = request.param("until"), request.param("since")
        try:
            until = parse(until_text) if until_text else datetime.fromtimestamp(self._clock(), UTC)
            since = parse(since_text) if since_text else until - timedelta(days=30)
        except ValueError:
            return _error(400, "Invalid Input Provided", 2001, ["since/until: invalid date"])
        if until - since > MAX_RANGE:
            return _error(
                400, "Invalid Input Provided", 2001, ["Date range cannot be greater than 6 months"]
            )
        ids = [v for k, v in request.query if k == "service_ids[]"] or sorted(self.world.services)
        items = [i for s in ids for i in self.world.created_between(s, since, until)]
        if len(ids) > 1:
            items.sort(key=lambda i: (i["created_at"], i["id"]))
        return _paged(request, "incidents", items)


def _paged(request: Request, key: str, items: list) -> Response:
    try:
        limit = min(int(request.param("limit", "25") or 25), 100)
        offset = int(request.param("offset", "0") or 0)
    except ValueError:
        return _error(400, "Invalid Input Provided", 2001, ["limit/offset must be integers"])
    if offset + limit > OFFSET_CAP:
        return _error(
            400, "Invalid Input Provided", 2001, [f"Offset + limit must be at most {OFFSET_CAP}"]
        )
    body: dict = {
        key: items[offset : offset + limit],
        "limit": limit,
        "offset": offset,
        "more": offset + limit < len(items),
    }
    body["total"] = len(items) if request.param("total") == "true" else None
    return json_response(200, body)


def _service(service_id: str, name: str) -> dict:
    return {
        "id": service_id,
        "type": "service",
        "name": name,
        "summary": name,
        "self": f"https://api.pagerduty.com/services/{service_id}",
    }
