"""Fault injection shared by every simulated provider.

A `FaultRule` says which requests (a regex searched in "path?query") get which failure, and how
many times. `FaultSet` is the thread-safe list the server consults once per request; the first
rule that matches and still has uses left is consumed. How a fault becomes a response is up to
the provider (GitHub answers a secondary rate limit differently from Jira); `generic_fault`
is the fallback every provider can use.
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field

from integrations.simulator.messages import Response, html_response, json_response

KINDS = frozenset({"", "secondary", "slow", "malformed", "html"})

_PROXY_PAGE = (
    "<html>\r\n<head><title>{status} {reason}</title></head>\r\n<body>\r\n"
    "<center><h1>{status} {reason}</h1></center>\r\n<hr><center>nginx</center>\r\n"
    "</body>\r\n</html>\r\n"
)
LOGIN_PAGE = (
    '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
    '<title>Sign in</title></head><body><form action="/session" method="post">'
    '<input name="login"><input name="password" type="password"></form></body></html>\n'
)
_REASONS = {
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Time-out",
    429: "Too Many Requests",
    403: "Forbidden",
}


@dataclass
class FaultRule:
    """One injected failure.

    - `path`: regex, searched (not matched) in the raw request target "path?query".
    - `status`: answer with this status instead of the real response (e.g. 429, 500, 502, 503).
    - `retry_after`: seconds, sent as the `retry-after` header (formatted with `:g`, so 1.0 -> "1"
      and 0.2 -> "0.2"; real servers send whole seconds).
    - `times`: how many matching requests get the fault; -1 = forever.
    - `delay`: seconds to sleep before answering (any kind; `kind="slow"` then serves normally).
    - `body`: exact body to send instead of the default one (JSON if it starts with { or [).
    - `kind`: "" (plain status / delay), "secondary" (provider's secondary rate limit, 403 unless
      `status` says otherwise), "slow", "malformed" (200 with a truncated JSON body and no ETag),
      "html" (200 with an HTML login page).
    - `skip`: how many matching requests to let through untouched first (the second page of a
      list whose requests all have the same target, as GraphQL's `POST /graphql`).
    `hits` counts how many requests this rule has answered.
    """

    path: str
    status: int | None = None
    retry_after: float | None = None
    times: int = 1
    delay: float = 0.0
    body: str | None = None
    kind: str = ""
    skip: int = 0
    hits: int = field(default=0, init=False)

    def __post_init__(self) -> None:
        if self.kind not in KINDS:
            raise ValueError(f"unknown fault kind {self.kind!r}; expected one of {sorted(KINDS)}")
        self._pattern = re.compile(self.path)

    @property
    def replaces_response(self) -> bool:
        """True when the fault answers instead of the provider (not slow / malformed / no-op)."""
        if self.kind in ("secondary", "html"):
            return True
        return self.kind == "" and self.status is not None

    def matches(self, target: str) -> bool:
        """True when the rule still has uses left and its regex is found in `target`."""
        return self.times != 0 and self._pattern.search(target) is not None

    def retry_after_header(self) -> dict[str, str]:
        """`{"retry-after": "<seconds>"}` when `retry_after` is set, else `{}`."""
        if self.retry_after is None:
            return {}
        return {"retry-after": f"{self.retry_after:g}"}


class FaultSet:
    """Thread-safe, ordered collection of `FaultRule`s."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []

    def add(self, rule: FaultRule) -> FaultRule:
        """Append a rule (checked after the ones already added) and return it."""
        with self._lock:
            self._rules.append(rule)
        return rule

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """A snapshot of the current rules (exhausted ones are removed)."""
        with self._lock:
            return list(self._rules)

    def take(self, target: str) -> FaultRule | None:
        """Consume one use of the first live rule whose regex is found in `target`."""
        with self._lock:
            for rule in self._rules:
                if rule.matches(target) and rule.skip > 0:
                    rule.skip -= 1
                elif rule.matches(target):
                    rule.hits += 1
                    if rule.times > 0:
                        rule.times -= 1
                    if rule.times == 0:
                        self._rules.remove(rule)
                    return rule
        return None


def generic_fault(rule: FaultRule) -> Response:
    """Default response for a fault that replaces the real one.

    502/504 get an nginx-style HTML page (what a proxy in front of an API sends); other statuses
    a JSON `{"message": <reason>}`; `kind="html"` a 200 login page. `rule.body` overrides.
    """
    status = rule.status or (403 if rule.kind == "secondary" else 200)
    headers = rule.retry_after_header()
    if rule.body is not None:
        if rule.body.lstrip().startswith(("{", "[")):
            response = json_response(status, None, headers)
            response.body = rule.body.encode("utf-8")
            return response
        return html_response(status, rule.body, headers)
    if rule.kind == "html":
        return html_response(status, LOGIN_PAGE, headers)
    reason = _REASONS.get(status, "Error")
    if status in (502, 504):
        return html_response(status, _PROXY_PAGE.format(status=status, reason=reason), headers)
    return json_response(status, {"message": reason}, headers)


def truncate_body(response: Response) -> Response:
    """Make `response` malformed: cut its body in half (invalid JSON) and drop the ETag."""
    cut = max(1, len(response.body) // 2)
    response.body = response.body[:cut] if len(response.body) > 1 else b"{"
    response.drop_header("etag")
    return response
