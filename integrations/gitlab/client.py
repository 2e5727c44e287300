"""GitLab REST v4 client (gitlab.com and self-managed), returning typed records.

A project is named by its path (``group/sub/project``, sent URL-encoded as
``group%2Fsub%2Fproject``) or its numeric id. Lists are paged by GitLab's ``Link: <…>;
rel="next"`` header (offset and keyset pagination both send it), else by ``X-Next-Page``.
Keyset pagination is asked for where GitLab offers it (``pagination=keyset`` ordered by
``id``: a group's projects), offset pagination elsewhere.
# GitLab: https://docs.gitlab.com/ee/api/rest/index.html#pagination
# GitLab: https://docs.gitlab.com/ee/api/rest/index.html#authentication

Every error names the project and the endpoint, e.g. ``GitLab project 'acme/api', merge
requests: not found (HTTP 404) at https://…``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import datetime
from typing import Any, TypeVar, Unpack
from urllib.parse import quote

import requests

from integrations.errors import MalformedResponseError, NotFoundError, UpstreamError
from integrations.gitlab.detail import (
    ApprovalStateRecord,
    DiffFileRecord,
    MergeRequestCommitRecord,
    MergeRequestDetailRecord,
    NoteRecord,
    approvals_from_notes,
    parse_approval_state,
    parse_commit,
    parse_diff,
    parse_note,
    ready_at,
)
from integrations.gitlab.limits import GitLabRateLimits
from integrations.gitlab.records import (
    DeploymentRecord,
    IssueRecord,
    MergeRequestRecord,
    ProjectRecord,
    ReleaseRecord,
    TagRecord,
    parse_deployment,
    parse_issue,
    parse_merge_request,
    parse_project,
    parse_release,
    parse_tag,
)
from integrations.http import BaseClient, ClientOptions, Page
from integrations.http.payloads import iso_utc

R = TypeVar("R")
Item = dict[str, Any]
AUTH_MODES = ("private-token", "oauth")
DEFAULT_BASE_URL = "https://gitlab.com/api/v4"


class GitLabClient(BaseClient):
    """GitLab REST API v4.

    Args:
        base_url: ``https://gitlab.com/api/v4`` or a self-managed ``https://HOST/api/v4``.
        token: a personal, group or project access token (``auth="private-token"``, sent as
            ``PRIVATE-TOKEN``) or an OAuth token (``auth="oauth"``, ``Authorization: Bearer``);
            it is redacted from every error message.
        validators: full first-page URL (``Page.url``) → ETag stored by the last sync; the
            first page of tags and releases is then requested with ``If-None-Match``.
        per_page: page size (GitLab allows at most 100).
        Other arguments: see :class:`integrations.http.BaseClient`.

    Raises (every method): the errors of :mod:`integrations.errors`, their message starting
    with the project (or group) and the endpoint.
    """

    provider = "GitLab"

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        auth: str = "private-token",
        validators: Mapping[str, str] | None = None,
        per_page: int = 100,
        **options: Unpack[ClientOptions],
    ) -> None:
        if not token:
            raise ValueError("GitLab token is empty")
        if auth not in AUTH_MODES:
            raise ValueError(f"GitLab auth must be one of {', '.join(AUTH_MODES)}, got {auth!r}")
        credential = {"PRIVATE-TOKEN": token} if auth == "private-token" else {}
        if auth == "oauth":
            credential = {"Authorization": f"Bearer {token}"}
        headers = {**credential, "Accept": "application/json", "User-Agent": "keel"}
        super().__init__(
            base_url,
            headers=headers,
            secrets=(token,),
            **options,
        )
        self.validators = dict(validators or {})
        self.per_page = per_page
        self.limits = GitLabRateLimits(self.clock)

    # --- BaseClient hooks --------------------------------------------------------------------

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        """Seconds to wait after a 429, else None (see GitLabRateLimits)."""
        return self.limits.wait(response)

    def next_url(self, response: requests.Response) -> str | None:
        """``Link: <…>; rel="next"``, else the same URL with ``page=X-Next-Page`` (empty or
        absent on the last page). MalformedResponseError naming the URL for an X-Next-Page
        that is not a page number: stopping there would leave the list cut short silently."""
        following = response.links.get("next", {}).get("url")
        if following:
            return str(following)
        page = (response.headers.get("X-Next-Page") or "").strip()
        if not page:
            return None
        if not (page.isascii() and page.isdigit()):
            raise MalformedResponseError(
                f"GitLab: X-Next-Page {page[:200]!r} from {response.url} is not a page number",
                url=response.url,
            )
        return self.build_url(response.url, {"page": page})

    def _send(self, url: str, headers: Mapping[str, str], body: Any = None) -> requests.Response:
        """Wait for ``RateLimit-Reset`` first when the last response spent the budget."""
        pause = self.limits.pause()
        if pause > 0:
            self._wait_for_rate_limit(pause, url, 200)
            self.limits.resumed()
        return super()._send(url, headers, body)

    # --- projects ----------------------------------------------------------------------------

    def get_project(self, project: str | int) -> ProjectRecord:
        """``GET /projects/:id``. # GitLab: https://docs.gitlab.com/ee/api/projects.html#get-a-single-project"""
        with _about(project, "project"):
            return self.get_record(project_path(project), parse_project)

    def list_group_projects(
        self, group: str | int, *, include_subgroups: bool = True
    ) -> Iterator[Page[ProjectRecord]]:
        """Every project of a group (and its subgroups), keyset-paged by id, without projects
        only shared with the group. # GitLab: https://docs.gitlab.com/ee/api/groups.html#list-projects
        """
        params = {
            "include_subgroups": include_subgroups,
            "with_shared": False,
            "pagination": "keyset",
            "order_by": "id",
            "sort": "asc",
        }
        path = f"/groups/{_encoded(group)}/projects"
        return _pages_about(f"group {group!r}", "projects", self._list(path, params, parse_project))

    # --- merge requests ----------------------------------------------------------------------

    def list_merge_requests(
        self, project: str | int, *, updated_after: datetime | None = None
    ) -> Iterator[Page[MergeRequestRecord]]:
        """Merge requests of every state, least recently updated first
        (``state=all&order_by=updated_at&sort=asc``), from ``updated_after`` (aware; GitLab
        includes that instant) when given.
        # GitLab: https://docs.gitlab.com/ee/api/merge_requests.html#list-project-merge-requests
        """
        params = {
            "state": "all",
            "order_by": "updated_at",
            "sort": "asc",
            "updated_after": _iso(updated_after),
        }
        pages = self._list(f"{project_path(project)}/merge_requests", params, parse_merge_request)
        return _pages_about(project, "merge requests", pages)

    def list_merge_request_details(
        self, project: str | int, *, updated_after: datetime | None = None
    ) -> Iterator[Page[MergeRequestDetailRecord]]:
        """:meth:`list_merge_requests`, each with :meth:`get_merge_request_detail`."""
        for page in self.list_merge_requests(project, updated_after=updated_after):
            details = [self.get_merge_request_detail(project, mr) for mr in page.items]
            yield Page(url=page.url, etag=page.etag, items=details, not_modified=page.not_modified)

    def get_merge_request_detail(
        self, project: str | int, merge_request: MergeRequestRecord
    ) -> MergeRequestDetailRecord:
        """Every page of the merge request's commits, notes and diffs (see
        :mod:`integrations.gitlab.detail`)."""
        notes = self.list_notes(project, merge_request.iid)
        return MergeRequestDetailRecord(
            merge_request=merge_request,
            commits=tuple(self.list_commits(project, merge_request.iid)),
            approvals=approvals_from_notes(notes),
            comments=tuple(note for note in notes if not note.system),
            files=tuple(self.list_diffs(project, merge_request.iid)),
            ready_at=ready_at(notes),
        )

    def list_commits(self, project: str | int, iid: int) -> list[MergeRequestCommitRecord]:
        """``GET …/merge_requests/:iid/commits``, every page.
        # GitLab: https://docs.gitlab.com/ee/api/merge_requests.html#get-single-merge-request-commits
        """
        with _about(project, f"merge request !{iid} commits"):
            return self._all(f"{_mr_path(project, iid)}/commits", {}, parse_commit)

    def list_notes(self, project: str | int, iid: int) -> list[NoteRecord]:
        """``GET …/merge_requests/:iid/notes`` oldest first, every page (system notes too)."""
        params = {"sort": "asc", "order_by": "created_at"}
        with _about(project, f"merge request !{iid} notes"):
            return self._all(f"{_mr_path(project, iid)}/notes", params, parse_note)

    def list_diffs(self, project: str | int, iid: int) -> list[DiffFileRecord]:
        """``GET …/merge_requests/:iid/diffs``, every page; ``…/changes`` on a GitLab older
        than 15.7 (where ``/diffs`` is 404 for a merge request that exists)."""
        path = _mr_path(project, iid)
        with _about(project, f"merge request !{iid} diffs"):
            try:
                return self._all(f"{path}/diffs", {}, parse_diff)
            except NotFoundError:
                changes = self.get_json(f"{path}/changes")
                url = self.build_url(f"{path}/changes")
                items = changes.get("changes") if isinstance(changes, dict) else None
                if not isinstance(items, list):
                    raise MalformedResponseError(
                        f"GitLab: expected an object with 'changes' from {url}", url=url
                    ) from None
                return [self.parse_item(parse_diff, c, url, i) for i, c in enumerate(items)]

    def get_approvals(self, project: str | int, iid: int) -> ApprovalStateRecord:
        """``GET …/merge_requests/:iid/approvals``: who approves the merge request now.
        # GitLab: https://docs.gitlab.com/ee/api/merge_request_approvals.html#get-configuration-1
        """
        with _about(project, f"merge request !{iid} approvals"):
            return self.get_record(f"{_mr_path(project, iid)}/approvals", parse_approval_state)

    # --- delivery and issues -----------------------------------------------------------------

    def list_tags(self, project: str | int) -> Iterator[Page[TagRecord]]:
        """``GET /projects/:id/repository/tags``, newest commit first; conditional on the
        first page's ETag. # GitLab: https://docs.gitlab.com/ee/api/tags.html#list-project-repository-tags
        """
        params = {"order_by": "updated", "sort": "desc"}
        path = f"{project_path(project)}/repository/tags"
        return _pages_about(project, "tags", self._list(path, params, parse_tag, conditional=True))

    def list_releases(self, project: str | int) -> Iterator[Page[ReleaseRecord]]:
        """``GET /projects/:id/releases``, newest first; conditional on the first page's ETag.
        # GitLab: https://docs.gitlab.com/ee/api/releases/#list-releases
        """
        params = {"order_by": "released_at", "sort": "desc"}
        path = f"{project_path(project)}/releases"
        pages = self._list(path, params, parse_release, conditional=True)
        return _pages_about(project, "releases", pages)

    def list_deployments(
        self,
        project: str | int,
        *,
        environment: str | None = None,
        updated_after: datetime | None = None,
    ) -> Iterator[Page[DeploymentRecord]]:
        """Deployments (of one ``environment`` when given) least recently updated first, from
        ``updated_after`` (aware) when given.
        # GitLab: https://docs.gitlab.com/ee/api/deployments.html#list-project-deployments
        """
        params = {
            "order_by": "updated_at",
            "sort": "asc",
            "environment": environment,
            "updated_after": _iso(updated_after),
        }
        pages = self._list(f"{project_path(project)}/deployments", params, parse_deployment)
        return _pages_about(project, "deployments", pages)

    def list_issues(
        self, project: str | int, *, updated_after: datetime | None = None
    ) -> Iterator[Page[IssueRecord]]:
        """Issues of every state and type, least recently updated first, from
        ``updated_after`` (aware) when given.
        # GitLab: https://docs.gitlab.com/ee/api/issues.html#list-project-issues
        """
        params = {
            "scope": "all",
            "state": "all",
            "order_by": "updated_at",
            "sort": "asc",
            "updated_after": _iso(updated_after),
        }
        pages = self._list(f"{project_path(project)}/issues", params, parse_issue)
        return _pages_about(project, "issues", pages)

    # --- internals ---------------------------------------------------------------------------

    def _list(
        self,
        path: str,
        params: Mapping[str, Any],
        parse: Callable[[Item], R],
        *,
        conditional: bool = False,
    ) -> Iterator[Page[R]]:
        params = {"per_page": self.per_page, **params}
        etag = self.validators.get(self.build_url(path, params)) if conditional else None
        return self.paginate_records(path, params, parse, etag=etag)

    def _all(self, path: str, params: Mapping[str, Any], parse: Callable[[Item], R]) -> list[R]:
        return [record for page in self._list(path, params, parse) for record in page.items]


