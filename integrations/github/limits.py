"""GitHub's rate limits, read the same way by the REST and the GraphQL client.

# GitHub: https://docs.github.com/en/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit
# GitHub: https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from integrations.http.retry import retry_after_seconds

SECONDARY_BACKOFF_SECONDS = 60.0


class GitHubRateLimits:
    """How long to wait after a rate-limited response (primary or secondary limit).

    ``retry-after`` → that many seconds; ``x-ratelimit-remaining: 0`` → until
    ``x-ratelimit-reset`` (epoch seconds; at least 1 s); otherwise a 429, or a 403 whose
    message mentions a rate limit (secondary limit) → 60 s, doubling on each repeat until a
    response that is not rate limited. ``clock`` gives epoch seconds (injectable).
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._secondary_strikes = 0

    def wait(self, response: requests.Response) -> float | None:
        """Seconds to wait for a rate-limited 403/429, else None."""
        if response.status_code not in (403, 429):
            self._secondary_strikes = 0
            return None
        wait = self.header_wait(response)
        if wait is None and (response.status_code == 429 or _mentions_rate_limit(response)):
            return self.secondary_wait()
        self._secondary_strikes = 0
        return wait

    def secondary_wait(self) -> float:
        """60 s, doubled for each repeat since the last response that was not rate limited."""
        self._secondary_strikes += 1
        return SECONDARY_BACKOFF_SECONDS * 2.0 ** (self._secondary_strikes - 1)

    def header_wait(self, response: requests.Response) -> float | None:
        """Seconds from ``retry-after``, else from ``x-ratelimit-remaining: 0`` + reset."""
        headers = response.headers
        retry_after = retry_after_seconds(headers.get("retry-after"), now=self._clock())
        if retry_after is not None:
            return retry_after
        if headers.get("x-ratelimit-remaining") == "0":
            return self.reset_wait(headers.get("x-ratelimit-reset"))
        return None

    def reset_wait(self, reset: str | None) -> float | None:
        """Seconds until ``reset`` (epoch seconds as text; at least 1 s), None when invalid."""
        if reset and reset.isdigit():
            return max(int(reset) - self._clock(), 1.0)
        return None


def _mentions_rate_limit(response: requests.Response) -> bool:
    """True when the error body's message mentions a (secondary) rate limit."""
    try:
        payload = response.json()
    except ValueError:
        return "rate limit" in response.text[:1000].lower()
    message = payload.get("message") if isinstance(payload, dict) else None
    return "rate limit" in str(message or "").lower()
