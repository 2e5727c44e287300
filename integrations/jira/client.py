"""Jira Cloud REST v3 client (one site per ``base_url``), returning typed records.

Search goes through ``GET /rest/api/3/search/jql`` with ``nextPageToken`` paging; the old
``/rest/api/3/search`` answers 410 and is never used. Basic auth with the account e-mail and an
API token. Rate limits: 429 (and 503, retried by the base client) with ``Retry-After``;
``X-RateLimit-Reset`` is an ISO 8601 timestamp.
# Jira: https://developer.atlassian.com/cloud/jira/platform/rest/v3/api-group-issue-search/#api-rest-api-3-search-jql-get
# Jira: https://developer.atlassian.com/cloud/jira/platform/rate-limiting/
"""

from __future__ import annotations

import base64
from collections.abc import Iterable, Iterator
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Unpack
from zoneinfo import ZoneInfo

import requests

from integrations.errors import MalformedResponseError
from integrations.http import BaseClient, ClientOptions, Page
from integrations.jira.records import ISSUE_FIELDS, JiraIssueRecord, parse_issue

SEARCH_PATH = "/rest/api/3/search/jql"
# One search may span the whole site (a first or full sync): 100,000 pages of 100 = 10M issues.
# The base client's default cap (10,000 pages) stopped a 1,000,000-issue site one page short.
SEARCH_MAX_PAGES = 100_000
DEFAULT_BACKOFF_SECONDS = 5.0
# Names under which Jira Cloud sites keep story points (company- and team-managed projects).
STORY_POINT_NAMES = ("story points", "story point estimate")


class JiraClient(BaseClient):
    """Jira Cloud REST v3.

    Args:
        base_url: the site, e.g. ``https://acme.atlassian.net``.
        email, token: basic auth (the token is redacted from every error message).
        clock: epoch seconds now (injectable), used with ``X-RateLimit-Reset``.
        page_size: ``maxResults`` of a search page (Jira returns at most 100 with fields).
        Other arguments: see :class:`integrations.http.BaseClient`.

    Raises (every method): the errors of :mod:`integrations.errors`.
    """

    provider = "Jira"

    def __init__(
        self,
        base_url: str,
        email: str,
        token: str,
        *,
        page_size: int = 100,
        **options: Unpack[ClientOptions],
    ) -> None:
        if not token or not email:
            raise ValueError("Jira needs an account e-mail and an API token")
        basic = base64.b64encode(f"{email}:{token}".encode()).decode()
        headers = {
            "Authorization": f"Basic {basic}",
            "Accept": "application/json",
            "User-Agent": "keel",
        }
        super().__init__(
            base_url,
            headers=headers,
            secrets=(token, basic),
            **options,
        )
        self.page_size = page_size
        self._strikes = 0

    # --- BaseClient hooks --------------------------------------------------------------------

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait after a 429: ``Retry-After``, else until ``X-RateLimit-Reset`` (ISO
        timestamp), else 5 s doubling on each repeat. None for any other status."""
        if response.status_code != 429:
            self._strikes = 0
            return None
        retry_after = self.retry_after(response)
        if retry_after is not None:
            return retry_after
        reset = response.headers.get("X-RateLimit-Reset")
        if reset:
            try:
                return max(datetime.fromisoformat(reset).timestamp() - self.clock(), 1.0)
            except ValueError:
                pass
        self._strikes += 1
        return DEFAULT_BACKOFF_SECONDS * 2.0 ** (self._strikes - 1)

    def next_url(self, response: requests.Response) -> str | None:
        """The same search with ``nextPageToken`` from the body; None when absent or isLast."""
        payload = response.json()
        token = payload.get("nextPageToken") if isinstance(payload, dict) else None
        if not token or payload.get("isLast") is True:
            return None
        return self.build_url(response.url, {"nextPageToken": token})

    def page_items(self, payload: Any, url: str) -> list[dict[str, Any]]:
        issues = payload.get("issues") if isinstance(payload, dict) else None
        if not isinstance(issues, list) or not all(isinstance(i, dict) for i in issues):
            raise MalformedResponseError(
                f"Jira: expected an object with an 'issues' array from {url}", url=url
            )
        return issues

    # --- endpoints ---------------------------------------------------------------------------

    def myself(self) -> dict[str, Any]:
        """``GET /rest/api/3/myself``: the API user (its ``timeZone`` is the zone JQL dates
        are read in)."""
        payload = self.get_json("/rest/api/3/myself")
        if not isinstance(payload, dict):
            raise MalformedResponseError("Jira: /myself is not an object", url=self.base_url)
        return payload

    def story_points_field_find(self) -> str:
        """The id of the site's story-points field (``GET /rest/api/3/field``, by name,
        case-insensitive), or "" when the site has none."""
        fields = self.get_json("/rest/api/3/field")
        if not isinstance(fields, list):
            raise MalformedResponseError("Jira: /field is not an array", url=self.base_url)
        for field in fields:
            if str(field.get("name", "")).strip().lower() in STORY_POINT_NAMES:
                return str(field["id"])
        return ""

    def search(self, jql: str, *, story_points_field: str = "") -> Iterator[Page[JiraIssueRecord]]:
        """Every page of a JQL search, the fields Keel needs named explicitly."""
        fields = ",".join([*ISSUE_FIELDS, *([story_points_field] if story_points_field else [])])
        params = {"jql": jql, "fields": fields, "maxResults": self.page_size}
        parse = partial(parse_issue, story_points_field=story_points_field)
        for page in self.paginate(SEARCH_PATH, params, max_pages=SEARCH_MAX_PAGES):
            records = [
                self.parse_item(parse, item, page.url, index, what="issue")
                for index, item in enumerate(page.items)
            ]
            yield Page(url=page.url, etag=page.etag, items=records)

    def issues_updated(
        self,
        project_keys: Iterable[str],
        *,
        since: datetime | None,
        tz: str = "UTC",
        overlap: timedelta = timedelta(minutes=5),
        story_points_field: str = "",
    ) -> Iterator[Page[JiraIssueRecord]]:
        """Issues of the projects, oldest update first; with ``since`` (aware) only those
        updated at or after ``since - overlap``, rendered in the API user's zone ``tz`` (JQL has
        minute precision and reads dates in that zone). Callers de-duplicate by issue id."""
        return self.search(
            issues_jql(project_keys, since=since, tz=tz, overlap=overlap),
            story_points_field=story_points_field,
        )


def issues_jql(
    project_keys: Iterable[str],
    *,
    since: datetime | None,
    tz: str = "UTC",
    overlap: timedelta = timedelta(minutes=5),
) -> str:
    """``project in ("A","B") [AND updated >= "yyyy/MM/dd HH:mm"] ORDER BY updated ASC``."""
    keys = ",".join(f'"{key}"' for key in sorted(project_keys))
    clauses = [f"project in ({keys})"]
    if since is not None:
        if since.tzinfo is None:
            raise ValueError("since must be an aware datetime")
        local = (since - overlap).astimezone(ZoneInfo(tz))
        clauses.append(f'updated >= "{local:%Y/%m/%d %H:%M}"')
    return " AND ".join(clauses) + " ORDER BY updated ASC"
