"""GitHub GraphQL client: pull requests with their detail, in as few points as GitHub allows.

``POST {base}/graphql`` (GitHub Enterprise Server: ``https://HOST/api/graphql``) on the shared
base client. Queries are the ``.graphql`` files in ``queries/`` next to this module.

Errors, mapped once (GitHub answers most of them with HTTP 200 and an ``errors`` list):
- ``RATE_LIMITED`` (primary limit spent; ``x-ratelimit-remaining: 0``) → wait until
  ``x-ratelimit-reset``, then repeat; before a query, ``rateLimit.remaining`` of the last
  answer below its cost → wait until ``rateLimit.resetAt``. Waits longer than ``max_wait`` →
  RateLimitExceeded. Secondary limits (403/429, ``Retry-After``) as the REST client.
- a 502/504 or ``RESOURCE_LIMITS_EXCEEDED`` / ``MAX_NODE_LIMIT_EXCEEDED`` (the query timed out
  or was too big) → repeated with half the page size, down to 1;
- ``NOT_FOUND`` on the repository → NotFoundError; ``FORBIDDEN`` on it → AuthError;
- ``FORBIDDEN``/``NOT_FOUND`` on an item inside a pull request (a linked issue of a private
  repository the token may not read) → that item is left out (its node is null);
- any other error, with or without partial ``data`` → UpstreamError naming the messages and
  paths: nothing of that page is returned, so the sync's cursor stays before it.
# GitHub: https://docs.github.com/en/graphql/overview/rate-limits-and-node-limits-for-the-graphql-api
# GitHub: https://docs.github.com/en/graphql/guides/using-pagination-in-the-graphql-api
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime
from functools import cache, partial
from pathlib import Path
from typing import Any, Unpack

import requests
from urllib3.util.retry import Retry

from integrations.errors import (
    AuthError,
    MalformedResponseError,
    NotFoundError,
    RateLimitExceeded,
    UpstreamError,
)
from integrations.github.detail import PullDetailRecord
from integrations.github.graphql_nodes import CONNECTIONS, PullAssembly, pull_assembly
from integrations.github.limits import GitHubRateLimits
from integrations.http import RETRY_STATUSES, BaseClient, ClientOptions, Page
from integrations.http.fields import parse_time
from integrations.http.payloads import PARSE_ERRORS, item_error

logger = logging.getLogger(__name__)
QUERIES = Path(__file__).with_name("queries")
#: Pull requests per page. GitHub charges (1 + page × nested connections) / 100 points,
#: rounded, at least 1: with the 6 nested connections of pull_requests.graphql a page of 24
#: costs 1 point (docs/performance.md, "GitHub GraphQL").
PAGE_SIZE = 24
#: Nested pages read by one query (one alias each, one point for up to 149 of them).
BATCH_SIZE = 100
#: Pages of pull requests held back (at most) while their nested pages are gathered, so that
#: one query reads the further pages of several pages' big PRs.
HOLD_PAGES = 8
TOO_BIG = frozenset({"RESOURCE_LIMITS_EXCEEDED", "MAX_NODE_LIMIT_EXCEEDED"})
TOLERATED = frozenset({"FORBIDDEN", "NOT_FOUND"})


class QueryTooBig(UpstreamError):
    """GitHub gave up on the query (502/504, a resource or node limit): ask for less."""


def graphql_url(base_url: str) -> str:
    """The GraphQL endpoint of a REST base URL: ``https://api.github.com/graphql``, or
    ``https://HOST/api/graphql`` for GitHub Enterprise Server's ``https://HOST/api/v3``."""
    base = base_url.rstrip("/")
    return f"{base[: -len('/v3')]}/graphql" if base.endswith("/api/v3") else f"{base}/graphql"


@cache
def query_text(name: str) -> str:
    """The text of ``queries/<name>.graphql``."""
    return (QUERIES / f"{name}.graphql").read_text(encoding="utf-8")


@cache
def fragments() -> dict[str, str]:
    """Fragment name → its text, from ``queries/pull_request_connections.graphql``."""
    blocks = query_text("pull_request_connections").split("\nfragment ")[1:]
    return {block.split()[0]: f"fragment {block.strip()}\n" for block in blocks}


def pull_requests_document() -> str:
    """The page query: ``pull_requests.graphql`` with every fragment it uses."""
    return query_text("pull_requests") + "\n" + "\n".join(fragments().values())


def pages_document(wanted: list[tuple[int, str, str]]) -> str:
    """A query reading the next page of each (PR number, connection, cursor), one alias each
    (``p0``, ``p1``, ...), with only the fragments it uses (GitHub rejects unused ones)."""
    lines = [
        f"    p{i}: pullRequest(number: {int(number)}) {{ {connection}(first: 100, "
        f"after: {json.dumps(cursor)}) {{ ...{CONNECTIONS[connection]} }} }}"
        for i, (number, connection, cursor) in enumerate(wanted)
    ]
    used = sorted({CONNECTIONS[connection] for _, connection, _ in wanted})
    head = (
        "query PullRequestPages($owner: String!, $name: String!) {\n"
        "  rateLimit { cost remaining resetAt }\n"
        "  repository(owner: $owner, name: $name) {\n"
    )
    return head + "\n".join(lines) + "\n  }\n}\n" + "\n".join(fragments()[f] for f in used)


