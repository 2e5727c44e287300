"""Value types shared by every provider client: request counters and list pages."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Generic, TypedDict, TypeVar

T = TypeVar("T")
Sleep = Callable[[float], None]
OnRequest = Callable[[str, int], None]


class ClientOptions(TypedDict, total=False):
    """The settings a provider client passes on to BaseClient unchanged (their meaning and
    defaults: :class:`integrations.http.BaseClient`): timeout and max_wait in seconds, sleep
    and clock injectable for tests, on_request called with (url, status) per response."""

    timeout: float
    max_retries: int
    backoff_factor: float
    max_wait: float
    sleep: Sleep
    clock: Callable[[], float]
    on_request: OnRequest | None


@dataclass
class ClientStats:
    """What a client really did. ``requests`` counts every HTTP request sent, retries included;
    ``rate_limit_wait_seconds`` is the total slept for rate limits, in seconds; ``points`` the
    points a points-based API (GitHub GraphQL) charged."""

    requests: int = 0
    not_modified: int = 0
    rate_limit_waits: int = 0
    rate_limit_wait_seconds: float = 0.0
    retries: int = 0
    points: int = 0  # rate-limit points spent (GitHub GraphQL's ``rateLimit.cost``), summed


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list endpoint.

    ``url`` is the full URL requested, query params sorted so it is stable (the key under which
    a sync stores ``etag`` for its next conditional request). ``not_modified`` is True when the
    server answered 304 to ``If-None-Match``; ``items`` is then empty.
    """

    url: str
    etag: str | None
    items: list[T]
    not_modified: bool = False
