"""GitLab's rate limits: how long to wait after a 429, and before a request once the budget
is spent.

GitLab answers a request over a limit with 429 and ``Retry-After`` (seconds), and sends on
every response ``RateLimit-Limit``, ``RateLimit-Remaining`` and ``RateLimit-Reset`` (epoch
seconds when the budget refills).
# GitLab: https://docs.gitlab.com/ee/user/gitlab_com/index.html#gitlabcom-specific-rate-limits
# GitLab: https://docs.gitlab.com/ee/administration/settings/user_and_ip_rate_limits.html#response-headers
"""

from __future__ import annotations

from collections.abc import Callable

import requests

from integrations.http.retry import retry_after_seconds

DEFAULT_BACKOFF_SECONDS = 60.0


class GitLabRateLimits:
    """Waits read from GitLab's headers. ``clock`` gives epoch seconds (injectable).

    - A 429 waits ``Retry-After``; without it, until ``RateLimit-Reset`` (at least 1 s) when
      ``RateLimit-Remaining`` is 0; otherwise (another limit than the budget those headers
      count) 60 s, doubling on each repeat until a response that is not a 429.
    - Any other response with ``RateLimit-Remaining: 0`` makes :meth:`pause` return the seconds
      left until ``RateLimit-Reset``, so the next request waits for the refill instead of
      spending a request on a certain 429.
    """

    def __init__(self, clock: Callable[[], float]) -> None:
        self._clock = clock
        self._strikes = 0
        self._resume_at = 0.0

    def wait(self, response: requests.Response) -> float | None:
        """Seconds to wait before repeating a 429'd request; None for any other status."""
        headers = response.headers
        if response.status_code != 429:
            self._strikes = 0
            if headers.get("RateLimit-Remaining") == "0":
                self._resume_at = self._reset_at(headers.get("RateLimit-Reset")) or 0.0
            return None
        retry_after = retry_after_seconds(headers.get("Retry-After"), now=self._clock())
        if retry_after is not None:
            return retry_after
        reset = self._reset_at(headers.get("RateLimit-Reset"))
        if reset is not None and headers.get("RateLimit-Remaining") == "0":
            return max(reset - self._clock(), 1.0)
        self._strikes += 1
        return DEFAULT_BACKOFF_SECONDS * 2.0 ** (self._strikes - 1)

    def pause(self) -> float:
        """Seconds to hold the next request (0 unless the last response spent the budget)."""
        left = self._resume_at - self._clock()
        if left <= 0:
            self._resume_at = 0.0
            return 0.0
        return left

    def resumed(self) -> None:
        """The pause was waited out."""
        self._resume_at = 0.0

    @staticmethod
    def _reset_at(value: str | None) -> float | None:
        return float(value) if value and value.isdigit() else None
