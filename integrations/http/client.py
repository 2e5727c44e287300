"""BaseClient: session, timeouts, retries, rate-limit waits and paging for provider clients.

Each provider package subclasses :class:`BaseClient` and overrides three hooks:
``rate_limit_wait(response)``, ``next_url(response)`` and ``page_items(payload, url)``.
Upstream failures are mapped once, here, to :mod:`integrations.errors`:

* 5xx (500, 502, 503, 504), connect and read errors → retried by urllib3's ``Retry`` with
  exponential backoff, at most ``max_retries`` times, then :class:`RetryExhaustedError`;
* rate limits → the provider hook says how long to wait; BaseClient sleeps and repeats, or raises
  :class:`RateLimitExceeded` when asked to wait longer than ``max_wait``;
* 401 / 403 → :class:`AuthError`, 404 → :class:`NotFoundError`, other 4xx → :class:`UpstreamError`,
  a body that is not JSON → :class:`MalformedResponseError`.

Django-free by design (an import contract in pyproject.toml: ``integrations/*`` never imports
Django).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import Any, TypeVar
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.util.retry import Retry

from integrations.errors import (
    AuthError,
    MalformedResponseError,
    NotFoundError,
    RateLimitExceeded,
    RetryExhaustedError,
    UpstreamError,
)
from integrations.http.payloads import error_detail, item_parse, json_decode, next_page_url
from integrations.http.retry import RETRY_STATUSES, CountingRetry, retry_after_seconds
from integrations.http.session import environment_once
from integrations.http.types import ClientStats, OnRequest, Page, Sleep

logger = logging.getLogger(__name__)
R = TypeVar("R")

# Errors after which the bounded urllib3 retries have already been spent.
_TRANSPORT_ERRORS = (
    requests.exceptions.ConnectionError,
    requests.exceptions.Timeout,
    requests.exceptions.RetryError,
    requests.exceptions.ChunkedEncodingError,
)
# 403 reaches this mapping only when rate_limit_wait() said it is not a rate limit.
_STATUS_ERRORS: dict[int, tuple[type[UpstreamError], str]] = {
    401: (AuthError, "token rejected"),
    403: (AuthError, "forbidden"),
    404: (NotFoundError, "not found"),
}


class BaseClient:
    """Session, timeouts, retries, rate-limit waits and paging shared by provider clients.

    Args:
        base_url: API root; paths are appended to it (a trailing slash is ignored).
        headers: sent with every request (e.g. Authorization).
        secrets: strings redacted from every error message (tokens).
        timeout: seconds per HTTP request (connect and read).
        max_retries: bound on urllib3 retries for 5xx / connect / read errors.
        backoff_factor: urllib3 exponential backoff factor, seconds (0 = no backoff).
        max_wait: longest rate-limit wait accepted, seconds; longer → RateLimitExceeded.
        sleep: called with seconds for every wait (injectable for tests).
        on_request: called with (url, status) after every response, for progress display.
        clock: epoch seconds now (injectable), for rate-limit headers that name an instant.
    """

    provider = "upstream"
    max_rate_limit_waits = 10  # per request, then RateLimitExceeded
    #: Statuses urllib3 retries with backoff; a subclass may take some out to handle them itself.
    retry_statuses: frozenset[int] = RETRY_STATUSES
    #: Methods urllib3 may retry: idempotent ones, plus POST for a client whose POSTs only read
    #: (a GraphQL query).
    retry_methods: frozenset[str] = Retry.DEFAULT_ALLOWED_METHODS

    def __init__(
        self,
        base_url: str,
        *,
        headers: Mapping[str, str] | None = None,
        secrets: Sequence[str] = (),
        timeout: float = 30.0,
        max_retries: int = 5,
        backoff_factor: float = 0.5,
        max_wait: float = 900.0,
        sleep: Sleep = time.sleep,
        on_request: OnRequest | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.clock = clock
        self.timeout = timeout
        self.max_wait = max_wait
        self.stats = ClientStats()
        self._sleep = sleep
        self._on_request = on_request
        self._secrets = tuple(secret for secret in secrets if secret)
        retry = CountingRetry(
            total=max_retries,
            other=0,
            status_forcelist=self.retry_statuses,
            allowed_methods=self.retry_methods,
            backoff_factor=backoff_factor,
            retry_after_max=int(Retry.DEFAULT_BACKOFF_MAX),
            stats=self.stats,
            sleep=sleep,
        )
        self.session = requests.Session()
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("https://", adapter)
        self.session.mount("http://", adapter)
        self.session.headers.update(headers or {})
        environment_once(self.session, self.base_url)

    def __enter__(self) -> BaseClient:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the pooled connections."""
        self.session.close()

    # --- hooks -------------------------------------------------------------------------------

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait before repeating a rate-limited request, or None if not rate-limited."""
        return None

    def next_url(self, response: requests.Response) -> str | None:
        """URL of the page after ``response``, or None on the last page."""
        return None

    def page_items(self, payload: Any, url: str) -> list[dict[str, Any]]:
        """The items of one page. Default: the payload must be a JSON array of objects.

        Raises: MalformedResponseError naming ``url`` when it is not.
        """
        if not isinstance(payload, list):
            raise MalformedResponseError(
                f"{self.provider}: expected a JSON array of objects from {url}, "
                f"got {type(payload).__name__}",
                url=url,
            )
        for index, item in enumerate(payload):
            if not isinstance(item, dict):
                raise MalformedResponseError(
                    f"{self.provider}: expected a JSON array of objects from {url}, "
                    f"got {type(item).__name__} at item #{index}",
                    url=url,
                )
        return payload

    # --- helpers for the hooks and endpoints of provider clients -----------------------------

    def retry_after(self, response: requests.Response) -> float | None:
        """Seconds the response's ``Retry-After`` asks to wait (either form), or None."""
        return retry_after_seconds(response.headers.get("Retry-After"), now=self.clock())

    def parse_item(
        self, parse: Callable[[Any], R], item: Any, url: str, index: int | None = None, **kw: str
    ) -> R:
        """:func:`integrations.http.payloads.item_parse` under this client's provider name."""
        return item_parse(self.provider, parse, item, url=url, index=index, **kw)

    # --- public API --------------------------------------------------------------------------

    def build_url(self, path: str, params: Mapping[str, Any] | None = None) -> str:
        """Full URL for ``path`` (relative to base_url, or absolute), params merged and sorted.

        None-valued params are left out; booleans become ``true``/``false``.
        """
        if not path.startswith(("http://", "https://")):
            path = f"{self.base_url}/{path.lstrip('/')}"
        parts = urlsplit(path)
        extra = {k: _param(v) for k, v in (params or {}).items() if v is not None}
        pairs = parse_qsl(parts.query, keep_blank_values=True)
        query = [(k, v) for k, v in pairs if k not in extra]
        query = sorted([*query, *extra.items()])
        return urlunsplit(parts._replace(query=urlencode(query, safe=":")))

    def get_json(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        """GET one resource and return its decoded JSON body. Raises integrations.errors.*."""
        url = self.build_url(path, params)
        return self._json(self._request(url), url)

    def post_json(self, path: str, payload: Any) -> tuple[Any, requests.Response]:
        """POST ``payload`` as JSON and return (decoded JSON body, response), through the same
        rate-limit waits, retries and error mapping as a GET. Raises integrations.errors.*."""
        url = self.build_url(path)
        response = self._request(url, body=payload)
        return self._json(response, url), response

    def get_page(
        self, path: str, params: Mapping[str, Any] | None = None, etag: str | None = None
    ) -> Page[dict[str, Any]]:
        """GET one list page; with ``etag`` sends ``If-None-Match`` (304 → not_modified page)."""
        return self._fetch_page(self.build_url(path, params), etag)[0]

    def paginate(
        self,
        path: str,
        params: Mapping[str, Any] | None = None,
        *,
        etag: str | None = None,
        max_pages: int = 10_000,
    ) -> Iterator[Page[dict[str, Any]]]:
        """Yield pages lazily (a page is requested only when the caller asks for it).

        ``etag`` is sent for the first page only; a 304 yields one not-modified page and stops.
        Raises UpstreamError if more than ``max_pages`` pages would be needed (a cap that
        guards against a next link that never ends; the list would otherwise be incomplete),
        MalformedResponseError for a next link to another host.
        """
        url = self.build_url(path, params)
        for index in range(max_pages):
            page, response = self._fetch_page(url, etag if index == 0 else None)
            yield page
            following = None if page.not_modified else self.next_url(response)
            if following is None:
                return
            url = next_page_url(
                self.build_url(following),
                link=following,
                current=url,
                base_url=self.base_url,
                provider=self.provider,
            )
        raise UpstreamError(f"{self.provider}: more than {max_pages} pages, next {url}", url=url)

    def get_record(self, path: str, parse: Callable[[dict[str, Any]], R]) -> R:
        """GET one JSON object and ``parse`` it into a record. MalformedResponseError naming
        the URL when the body is not an object or ``parse`` rejects it."""
        url = self.build_url(path)
        payload = self.get_json(path)
        if not isinstance(payload, dict):
            raise MalformedResponseError(
                f"{self.provider}: expected a JSON object from {url}, got {type(payload).__name__}",
                url=url,
            )
        return self.parse_item(parse, payload, url)

    def paginate_records(
        self,
        path: str,
        params: Mapping[str, Any],
        parse: Callable[[dict[str, Any]], R],
        *,
        etag: str | None = None,
        keep: Callable[[dict[str, Any]], bool] | None = None,
    ) -> Iterator[Page[R]]:
        """:meth:`paginate`, each page's items (those ``keep`` accepts) parsed into records;
        an item ``parse`` rejects is a MalformedResponseError naming the URL and its index."""
        for page in self.paginate(path, params, etag=etag):
            records = [
                self.parse_item(parse, item, page.url, index)
                for index, item in enumerate(page.items)
                if keep is None or keep(item)
            ]
            yield Page(url=page.url, etag=page.etag, items=records, not_modified=page.not_modified)

    # --- internals ---------------------------------------------------------------------------

    def _fetch_page(
        self, url: str, etag: str | None
    ) -> tuple[Page[dict[str, Any]], requests.Response]:
        response = self._request(url, etag)
        if response.status_code == 304:
            self.stats.not_modified += 1
            etag = response.headers.get("ETag") or etag
            return Page(url=url, etag=etag, items=[], not_modified=True), response
        items = self.page_items(self._json(response, url), url)
        return Page(url=url, etag=response.headers.get("ETag"), items=items), response

    def _request(self, url: str, etag: str | None = None, body: Any = None) -> requests.Response:
        """GET ``url`` (POST ``body`` as JSON when given) through rate-limit waits; return a
        2xx/304 response or raise."""
        headers = {"If-None-Match": etag} if etag else {}
        waits = 0
        while True:
            response = self._send(url, headers, body)
            seconds = self.rate_limit_wait(response)
            if seconds is None:
                return self._check_status(response, url)
            if waits >= self.max_rate_limit_waits:
                raise RateLimitExceeded(
                    f"{self.provider}: still rate limited after {waits} waits at {url}",
                    url=url,
                    status=response.status_code,
                    wait_seconds=seconds,
                )
            self._wait_for_rate_limit(seconds, url, response.status_code)
            waits += 1

    def _send(self, url: str, headers: Mapping[str, str], body: Any = None) -> requests.Response:
        """One GET (or a POST of ``body`` as JSON), urllib3 retries included; counts every
        HTTP request sent."""
        before = self.stats.requests
        method = "GET" if body is None else "POST"
        try:
            response = self.session.request(
                method, url, headers=dict(headers), json=body, timeout=self.timeout
            )
        except _TRANSPORT_ERRORS as exc:
            self.stats.requests = max(self.stats.requests, before + 1)
            attempts = self.stats.requests - before
            message = f"{self.provider}: {method} {url} failed after {attempts} attempt(s): {exc}"
            raise RetryExhaustedError(self._redact(message)[:500], url=url) from exc
        self.stats.requests += 1 + len(response.history)  # redirects are requests too
        logger.debug("%s %s -> %s", method, url, response.status_code)
        if self._on_request is not None:
            self._on_request(url, response.status_code)
        return response

    def _wait_for_rate_limit(self, seconds: float, url: str, status: int) -> None:
        if seconds > self.max_wait:
            raise RateLimitExceeded(
                f"{self.provider}: rate limited at {url}; asked to wait {seconds:.0f} s, "
                f"more than max_wait {self.max_wait:.0f} s",
                url=url,
                status=status,
                wait_seconds=seconds,
            )
        logger.info("%s rate limit (HTTP %s): waiting %.1f s", self.provider, status, seconds)
        self._sleep(seconds)
        self.stats.rate_limit_waits += 1
        self.stats.rate_limit_wait_seconds += seconds

    def _check_status(self, response: requests.Response, url: str) -> requests.Response:
        status = response.status_code
        if status < 400:
            return response
        error, what = _STATUS_ERRORS.get(status, (UpstreamError, "request failed"))
        detail = self._redact(error_detail(response))
        message = f"{self.provider}: {what} (HTTP {status}) at {url}{detail}"
        raise error(message, url=url, status=status)

    def _json(self, response: requests.Response, url: str) -> Any:
        return json_decode(response, url=url, provider=self.provider)

    def _redact(self, text: str) -> str:
        for secret in self._secrets:
            text = text.replace(secret, "[redacted]")
        return text


def _param(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)
