"""Provider-independent request/response values of the simulator's HTTP core.

Providers (GitHub today; Jira and PagerDuty later) receive a parsed `Request` and return a
`Response`; the server in `server.py` does the socket work. Nothing here knows about a provider.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

JSON_TYPE = "application/json; charset=utf-8"
HTML_TYPE = "text/html; charset=utf-8"


@dataclass(frozen=True)
class Request:
    """One parsed HTTP request.

    `target` is the raw request target (path + "?" + query, as sent); `query` holds the
    decoded parameters in the order sent (repeats kept); `headers` has lower-case names;
    `base_url` is "http://<Host header>" so absolute links point back at this server.
    """

    method: str
    target: str
    path: str
    query: list[tuple[str, str]]
    headers: dict[str, str]
    base_url: str
    body: bytes = b""

    @classmethod
    def parse(
        cls,
        method: str,
        target: str,
        headers: dict[str, str],
        default_base: str,
        body: bytes = b"",
    ) -> Request:
        """Build a Request from the raw request line target, (any-case) header names and the
        request body (POST)."""
        parts = urlsplit(target)
        lowered = {k.lower(): v for k, v in headers.items()}
        host = lowered.get("host")
        return cls(
            method=method.upper(),
            target=target,
            path=parts.path or "/",
            query=parse_qsl(parts.query, keep_blank_values=True),
            headers=lowered,
            base_url=f"http://{host}" if host else default_base,
            body=body,
        )

    def param(self, name: str, default: str | None = None) -> str | None:
        """The last value of query parameter `name` (as most web frameworks do), or `default`."""
        value = default
        for key, item in self.query:
            if key == name:
                value = item
        return value

    def query_dict(self) -> dict[str, str]:
        """Query parameters as a plain dict (last value wins)."""
        return dict(self.query)


@dataclass
class Response:
    """An HTTP response to send: status code, raw body bytes and headers (name -> value)."""

    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        """Case-insensitive header lookup."""
        for key, value in self.headers.items():
            if key.lower() == name.lower():
                return value
        return None

    def drop_header(self, name: str) -> None:
        """Remove a header, whatever its case."""
        for key in [k for k in self.headers if k.lower() == name.lower()]:
            del self.headers[key]


def dump_json(data: Any) -> bytes:
    """Compact UTF-8 JSON, as REST APIs send it on the wire."""
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def json_response(status: int, data: Any, headers: dict[str, str] | None = None) -> Response:
    """A JSON response with the right content type."""
    merged = {"content-type": JSON_TYPE, **(headers or {})}
    return Response(status=status, body=dump_json(data), headers=merged)


def html_response(status: int, html: str, headers: dict[str, str] | None = None) -> Response:
    """An HTML response (proxies, login pages and error pages send these)."""
    merged = {"content-type": HTML_TYPE, **(headers or {})}
    return Response(status=status, body=html.encode("utf-8"), headers=merged)


def weak_etag(body: bytes) -> str:
    """A weak entity tag over the body: `W/"<sha256 hex>"` (GitHub's format)."""
    return f'W/"{hashlib.sha256(body).hexdigest()}"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an `If-None-Match` header value against `etag`.

    Accepts `*`, a comma-separated list, and strong or weak forms of the same tag.
    """
    if not if_none_match:
        return False
    wanted = _opaque(etag)
    for candidate in if_none_match.split(","):
        candidate = candidate.strip()
        if candidate == "*" or _opaque(candidate) == wanted:
            return True
    return False


def _opaque(tag: str) -> str:
    return tag[2:] if tag.startswith("W/") else tag