def project_path(project: str | int) -> str:
    """``/projects/<id or URL-encoded path>``. ValueError for an empty name or a path without
    a namespace (every GitLab project lives in a user's or a group's namespace)."""
    encoded = _encoded(project)
    if not encoded.isdigit() and "%2F" not in encoded:
        raise ValueError(f"GitLab project must be 'group/project' or an id, got {project!r}")
    return f"/projects/{encoded}"


def _encoded(ident: str | int) -> str:
    """A numeric id as is, a path (``group/sub``) URL-encoded (``group%2Fsub``)."""
    if isinstance(ident, int) and not isinstance(ident, bool):
        return str(ident)
    text = str(ident).strip().strip("/")
    if not text:
        raise ValueError("expected a GitLab id or path, got an empty name")
    return text if text.isdigit() else quote(text, safe="")


def _mr_path(project: str | int, iid: int) -> str:
    return f"{project_path(project)}/merge_requests/{int(iid)}"


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise ValueError(f"expected an aware datetime, got naive {moment.isoformat()}")
    return iso_utc(moment)


@contextmanager
def _about(subject: str | int, endpoint: str) -> Iterator[None]:
    """Prefix an UpstreamError raised inside with ``GitLab project '<p>', <endpoint>:``."""
    try:
        yield
    except UpstreamError as exc:
        _prefix(exc, subject, endpoint)
        raise


def _pages_about(subject: str | int, endpoint: str, pages: Iterator[Page[R]]) -> Iterator[Page[R]]:
    with _about(subject, endpoint):
        yield from pages


def _prefix(exc: UpstreamError, subject: str | int, endpoint: str) -> None:
    message = str(exc.args[0]) if exc.args else ""
    if getattr(exc, "_keel_about", False):
        return
    what = subject if str(subject).startswith("group ") else f"project {str(subject)!r}"
    message = message.removeprefix("GitLab: ")
    exc.args = (f"GitLab {what}, {endpoint}: {message}", *exc.args[1:])
    exc._keel_about = True  # type: ignore[attr-defined]
