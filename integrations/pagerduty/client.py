"""PagerDuty REST API v2 client on the shared base client, returning typed records.

# PagerDuty: https://developer.pagerduty.com/docs/rest-api-v2/rest-api (auth, versioning)
# Paging: https://developer.pagerduty.com/docs/rest-api-v2/pagination (limit/offset/more, and
#   classic pagination stops at offset + limit = 10,000)
# Rate limits: https://developer.pagerduty.com/docs/rest-api-v2/rate-limiting (429 with
#   `ratelimit-reset` in seconds; the headers may be missing)
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from typing import Any, TypeVar, Unpack
from urllib.parse import quote

import requests

from integrations.errors import MalformedResponseError
from integrations.http import BaseClient, ClientOptions, Page
from integrations.http.payloads import iso_utc
from integrations.pagerduty.records import (
    IncidentRecord,
    ServiceRecord,
    parse_incident,
    parse_service,
)

R = TypeVar("R")
OFFSET_CAP = 10_000  # PagerDuty: offset + limit may not exceed 10,000
MAX_WINDOW = timedelta(days=180)  # PagerDuty: since/until at most 6 months apart
NO_HEADER_WAIT_SECONDS = 60.0  # a 429 without headers: the limit is per minute


class PagerDutyClient(BaseClient):
    """PagerDuty REST v2 client.

    Args:
        base_url: ``https://api.pagerduty.com`` (or the simulator's URL).
        token: an API token, sent as ``Authorization: Token token=...``; redacted from errors.
        limit: page size (PagerDuty allows at most 100).
        Other arguments: see :class:`integrations.http.BaseClient`.

    Raises (every method): the errors of :mod:`integrations.errors`.
    """

    provider = "PagerDuty"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        limit: int = 100,
        **options: Unpack[ClientOptions],
    ) -> None:
        if not token:
            raise ValueError("PagerDuty token is empty")
        headers = {
            "Authorization": f"Token token={token}",
            "Accept": "application/vnd.pagerduty+json;version=2",
            "User-Agent": "keel",
        }
        super().__init__(
            base_url,
            headers=headers,
            secrets=(token,),
            **options,
        )
        self.limit = limit

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        """429 → ``ratelimit-reset`` seconds, else ``retry-after`` (seconds or an HTTP-date), else
        60 s; otherwise None."""
        if response.status_code != 429:
            return None
        reset = response.headers.get("ratelimit-reset", "").strip()
        try:
            return max(float(reset), 0.0)
        except ValueError:
            pass
        retry_after = self.retry_after(response)
        return NO_HEADER_WAIT_SECONDS if retry_after is None else retry_after

    # --- endpoints ---------------------------------------------------------------------------

    def get_service(self, service_id: str) -> ServiceRecord:
        """``GET /services/{id}``; NotFoundError for an id PagerDuty does not know."""
        url = self.build_url(f"/services/{quote(service_id, safe='')}")
        return self.parse_item(parse_service, self._object(url, "service"), url)

    def list_services(self) -> Iterator[Page[ServiceRecord]]:
        """``GET /services``, every page."""
        return self._offset_pages("/services", {}, "services", parse_service)

    def get_incident(self, incident_id: str) -> IncidentRecord:
        """``GET /incidents/{id}`` (re-reads an incident that was open at the last sync)."""
        url = self.build_url(f"/incidents/{quote(incident_id, safe='')}")
        return self.parse_item(parse_incident, self._object(url, "incident"), url)

    def list_incidents(
        self, service_id: str, *, since: datetime, until: datetime
    ) -> Iterator[Page[IncidentRecord]]:
        """Incidents of one service created in ``[since, until)`` (aware), oldest first.

        The range is cut into windows of at most 180 days; a window holding more than the
        10,000 records classic paging can reach (``total=true`` on its first page says so) is
        halved until each half fits.
        """
        if since.tzinfo is None or until.tzinfo is None:
            raise ValueError("since/until must be aware datetimes")
        start = since
        while start < until:
            end = min(start + MAX_WINDOW, until)
            yield from self._window(service_id, start, end)
            start = end

    # --- internals ---------------------------------------------------------------------------

    def _window(self, service_id: str, since: datetime, until: datetime) -> Iterator[Page]:
        params = {
            "service_ids[]": service_id,
            "since": iso_utc(since),
            "until": iso_utc(until),
            "sort_by": "created_at:asc",
            "time_zone": "UTC",
        }
        first = self.get_json(
            "/incidents", {**params, "total": True, "limit": self.limit, "offset": 0}
        )
        total = first.get("total") if isinstance(first, dict) else None
        if isinstance(total, int) and total > OFFSET_CAP and until - since > timedelta(seconds=2):
            middle = since + timedelta(seconds=int((until - since).total_seconds()) // 2)
            yield from self._window(service_id, since, middle)
            yield from self._window(service_id, middle, until)
            return
        yield from self._offset_pages(
            "/incidents", params, "incidents", parse_incident, first=first
        )

    def _offset_pages(
        self,
        path: str,
        params: dict[str, Any],
        key: str,
        parse: Callable[[dict], R],
        first: Any = None,
    ) -> Iterator[Page[R]]:
        offset = 0
        while True:
            query = {**params, "limit": self.limit, "offset": offset}
            url = self.build_url(path, query)
            payload = first if first is not None else self.get_json(path, query)
            first = None
            items = self.page_items(_field(payload, key, url), url)
            records = [self.parse_item(parse, item, url, index) for index, item in enumerate(items)]
            yield Page(url=url, etag=None, items=records)
            offset += len(items)
            if not payload.get("more") or not items:
                return
            if offset + self.limit > OFFSET_CAP:
                raise MalformedResponseError(
                    f"PagerDuty: more than {OFFSET_CAP} records at {url}", url=url
                )

    def _object(self, url: str, key: str) -> dict:
        item = _field(self.get_json(url), key, url)
        if not isinstance(item, dict):
            raise MalformedResponseError(f"PagerDuty: expected an object {key!r} at {url}", url=url)
        return item


def _field(payload: Any, key: str, url: str) -> Any:
    if not isinstance(payload, dict) or key not in payload:
        raise MalformedResponseError(f"PagerDuty: no {key!r} in the response from {url}", url=url)
    return payload[key]
