"""GitHub REST endpoints of a repository: filtering and ordering as api.github.com does.

Each handler takes the repository, the request and the path captures, and returns a JSON
object, a `Listing` (which the provider pages) or an error `Response`. Docs:
https://docs.github.com/rest/pulls/pulls#list-pull-requests,
https://docs.github.com/rest/issues/issues#list-repository-issues,
https://docs.github.com/rest/releases/releases#list-releases,
https://docs.github.com/rest/repos/repos#list-repository-tags,
https://docs.github.com/rest/deployments/deployments#list-deployments.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from integrations.simulator.github.detail import MAX_PULL_COMMITS, MAX_PULL_FILES
from integrations.simulator.github.objects import JSONDict, iso, parse_iso, pull_list_view
from integrations.simulator.github.world import GitHubRepo
from integrations.simulator.messages import Request, Response, json_response

DOCS = "https://docs.github.com/rest"


@dataclass
class Listing:
    """A full, filtered and ordered result set; the provider cuts the requested page."""

    items: list[JSONDict]


Result = JSONDict | Listing | Response
Handler = Callable[[GitHubRepo, Request, dict[str, str]], Result]


def error(status: int, message: str, doc: str = DOCS, **extra: object) -> Response:
    """A GitHub error body: `{"message", "documentation_url", "status": "<code>"}`."""
    body = {"message": message, **extra, "documentation_url": doc, "status": str(status)}
    return json_response(status, body)


def not_found(doc: str = DOCS) -> Response:
    """GitHub's 404 body."""
    return error(404, "Not Found", doc)


def _invalid(resource: str, name: str) -> Response:
    return error(
        422, "Validation Failed", errors=[{"resource": resource, "field": name, "code": "invalid"}]
    )


def _choice(request: Request, name: str, allowed: Iterable[str], default: str) -> str | None:
    value = request.param(name, default) or default
    return value if value in allowed else None


def _ordered(items: Iterable[JSONDict], key: str, descending: bool) -> list[JSONDict]:
    """Sort by `key` (ISO timestamps or numbers) with number/id as the tie-breaker."""
    blank: Any = "" if key.endswith("_at") else 0

    def sort_key(item: JSONDict) -> tuple[Any, int]:
        value = item.get(key)
        return (blank if value is None else value, int(item.get("number") or item.get("id") or 0))

    return sorted(items, key=sort_key, reverse=descending)


def _state_ok(item: JSONDict, state: str) -> bool:
    return state == "all" or item["state"] == state


def list_pulls(repo: GitHubRepo, request: Request, _: dict[str, str]) -> Result:
    """`GET /pulls`: state=open (default)|closed|all, sort=created (default)|updated|popularity|
    long-running, direction (default desc for created, else asc), base, head=user:ref."""
    state = _choice(request, "state", ("open", "closed", "all"), "open")
    sort = _choice(request, "sort", ("created", "updated", "popularity", "long-running"), "created")
    if state is None or sort is None:
        return _invalid("PullRequest", "state" if state is None else "sort")
    direction = _choice(
        request, "direction", ("asc", "desc"), "desc" if sort == "created" else "asc"
    )
    if direction is None:
        return _invalid("PullRequest", "direction")
    base, head = request.param("base"), request.param("head")
    items = [
        p
        for p in repo.pulls
        if _state_ok(p, state)
        and (base is None or p["base"]["ref"] == base)
        and (head is None or p["head"]["label"] == head)
    ]
    key = {
        "created": "created_at",
        "updated": "updated_at",
        "popularity": "comments",
        "long-running": "created_at",
    }[sort]
    return Listing([pull_list_view(p) for p in _ordered(items, key, direction == "desc")])


def get_pull(repo: GitHubRepo, request: Request, captures: dict[str, str]) -> Result:
    """`GET /pulls/{n}`: the full pull request (with additions, deletions, merged, ...)."""
    pull = repo.pull(int(captures["number"]))
    return pull if pull is not None else not_found(f"{DOCS}/pulls/pulls#get-a-pull-request")


def _pull_list(kind: str) -> Handler:
    """`GET /pulls/{n}/commits` (at most 250, oldest first), `/reviews` (in order) or `/files`
    (at most 3000)."""

    def handler(repo: GitHubRepo, request: Request, captures: dict[str, str]) -> Result:
        number = int(captures["number"])
        if repo.pull(number) is None:
            return not_found(f"{DOCS}/pulls/pulls#list-{kind}-on-a-pull-request")
        if kind == "commits":
            return Listing(repo.commits_of(number)[:MAX_PULL_COMMITS])
        if kind == "reviews":
            return Listing(repo.reviews_of(number))
        return Listing(repo.files_of(number)[:MAX_PULL_FILES])

    return handler


def issue_timeline(repo: GitHubRepo, request: Request, captures: dict[str, str]) -> Result:
    """`GET /issues/{n}/timeline`: a pull request's events, oldest first (issues: none)."""
    number = int(captures["number"])
    if repo.issue(number) is None:
        return not_found(f"{DOCS}/issues/timeline#list-timeline-events-for-an-issue")
    return Listing(repo.timeline_of(number) if repo.pull(number) is not None else [])


