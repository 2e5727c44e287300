"""The data a simulated GitHub serves: `GitHubWorld` (repos by name) and `GitHubRepo`.

Everything is stored as the JSON dicts GitHub returns; the provider only filters, sorts, pages
and serialises them. Mutation helpers live on `GitHubRepo` (via `RepoMutations`) so a test can
change data between two syncs; they keep a pull request and its issue view in step and move
`updated_at`, which changes ETags. All access goes through `world.lock` (re-entrant).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime

from integrations.simulator.github import detail
from integrations.simulator.github.mutations import RepoMutations
from integrations.simulator.github.objects import JSONDict, iso, repo_obj


class IdAllocator:
    """Hands out unique ids per kind ("pull", "issue", "label", "release", "deployment",
    "status", "repo"), starting above GitHub-like bases and above any id `observe`d."""

    BASES = {
        "repo": 700_000_000,
        "pull": 1_100_000_000,
        "issue": 2_100_000_000,
        "label": 5_100_000_000,
        "release": 150_000_000,
        "deployment": 1_900_000_000,
        "status": 3_900_000_000,
    }

    def __init__(self) -> None:
        self._next = dict(self.BASES)
        self._lock = threading.Lock()

    def next(self, kind: str, gap: int = 1) -> int:
        """A new id of `kind`; `gap` > 1 leaves holes like a busy real server does."""
        with self._lock:
            value = self._next[kind] + max(0, gap - 1)
            self._next[kind] = value + 1
            return value

    def observe(self, kind: str, used: int) -> None:
        """Make sure later ids of `kind` are above `used`."""
        with self._lock:
            self._next[kind] = max(self._next[kind], used + 1)


@dataclass(eq=False)
class GitHubRepo(RepoMutations):
    """One repository and everything GitHub returns for it.

    - `obj`: the `GET /repos/{o}/{r}` object.
    - `pulls`: full `GET /pulls/{n}` objects; `issues`: what `GET /issues` returns (issues and,
      where present, pull requests as issues with a `pull_request` key).
    - `releases`, `deployments`: API objects; `tags`: newest first; `tag_commits`: sha -> commit;
      `deployment_statuses`: deployment id -> status objects.
    - `pull_commits`, `pull_reviews`, `pull_files`: PR number -> REST items, where set (else
      derived, see `detail.py`); `pull_events`: PR number -> stored timeline events
      (`ready_for_review`).
    """

    full_name: str
    id: int
    default_branch: str
    obj: JSONDict
    pulls: list[JSONDict] = field(default_factory=list)
    issues: list[JSONDict] = field(default_factory=list)
    releases: list[JSONDict] = field(default_factory=list)
    tags: list[JSONDict] = field(default_factory=list)
    tag_commits: dict[str, JSONDict] = field(default_factory=dict)
    deployments: list[JSONDict] = field(default_factory=list)
    deployment_statuses: dict[int, list[JSONDict]] = field(default_factory=dict)
    labels: dict[str, JSONDict] = field(default_factory=dict, repr=False)
    pull_commits: dict[int, list[JSONDict]] = field(default_factory=dict, repr=False)
    pull_reviews: dict[int, list[JSONDict]] = field(default_factory=dict, repr=False)
    pull_files: dict[int, list[JSONDict]] = field(default_factory=dict, repr=False)
    pull_events: dict[int, list[JSONDict]] = field(default_factory=dict, repr=False)
    ids: IdAllocator = field(default_factory=IdAllocator, repr=False)
    lock: threading.RLock = field(default_factory=threading.RLock, repr=False)

    def __post_init__(self) -> None:
        self.reindex()

    def reindex(self) -> None:
        """Rebuild the number/id indexes after the lists were replaced or edited directly."""
        with self.lock:
            self._pulls_by_number = {p["number"]: p for p in self.pulls}
            self._issues_by_number = {i["number"]: i for i in self.issues}
            self._deployments_by_id = {d["id"]: d for d in self.deployments}
            numbers = [*self._pulls_by_number, *self._issues_by_number, 0]
            self._last_number = max(numbers)
            for item in (*self.pulls, *self.issues):
                for label in item.get("labels") or []:
                    self.labels.setdefault(label["name"], label)
            self._observe_ids()

    def _observe_ids(self) -> None:
        for kind, items in (
            ("pull", self.pulls),
            ("issue", self.issues),
            ("release", self.releases),
            ("deployment", self.deployments),
            ("label", list(self.labels.values())),
        ):
            for item in items:
                self.ids.observe(kind, item["id"])
        for statuses in self.deployment_statuses.values():
            for status in statuses:
                self.ids.observe("status", status["id"])

    def pull(self, number: int) -> JSONDict | None:
        """The full pull request `number`, or None."""
        return self._pulls_by_number.get(number)

    def commits_of(self, number: int) -> list[JSONDict]:
        """Every commit of pull request `number`, oldest first (uncapped)."""
        stored = self.pull_commits.get(number)
        return (
            stored
            if stored is not None
            else detail.derived_commits(self, self.pulls_by_number(number))
        )

    def reviews_of(self, number: int) -> list[JSONDict]:
        """The submitted reviews of pull request `number`, in order."""
        stored = self.pull_reviews.get(number)
        return (
            stored
            if stored is not None
            else detail.derived_reviews(self, self.pulls_by_number(number))
        )

    def files_of(self, number: int) -> list[JSONDict]:
        """The changed files of pull request `number`."""
        stored = self.pull_files.get(number)
        return (
            stored
            if stored is not None
            else detail.derived_files(self, self.pulls_by_number(number))
        )

    def timeline_of(self, number: int, kinds: frozenset[str] | None = None) -> list[JSONDict]:
        """The issue timeline of pull request `number`, oldest first (only `kinds` of event,
        e.g. `{"ready_for_review"}`, when given)."""
        return detail.timeline(self, self.pulls_by_number(number), kinds)

    def pulls_by_number(self, number: int) -> JSONDict:
        """The full pull request `number`; KeyError when there is none."""
        return self._pulls_by_number[number]

    def issue(self, number: int) -> JSONDict | None:
        """The issue-endpoint item `number` (an issue or a pull request's issue view), or None."""
        return self._issues_by_number.get(number)

    def deployment(self, deployment_id: int) -> JSONDict | None:
        """The deployment with this id, or None."""
        return self._deployments_by_id.get(deployment_id)


class GitHubWorld:
    """All repositories of a simulated GitHub, looked up case-insensitively by full name."""

    def __init__(self) -> None:
        self.lock = threading.RLock()
        self.ids = IdAllocator()
        self._repos: dict[str, GitHubRepo] = {}

    @property
    def repos(self) -> list[GitHubRepo]:
        """Repositories in the order they were added."""
        return list(self._repos.values())

    def repo(self, full_name: str) -> GitHubRepo:
        """The repository `owner/name`; raises KeyError if it does not exist."""
        return self._repos[full_name.lower()]

    def find(self, full_name: str) -> GitHubRepo | None:
        """The repository `owner/name`, or None."""
        return self._repos.get(full_name.lower())

    def by_id(self, repo_id: int) -> GitHubRepo | None:
        """The repository with this numeric id (for `/repositories/{id}/...` URLs), or None."""
        return next((r for r in self._repos.values() if r.id == repo_id), None)

    def add_repo(
        self,
        full_name: str,
        *,
        repo_id: int | None = None,
        default_branch: str = "main",
        created_at: datetime | None = None,
        obj: JSONDict | None = None,
    ) -> GitHubRepo:
        """Create (or replace) an empty repository and return it."""
        with self.lock:
            rid = repo_id if repo_id is not None else self.ids.next("repo", gap=37)
            self.ids.observe("repo", rid)
            stamp = iso(created_at or datetime.now(UTC))
            repo = GitHubRepo(
                full_name=full_name,
                id=rid,
                default_branch=default_branch,
                obj=obj or repo_obj(full_name, rid, default_branch, stamp),
                ids=self.ids,
                lock=self.lock,
            )
            self._repos[full_name.lower()] = repo
            return repo

    def attach(self, repo: GitHubRepo) -> GitHubRepo:
        """Add a fully built repository (ids and lock are re-pointed at this world's)."""
        with self.lock:
            repo.ids, repo.lock = self.ids, self.lock
            repo.reindex()
            self._repos[repo.full_name.lower()] = repo
            return repo