class GitHubGraphQLClient(BaseClient):
    """GitHub GraphQL API client. Arguments as :class:`integrations.github.GitHubClient`;
    ``page_size`` pull requests per page (1-100). Raises the errors of integrations.errors."""

    provider = "GitHub"
    retry_statuses = RETRY_STATUSES - {502, 504}  # a timed-out query is repeated smaller
    retry_methods = Retry.DEFAULT_ALLOWED_METHODS | {"POST"}  # Keel's GraphQL POSTs only read

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        page_size: int = PAGE_SIZE,
        **options: Unpack[ClientOptions],
    ) -> None:
        if not token:
            raise ValueError("GitHub token is empty")
        headers = {"Authorization": f"Bearer {token}", "User-Agent": "keel"}
        super().__init__(
            base_url,
            headers=headers,
            secrets=(token,),
            **options,
        )
        self.endpoint = graphql_url(base_url)
        self.page_size = max(1, min(100, page_size))
        self.limits = GitHubRateLimits(self.clock)
        self._remaining: tuple[int, int, datetime] | None = None  # (remaining, cost, reset)

    # --- BaseClient hook ---------------------------------------------------------------------

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        """A 200 whose errors say ``RATE_LIMITED`` → until ``x-ratelimit-reset`` (else the
        secondary back-off); 403/429 as the REST client."""
        if response.status_code != 200:
            return self.limits.wait(response)
        body = response.content
        if len(body) > 8192 or b"RATE_LIMITED" not in body or not _rate_limited(response):
            return None
        reset = self.limits.reset_wait(response.headers.get("x-ratelimit-reset"))
        return reset if reset is not None else self.limits.secondary_wait()

    # --- queries -----------------------------------------------------------------------------

    def query(self, document: str, variables: dict[str, Any]) -> dict[str, Any]:
        """Run one query and return its ``data`` (see the module docstring for errors)."""
        self._wait_for_points()
        try:
            payload, _ = self.post_json(self.endpoint, {"query": document, "variables": variables})
        except UpstreamError as exc:
            if exc.status in (502, 504):
                raise QueryTooBig(str(exc), url=exc.url, status=exc.status) from exc
            raise
        data = self._data(payload)
        self._note_points(data.get("rateLimit"))
        return data

    def list_pull_details(
        self, full_name: str, *, stop_before: datetime | None
    ) -> Iterator[Page[PullDetailRecord]]:
        """Pull requests of every state, most recently updated first, each with its detail
        (nested connections read to their end). With ``stop_before`` (aware), PRs updated
        before it are dropped and no page after the first holding one is requested."""
        owner, name = _split(full_name)
        after: str | None = None
        held: list[list[PullAssembly]] = []  # pages waiting for their nested pages
        while True:
            connection = self._pull_page(owner, name, after)
            nodes = [n for n in connection["nodes"] if n is not None]
            pulls = [self._assemble(node, full_name, i) for i, node in enumerate(nodes)]
            kept = [p for p in pulls if stop_before is None or p.pull.updated_at >= stop_before]
            held.append(kept)
            last = len(kept) < len(pulls) or not connection["pageInfo"]["hasNextPage"]
            pending = sum(len(p.pending) for page in held for p in page)
            if last or pending == 0 or pending >= BATCH_SIZE or len(held) >= HOLD_PAGES:
                self._read_nested(owner, name, [p for page in held for p in page])
                for page in held:
                    yield Page(url=self.endpoint, etag=None, items=[p.record() for p in page])
                held = []
            if last:
                return
            after = str(connection["pageInfo"]["endCursor"])

    # --- internals ---------------------------------------------------------------------------

    def _pull_page(self, owner: str, name: str, after: str | None) -> dict[str, Any]:
        """One page of ``repository.pullRequests``; halves the page size while GitHub says
        the query is too big or timed out (the smaller size is kept for later pages)."""
        while True:
            variables = {"owner": owner, "name": name, "first": self.page_size, "after": after}
            try:
                data = self.query(pull_requests_document(), variables)
            except QueryTooBig:
                if self.page_size == 1:
                    raise
                self.page_size //= 2
                logger.warning("GitHub GraphQL query too big: page size now %s", self.page_size)
                continue
            repository = data.get("repository")
            if repository is None:
                raise NotFoundError(
                    f"GitHub: repository {owner}/{name} not found", url=self.endpoint
                )
            return repository["pullRequests"]

    def _assemble(self, node: dict[str, Any], full_name: str, index: int) -> PullAssembly:
        parse = partial(pull_assembly, full_name=full_name)
        return self.parse_item(parse, node, self.endpoint, index, what="pull request")

    def _read_nested(self, owner: str, name: str, pulls: list[PullAssembly]) -> None:
        """Read the further pages of every nested connection, BATCH_SIZE per query."""
        batch = BATCH_SIZE
        while wanted := [(p, c, cursor) for p in pulls for c, cursor in p.pending.items()]:
            chunk = wanted[:batch]
            document = pages_document([(p.number, c, cursor) for p, c, cursor in chunk])
            try:
                data = self.query(document, {"owner": owner, "name": name})
            except QueryTooBig:
                if batch == 1:
                    raise
                batch //= 2
                continue
            repository = data.get("repository") or {}
            for index, (pull, connection, _) in enumerate(chunk):
                page = (repository.get(f"p{index}") or {}).get(connection)
                if page is None:
                    raise MalformedResponseError(
                        f"GitHub: no {connection} page for pull request #{pull.number} of "
                        f"{owner}/{name} from {self.endpoint}",
                        url=self.endpoint,
                    )
                try:
                    pull.add_page(connection, page)
                except PARSE_ERRORS as exc:
                    raise item_error(
                        "GitHub",
                        url=self.endpoint,
                        index=None,
                        item={"number": pull.number},
                        detail=f"{connection}: {exc}",
                        what="pull request",
                    ) from exc

    def _data(self, payload: Any) -> dict[str, Any]:
        """``data`` of a GraphQL answer, or the mapped error (module docstring)."""
        if not isinstance(payload, dict):
            raise MalformedResponseError(
                f"GitHub: expected a JSON object from {self.endpoint}, "
                f"got {type(payload).__name__}",
                url=self.endpoint,
            )
        data, errors = payload.get("data"), payload.get("errors") or []
        if not isinstance(errors, list):
            errors = [errors]
        fatal = [e for e in errors if not _tolerated(e, data)]
        if fatal:
            raise self._error(fatal, partial=data is not None)
        for error in errors:
            logger.warning("GitHub GraphQL: left out an item: %s", _describe(error))
        if not isinstance(data, dict):
            raise MalformedResponseError(
                f"GitHub: GraphQL answer without data from {self.endpoint}", url=self.endpoint
            )
        return data

    def _error(self, errors: list[Any], *, partial: bool) -> UpstreamError:
        kinds = {e.get("type") for e in errors if isinstance(e, dict)}
        text = "; ".join(_describe(e) for e in errors[:5])
        where = " (partial data: nothing of this page is stored)" if partial else ""
        message = self._redact(f"GitHub GraphQL: {text}{where} at {self.endpoint}")[:1000]
        url = self.endpoint
        if kinds & TOO_BIG:
            return QueryTooBig(message, url=url, status=200)
        if "RATE_LIMITED" in kinds:
            return RateLimitExceeded(message, url=url, status=200)
        if "NOT_FOUND" in kinds:
            return NotFoundError(message, url=url, status=200)
        if "FORBIDDEN" in kinds:
            return AuthError(message, url=url, status=200)
        return UpstreamError(message, url=url, status=200)

    def _note_points(self, rate: Any) -> None:
        """Count ``rateLimit.cost`` and remember what is left until when."""
        if not isinstance(rate, dict):
            return
        try:
            cost, remaining = int(rate["cost"]), int(rate["remaining"])
            reset = parse_time(rate["resetAt"])
        except PARSE_ERRORS:
            return
        self.stats.points += cost
        self._remaining = (remaining, cost, reset)

    def _wait_for_points(self) -> None:
        """Before a query: wait until ``resetAt`` when fewer points are left than the last
        query cost (GitHub would answer RATE_LIMITED)."""
        if self._remaining is None:
            return
        remaining, cost, reset = self._remaining
        if remaining >= max(cost, 1):
            return
        self._remaining = None
        seconds = max(reset.timestamp() - self.clock(), 1.0)
        self._wait_for_rate_limit(seconds, self.endpoint, 200)


def _split(full_name: str) -> tuple[str, str]:
    owner, _, name = full_name.partition("/")
    if not owner or not name or "/" in name:
        raise ValueError(f"repository must be 'owner/name', got {full_name!r}")
    return owner, name


def _tolerated(error: Any, data: Any) -> bool:
    """An inaccessible or missing item inside a pull request's nested connection."""
    if not isinstance(error, dict) or data is None:
        return False
    path = error.get("path") or []
    inside = isinstance(path, list) and any(part in CONNECTIONS for part in path)
    return error.get("type") in TOLERATED and inside


def _describe(error: Any) -> str:
    if not isinstance(error, dict):
        return str(error)[:200]
    kind = error.get("type") or (error.get("extensions") or {}).get("code") or "error"
    path = ".".join(str(p) for p in error.get("path") or [])
    return f"{kind}: {str(error.get('message', ''))[:200]}" + (f" at {path}" if path else "")


def _rate_limited(response: requests.Response) -> bool:
    try:
        payload = response.json()
    except ValueError:
        return False
    errors = payload.get("errors") if isinstance(payload, dict) else None
    return isinstance(errors, list) and any(
        isinstance(e, dict) and e.get("type") == "RATE_LIMITED" for e in errors
    )
