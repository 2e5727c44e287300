"""GitHub REST client (github.com and GitHub Enterprise Server), returning typed records.

# GitHub: https://docs.github.com/en/rest/using-the-rest-api/getting-started-with-the-rest-api
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from dataclasses import replace
from datetime import datetime
from typing import Any, TypeVar, Unpack
from urllib.parse import quote

import requests

from integrations.errors import MalformedResponseError
from integrations.github.detail import (
    PullDetailRecord,
    rest_commit,
    rest_file,
    rest_pull_detail,
    rest_ready_at,
    rest_review,
)
from integrations.github.limits import GitHubRateLimits
from integrations.github.records import (
    CommitRecord,
    DeploymentRecord,
    DeploymentStatusRecord,
    IssueRecord,
    PullRequestRecord,
    ReleaseRecord,
    RepoRecord,
    TagRecord,
    parse_commit,
    parse_deployment,
    parse_deployment_status,
    parse_issue,
    parse_pull,
    parse_release,
    parse_repo,
    parse_tag,
)
from integrations.http import BaseClient, ClientOptions, Page
from integrations.http.payloads import iso_utc

R = TypeVar("R")
Item = dict[str, Any]

API_VERSION = "2022-11-28"


class GitHubClient(BaseClient):
    """GitHub REST API client.

    Args:
        base_url: ``https://api.github.com`` or, for Enterprise Server, ``https://HOST/api/v3``.
        token: a personal access or app token, sent as ``Authorization: Bearer``; it is redacted
            from every error message.
        validators: full first-page URL (``Page.url``) → ETag stored by the last sync; the first
            page of that list is then requested with ``If-None-Match``.
        clock: epoch seconds now (injectable), used with ``x-ratelimit-reset``.
        per_page: page size for list endpoints (GitHub allows at most 100).
        Other arguments: see :class:`integrations.http.BaseClient`.

    Raises (every method): the errors of :mod:`integrations.errors`.
    """

    provider = "GitHub"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        validators: Mapping[str, str] | None = None,
        per_page: int = 100,
        **options: Unpack[ClientOptions],
    ) -> None:
        if not token:
            raise ValueError("GitHub token is empty")
        headers = {
            "Authorization": f"Bearer {token}",
            "Accept": "application/vnd.github+json",
            "X-GitHub-Api-Version": API_VERSION,
            "User-Agent": "keel",
        }
        super().__init__(
            base_url,
            headers=headers,
            secrets=(token,),
            **options,
        )
        self.validators = dict(validators or {})
        self.per_page = per_page
        self.limits = GitHubRateLimits(self.clock)

    # --- BaseClient hooks --------------------------------------------------------------------

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait for a rate-limited 403/429, else None (see GitHubRateLimits)."""
        return self.limits.wait(response)

    def next_url(self, response: requests.Response) -> str | None:
        """The ``Link: <…>; rel="next"`` URL.

        # GitHub: https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api
        """
        return response.links.get("next", {}).get("url")

    # --- endpoints ---------------------------------------------------------------------------

    def get_repo(self, full_name: str) -> RepoRecord:
        """``GET /repos/{owner}/{repo}``."""
        return self.get_record(_repo_path(full_name), parse_repo)

    def list_releases(self, full_name: str) -> Iterator[Page[ReleaseRecord]]:
        """``GET /repos/{owner}/{repo}/releases``, newest first."""
        return self._list(f"{_repo_path(full_name)}/releases", {}, parse_release)

    def list_tags(self, full_name: str) -> Iterator[Page[TagRecord]]:
        """``GET /repos/{owner}/{repo}/tags``."""
        return self._list(f"{_repo_path(full_name)}/tags", {}, parse_tag)

    def get_commit(self, full_name: str, sha: str) -> CommitRecord:
        """``GET /repos/{owner}/{repo}/commits/{sha}``."""
        return self.get_record(
            f"{_repo_path(full_name)}/commits/{quote(sha, safe='')}", parse_commit
        )

    def list_deployments(self, full_name: str) -> Iterator[Page[DeploymentRecord]]:
        """``GET /repos/{owner}/{repo}/deployments``, newest first."""
        return self._list(f"{_repo_path(full_name)}/deployments", {}, parse_deployment)

    def list_deployment_statuses(
        self, full_name: str, deployment_id: int
    ) -> list[DeploymentStatusRecord]:
        """All statuses of one deployment (every page; never conditional)."""
        path = f"{_repo_path(full_name)}/deployments/{int(deployment_id)}/statuses"
        pages = self._list(path, {}, parse_deployment_status, conditional=False)
        return [status for page in pages for status in page.items]

    def list_pulls(
        self, full_name: str, *, stop_before: datetime | None, state: str = "all"
    ) -> Iterator[Page[PullRequestRecord]]:
        """PRs, most recently updated first (``state=all&sort=updated&direction=desc``).

        ``state=all`` by default: merged PRs are what delivery counts, and open ones are kept so
        the stored set is the repo's (a PR's later merge moves its ``updated_at`` to the top).
        With ``stop_before`` (aware), PRs updated before it are dropped and no page after the
        first one holding such a PR is requested.
        # GitHub: https://docs.github.com/en/rest/pulls/pulls#list-pull-requests
        """
        _require_aware(stop_before)
        params = {"state": state, "sort": "updated", "direction": "desc"}
        pages = self._list(f"{_repo_path(full_name)}/pulls", params, parse_pull)
        return pages if stop_before is None else _stop_before(pages, stop_before)

    def get_pull(self, full_name: str, number: int) -> PullRequestRecord:
        """``GET /repos/{owner}/{repo}/pulls/{number}``, with additions and deletions."""
        return self.get_record(f"{_repo_path(full_name)}/pulls/{int(number)}", parse_pull)

    def list_pull_details(
        self, full_name: str, *, stop_before: datetime | None
    ) -> Iterator[Page[PullDetailRecord]]:
        """PRs as :meth:`list_pulls`, each with its detail (:meth:`get_pull_detail`: five
        requests per PR). The first list page keeps its ETag, so an unchanged list is one 304."""
        for page in self.list_pulls(full_name, stop_before=stop_before):
            details = [self.get_pull_detail(full_name, pull.number) for pull in page.items]
            yield Page(url=page.url, etag=page.etag, items=details, not_modified=page.not_modified)

    def get_pull_detail(self, full_name: str, number: int) -> PullDetailRecord:
        """``GET /pulls/{n}`` with every page of its ``/commits`` (GitHub lists at most 250),
        ``/reviews`` and ``/files`` (at most 3,000), and the first ``ready_for_review`` event of
        ``GET /issues/{n}/timeline``: the record the GraphQL client builds in one query.
        # GitHub: https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request
        # GitHub: https://docs.github.com/en/rest/pulls/reviews#list-reviews-for-a-pull-request
        # GitHub: https://docs.github.com/en/rest/issues/timeline#list-timeline-events-for-an-issue
        """
        repo = _repo_path(full_name)
        path = f"{repo}/pulls/{int(number)}"
        url = self.build_url(path)
        item = self.get_json(path)
        if not isinstance(item, dict):
            raise MalformedResponseError(
                f"GitHub: expected a JSON object from {url}, got {type(item).__name__}", url=url
            )
        commits = self._all(f"{path}/commits", rest_commit)
        reviews = [r for r in self._all(f"{path}/reviews", rest_review) if r is not None]
        files = self._all(f"{path}/files", rest_file)
        events = self._all(f"{repo}/issues/{int(number)}/timeline", _event)
        ready = self.parse_item(rest_ready_at, events, url)

        def parse(payload: Item) -> PullDetailRecord:
            return rest_pull_detail(
                payload,
                full_name=full_name,
                commits=commits,
                reviews=reviews,
                files=files,
                ready_for_review_at=ready,
            )

        return self.parse_item(parse, item, url)

    def list_issues(
        self,
        full_name: str,
        *,
        since: datetime | None = None,
        stop_before: datetime | None = None,
    ) -> Iterator[Page[IssueRecord]]:
        """Issues of every state. GitHub also returns pull requests here; items with a
        ``pull_request`` key are dropped.

        - ``since`` (aware): ``state=all&since=...&sort=updated&direction=asc``.
        - otherwise ``state=all&sort=updated&direction=desc``; with ``stop_before`` (aware),
          issues updated before it are dropped and no page after the first that had one is
          requested. The first
          page's URL never changes, so its ETag answers a no-change re-sync with one 304 (a
          ``since`` URL changes whenever the cursor moves, so it could never be revalidated).
        # GitHub: https://docs.github.com/en/rest/issues/issues#list-repository-issues
        """
        _require_aware(since)
        _require_aware(stop_before)
        if since is not None and stop_before is not None:
            raise ValueError("give since or stop_before, not both")
        direction = "asc" if since is not None else "desc"
        params = {"state": "all", "sort": "updated", "direction": direction, "since": _iso(since)}
        pages = self._list(
            f"{_repo_path(full_name)}/issues",
            params,
            parse_issue,
            keep=lambda item: "pull_request" not in item,
        )
        return pages if stop_before is None else _stop_before(pages, stop_before)

    # --- internals ---------------------------------------------------------------------------

    def _list(
        self,
        path: str,
        params: Mapping[str, Any],
        parse: Callable[[Item], R],
        *,
        keep: Callable[[Item], bool] | None = None,
        conditional: bool = True,
    ) -> Iterator[Page[R]]:
        params = {"per_page": self.per_page, **params}
        etag = self.validators.get(self.build_url(path, params)) if conditional else None
        return self.paginate_records(path, params, parse, etag=etag, keep=keep)

    def _all(self, path: str, parse: Callable[[Item], R]) -> list[R]:
        """Every item of every page of a list, never conditional."""
        pages = self._list(path, {}, parse, conditional=False)
        return [record for page in pages for record in page.items]