def _issue_options(request: Request) -> tuple[str, str, bool] | Response:
    """(state, sort key, descending) for `GET /issues`, or a 422."""
    state = _choice(request, "state", ("open", "closed", "all"), "open")
    sort = _choice(request, "sort", ("created", "updated", "comments"), "created")
    direction = _choice(request, "direction", ("asc", "desc"), "desc")
    if state is None or sort is None or direction is None:
        bad = "state" if state is None else "sort" if sort is None else "direction"
        return _invalid("Issue", bad)
    key = {"created": "created_at", "updated": "updated_at", "comments": "comments"}[sort]
    return state, key, direction == "desc"


def list_issues(repo: GitHubRepo, request: Request, _: dict[str, str]) -> Result:
    """`GET /issues` (issues and pull requests): state=open (default)|closed|all,
    sort=created|updated|comments, direction=desc (default)|asc, since (updated at or after),
    labels (comma-separated, all required), creator."""
    options = _issue_options(request)
    if isinstance(options, Response):
        return options
    state, key, descending = options
    since = request.param("since")
    try:
        floor = iso(parse_iso(since)) if since else None
    except ValueError:
        return _invalid("Issue", "since")
    wanted = {n.strip() for n in (request.param("labels") or "").split(",") if n.strip()}
    creator = request.param("creator")
    items = [
        i
        for i in repo.issues
        if _state_ok(i, state)
        and (floor is None or i["updated_at"] >= floor)
        and wanted <= {label["name"] for label in i["labels"]}
        and (creator is None or i["user"]["login"] == creator)
    ]
    return Listing(_ordered(items, key, descending))


def get_issue(repo: GitHubRepo, request: Request, captures: dict[str, str]) -> Result:
    """`GET /issues/{n}`: an issue, or a pull request's issue view."""
    issue = repo.issue(int(captures["number"]))
    return issue if issue is not None else not_found(f"{DOCS}/issues/issues#get-an-issue")


def list_releases(repo: GitHubRepo, request: Request, _: dict[str, str]) -> Result:
    """`GET /releases`, newest first (drafts included: the token has push access)."""
    return Listing(_ordered(repo.releases, "created_at", descending=True))


def list_tags(repo: GitHubRepo, request: Request, _: dict[str, str]) -> Result:
    """`GET /tags`, in stored order (newest first)."""
    return Listing(list(repo.tags))


def get_commit(repo: GitHubRepo, request: Request, captures: dict[str, str]) -> Result:
    """`GET /commits/{ref}` for a tag commit, by sha or tag name; unknown -> 422 as GitHub."""
    ref = captures["ref"]
    commit = repo.tag_commits.get(ref)
    if commit is None:
        tag = next((t for t in repo.tags if t["name"] == ref), None)
        commit = repo.tag_commits.get(tag["commit"]["sha"]) if tag else None
    if commit is None:
        return error(422, f"No commit found for SHA: {ref}", f"{DOCS}/commits/commits#get-a-commit")
    return commit


def list_deployments(repo: GitHubRepo, request: Request, _: dict[str, str]) -> Result:
    """`GET /deployments`, newest first; filters sha, ref, task, environment."""
    filters = {k: request.param(k) for k in ("sha", "ref", "task", "environment")}
    items = [d for d in repo.deployments if all(v is None or d[k] == v for k, v in filters.items())]
    return Listing(_ordered(items, "created_at", descending=True))


def get_deployment(repo: GitHubRepo, request: Request, captures: dict[str, str]) -> Result:
    """`GET /deployments/{id}`."""
    deployment = repo.deployment(int(captures["id"]))
    return deployment if deployment is not None else not_found()


def list_deployment_statuses(
    repo: GitHubRepo, request: Request, captures: dict[str, str]
) -> Result:
    """`GET /deployments/{id}/statuses`, newest first."""
    deployment_id = int(captures["id"])
    if repo.deployment(deployment_id) is None:
        return not_found()
    statuses = repo.deployment_statuses.get(deployment_id, [])
    return Listing(_ordered(statuses, "created_at", descending=True))


def get_repo(repo: GitHubRepo, request: Request, _: dict[str, str]) -> Result:
    """`GET /repos/{owner}/{repo}`."""
    return repo.obj


#: Paths below `/repos/{owner}/{repo}` (or `/repositories/{id}`) and their handlers.
ROUTES: list[tuple[re.Pattern[str], Handler]] = [
    (re.compile(pattern), handler)
    for pattern, handler in [
        (r"^$", get_repo),
        (r"^/pulls$", list_pulls),
        (r"^/pulls/(?P<number>\d+)$", get_pull),
        (r"^/issues$", list_issues),
        (r"^/pulls/(?P<number>\d+)/commits$", _pull_list("commits")),
        (r"^/pulls/(?P<number>\d+)/reviews$", _pull_list("reviews")),
        (r"^/pulls/(?P<number>\d+)/files$", _pull_list("files")),
        (r"^/issues/(?P<number>\d+)$", get_issue),
        (r"^/issues/(?P<number>\d+)/timeline$", issue_timeline),
        (r"^/releases$", list_releases),
        (r"^/tags$", list_tags),
        (r"^/commits/(?P<ref>[^/]+)$", get_commit),
        (r"^/deployments$", list_deployments),
        (r"^/deployments/(?P<id>\d+)$", get_deployment),
        (r"^/deployments/(?P<id>\d+)/statuses$", list_deployment_statuses),
    ]
]
