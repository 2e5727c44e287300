"""Upstream errors, mapped once for every provider client: an auth error is not retried, a rate
limit is waited out, a 5xx or a timeout is retried with backoff.

Every exception carries the URL that failed and the HTTP status (``None`` when no response was
received). Messages are shown to users and stored on sync runs, so they must never contain a
token or an ``Authorization`` header: clients build them from the URL, the status and the
provider's own error message only, and redact their secrets before raising.
"""

from __future__ import annotations


class UpstreamError(Exception):
    """An upstream API call failed.

    Attributes:
        url: the full URL requested (query string included, no credentials).
        status: the HTTP status of the last response, or None when none was received.
    """

    def __init__(self, message: str, *, url: str, status: int | None = None) -> None:
        super().__init__(message)
        self.url = url
        self.status = status


class AuthError(UpstreamError):
    """401 (the token was rejected) or 403 that is not a rate limit (forbidden).

    Not retried: a new token or new permissions are needed, so the user must be told.
    """


class NotFoundError(UpstreamError):
    """404: the resource does not exist, or the token may not see it."""


class RateLimitExceeded(UpstreamError):
    """The provider asks to wait longer than the client's ``max_wait`` (seconds).

    Attributes:
        wait_seconds: how long the provider asked to wait, in seconds.
    """

    def __init__(
        self, message: str, *, url: str, status: int | None = None, wait_seconds: float = 0.0
    ) -> None:
        super().__init__(message, url=url, status=status)
        self.wait_seconds = wait_seconds


class MalformedResponseError(UpstreamError):
    """The body is not valid JSON, or not the shape the endpoint documents."""


class RetryExhaustedError(UpstreamError):
    """5xx responses, timeouts or connection errors persisted through the bounded retries."""