def _event(event: Item) -> Item:
    """A timeline event, as GitHub sent it (it must be an object)."""
    if not isinstance(event, dict):
        raise TypeError(f"expected a timeline event object, got {type(event).__name__}")
    return event


def _stop_before(pages: Iterator[Page[R]], stop_before: datetime) -> Iterator[Page[R]]:
    """Drop items (PRs, issues) updated before ``stop_before``; stop after the first page that
    had one (the list is sorted by ``updated`` descending)."""
    for page in pages:
        kept = [item for item in page.items if item.updated_at >= stop_before]  # type: ignore[attr-defined]
        yield replace(page, items=kept)
        if len(kept) < len(page.items):
            return


def _repo_path(full_name: str) -> str:
    owner, _, name = full_name.partition("/")
    if not owner or not name or "/" in name:
        raise ValueError(f"repository must be 'owner/name', got {full_name!r}")
    return f"/repos/{quote(owner, safe='')}/{quote(name, safe='')}"


def _require_aware(moment: datetime | None) -> None:
    if moment is not None and moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got naive {moment.isoformat()}")


def _iso(moment: datetime | None) -> str | None:
    """Aware datetime → ``YYYY-MM-DDTHH:MM:SSZ`` (GitHub's ISO 8601 form), None → None."""
    return None if moment is None else iso_utc(moment)
