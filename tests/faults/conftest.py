"""Shared by the fault tests (docs/operations.md#syncs-and-failures): tiny simulated upstreams, a
two-step sync scenario, a snapshot of every synced table, endpoint templates from a simulator
request log, and a database that a child process can share with the test.

The scenario is the same for every provider: a first sync, an upstream change, an incremental
sync. The second step is what reaches the detail endpoints an incremental run needs (PagerDuty
re-reads an incident that was open; GitHub reads the size of a newly merged pull request).
"""

from __future__ import annotations

import re
import sqlite3
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from django.db import connection, models

from apps.delivery.models import Deployment, PullRequest, Release, Tag
from apps.ingestion.models import SyncRun
from apps.ingestion.services import source_sync
from apps.organization.models import (
    JiraProject,
    PagerDutyService,
    Repo,
    RepoGroup,
    Source,
    Team,
)
from apps.quality.models import Issue, JiraIssue
from apps.reliability.models import Incident
from integrations.simulator import FaultRule, RequestRecord, Simulator, generate_github_world
from integrations.simulator.gitlab import GitLabProvider, generate_gitlab_world
from integrations.simulator.jira import JiraProvider, generate_jira_world, jira_time
from integrations.simulator.pagerduty import PagerDutyProvider, PagerDutyWorld
from tests.ingestion.conftest import make_source
from tests.quality.conftest import EMAIL, make_jira_source
from tests.reliability.conftest import make_pd_source

ROOT = Path(__file__).resolve().parents[2]
GH_TOKEN = "ghp_TestTokenDoNotLeak0123456789"  # the token tests.ingestion's make_source sets
JIRA_TOKEN = "jira_TestTokenDoNotLeak_42"
PD_TOKEN = "pd_SyncTokenDoNotLeak777"
GL_TOKEN = "glpat-SyncTokenDoNotLeak99"
GH_PAGE = 5  # the simulator's largest GitHub page: several pages per list from a tiny world


# --- upstreams -------------------------------------------------------------------------------


@dataclass
class Upstream:
    """One provider's tiny world behind a simulator, the source that syncs it, and the upstream
    change made between the scenario's two syncs."""

    provider: str
    simulator: Simulator
    make_source: Callable[[], Source]
    change: Callable[[], None]
    world: Any = None


def github_upstream(now: datetime) -> Upstream:
    """2 repos (releases from releases / from tags), 3 list pages per PR list."""
    world = generate_github_world(
        seed=7,
        repos=2,
        pulls=24,
        issues=10,
        releases=4,
        owner="acme",
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2026, 1, 1, tzinfo=UTC),
        tags_per_repo=3,
        deployments_per_repo=2,
    )
    sim = Simulator(github=world, token=GH_TOKEN, page_size_max=GH_PAGE)

    def change() -> None:
        repo = world.repos[0]
        added = repo.add_pull(
            "API-9 retry uploads", author="carol", created_at=datetime(2026, 1, 20, tzinfo=UTC)
        )
        repo.merge_pull(added["number"], at=datetime(2026, 2, 1, tzinfo=UTC))

    return Upstream(
        "github",
        sim,
        lambda: make_source(sim.base_url, [r.full_name for r in world.repos]),
        change,
        world,
    )


def jira_upstream(now: datetime) -> Upstream:
    """2 projects, 130 issues: two search pages of 100."""
    world = generate_jira_world(
        seed=5,
        projects=("API", "WEB"),
        issues=130,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 5, 1, tzinfo=UTC),
    )
    sim = Simulator()
    sim.add_provider(JiraProvider(world, email=EMAIL, token=JIRA_TOKEN))

    def change() -> None:
        issue = world.issues[3]
        issue["fields"]["summary"] = "renamed upstream"
        issue["fields"]["updated"] = jira_time(datetime(2026, 5, 2, tzinfo=UTC))

    return Upstream(
        "jira", sim, lambda: make_jira_source(sim.base_url, ["API", "WEB"]), change, world
    )


def pagerduty_upstream(now: datetime) -> Upstream:
    """2 services; one incident open at the first sync and resolved before the second (which
    re-reads it with GET /incidents/{id})."""
    world = PagerDutyWorld()
    world.add_service("PSVC1", "api")
    world.add_service("PSVC2", "web")
    for hours in range(1, 7):
        created = now - timedelta(hours=5 * hours)
        world.add_incident("PSVC1", created_at=created, resolved_at=created + timedelta(minutes=30))
    still_open = world.add_incident("PSVC2", created_at=now - timedelta(days=2))
    sim = Simulator()
    sim.add_provider(PagerDutyProvider(world, token=PD_TOKEN))

    def change() -> None:
        world.resolve(still_open["id"], at=now - timedelta(hours=1))

    return Upstream(
        "pagerduty", sim, lambda: make_pd_source(sim.base_url, ["PSVC1", "PSVC2"]), change, world
    )


def github_rest_upstream(now: datetime) -> Upstream:
    """The GitHub upstream, synced by a source that reads pull requests over REST."""
    upstream = github_upstream(now)
    make = upstream.make_source

    def make_rest() -> Source:
        source = make()
        source.api = Source.Api.REST
        source.save(update_fields=["api"])
        return source

    upstream.make_source = make_rest
    return upstream


def gitlab_upstream(now: datetime) -> Upstream:
    """A group of 2 projects found by the sync, pages of 5 (several per list); the newest merge
    request of the first project merged (or renamed) before the second sync, which reads its
    detail again."""
    world = generate_gitlab_world(
        seed=8,
        group="acme",
        projects=2,
        merge_requests=16,
        issues=8,
        releases=3,
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2026, 1, 1, tzinfo=UTC),
    )
    sim = Simulator()
    sim.add_provider(GitLabProvider(world, token=GL_TOKEN, page_size_max=GH_PAGE))
    project = world.projects[0]
    newest = max(project.merge_requests, key=lambda mr: mr["created_at"])

    def make() -> Source:
        team, _ = Team.objects.get_or_create(slug="platform", defaults={"name": "Platform"})
        source = Source.objects.create(
            name="gl", kind="gitlab", base_url=f"{sim.base_url}/api/v4", token=GL_TOKEN
        )
        RepoGroup.objects.create(source=source, path="acme", team=team)
        return source

    def change() -> None:
        at = datetime(2026, 2, 1, tzinfo=UTC)
        if newest["state"] == "opened":
            project.merge_request_update(newest["iid"], at, state="merged", merged_at=at)
        else:
            project.merge_request_update(newest["iid"], at, title="renamed upstream")

    return Upstream("gitlab", sim, make, change, world)


UPSTREAMS: dict[str, Callable[[datetime], Upstream]] = {
    "github": github_upstream,
    "github-rest": github_rest_upstream,
    "gitlab": gitlab_upstream,
    "jira": jira_upstream,
    "pagerduty": pagerduty_upstream,
}


def now_seconds() -> datetime:
    """Now, to the second (PagerDuty payloads carry whole seconds)."""
    return datetime.now(UTC).replace(microsecond=0)


@contextmanager
def serving(provider: str, now: datetime) -> Iterator[Upstream]:
    """A fresh upstream of `provider` (the same world every time for the same `now`), served."""
    upstream = UPSTREAMS[provider](now)
    with upstream.simulator:
        yield upstream


@dataclass
class Step:
    """One sync of the scenario: its run, the requests it made, the fault rules it met."""

    run: SyncRun
    requests: list[RequestRecord]
    rules: list[FaultRule] = field(default_factory=list)


def scenario_sync(
    upstream: Upstream,
    inject: Callable[[int], list[FaultRule]] | None = None,
    source: Source | None = None,
) -> list[Step]:
    """First sync, upstream change, incremental sync. `inject(step)` adds the fault rules of a
    step (0 or 1) to the simulator and returns them."""
    source = source or upstream.make_source()
    steps = []
    for index in (0, 1):
        if index:
            upstream.change()
        rules = inject(index) if inject else []
        upstream.simulator.reset_requests()
        run = source_sync(source=source)
        steps.append(Step(run, upstream.simulator.requests, rules))
    return steps


def sources_forget() -> None:
    """Delete every source and, by cascade, all it synced, its runs, cursors and ETags."""
    Source.objects.all().delete()


def clean_rows(provider: str, now: datetime) -> dict[str, list[tuple]]:
    """The rows a clean sync of `provider`'s world stores (`rows_snapshot`), then forgotten, so
    a test can run the faulty sync on an empty database and compare."""
    with serving(provider, now) as upstream:
        assert source_sync(source=upstream.make_source()).status == "succeeded"
    want = rows_snapshot()
    sources_forget()
    return want


# --- endpoints -------------------------------------------------------------------------------


def endpoint_template(path: str) -> str:
    """The endpoint a request path belongs to: ids (segments holding a digit) and a GitHub
    repository's owner and name become `{}`; `/repos/acme/api/pulls/12` →
    `/repos/{}/{}/pulls/{}`, `/incidents/Q0000007SIM` → `/incidents/{}`."""
    parts = path.strip("/").split("/")
    out = [
        "{}"
        if any(c.isdigit() for c in part) or (parts[0] == "repos" and index in (1, 2))
        else part
        for index, part in enumerate(parts)
    ]
    return "/" + "/".join(out)


def endpoint_templates(requests: list[RequestRecord]) -> set[str]:
    """Every endpoint a request log touched."""
    return {endpoint_template(r.path) for r in requests}


def endpoint_regex(template: str) -> str:
    """A FaultRule regex (searched in "path?query") matching exactly the endpoint `template`."""
    pieces = ["[^/?]+" if part == "{}" else re.escape(part) for part in template.split("/")]
    return "^" + "/".join(pieces) + r"(\?|$)"


# --- rows ------------------------------------------------------------------------------------

SYNCED: list[type[models.Model]] = [
    Repo,
    PagerDutyService,
    JiraProject,
    PullRequest,
    Release,
    Tag,
    Deployment,
    Issue,
    JiraIssue,
    Incident,
]
NATURAL_KEYS: dict[type[models.Model], str] = {
    Source: "name",
    Team: "slug",
    Repo: "full_name",
    RepoGroup: "path",
    JiraProject: "key",
    PagerDutyService: "service_id",
}
BOOKKEEPING = frozenset({"statuses_synced_at"})  # when Keel last looked, not upstream data


def _columns(model: type[models.Model]) -> list[str]:
    names = []
    for f in model._meta.concrete_fields:
        if f.primary_key or f.name in BOOKKEEPING or getattr(f, "auto_now", False):
            continue
        if getattr(f, "auto_now_add", False):
            continue
        names.append(f"{f.name}__{NATURAL_KEYS[f.related_model]}" if f.is_relation else f.attname)
    return names


def rows_snapshot() -> dict[str, list[tuple]]:
    """Every synced table as a sorted list of rows: all columns except surrogate keys and sync
    bookkeeping timestamps, foreign keys by the natural key of the row they point to. A list,
    not a set, so a duplicate would show."""
    return {
        model._meta.label: sorted(model.objects.values_list(*_columns(model)), key=repr)
        for model in SYNCED
    }


# --- a database a child process shares ------------------------------------------------------


class SharedDatabase:
    """The test database as a child process (a sync to kill, a Celery worker) sees it.

    PostgreSQL: the test database itself. SQLite: pytest-django's test database lives in
    memory, so `push()` copies it to a file the child opens and `pull()` copies the file back
    (SQLite's online backup API), after which the test's ORM sees what the child committed.
    Use with `django_db(transaction=True)` so the test's own writes are committed.
    """

    def __init__(self, directory: Path) -> None:
        self.file = directory / "shared.sqlite3"

    @property
    def sqlite(self) -> bool:
        return connection.vendor == "sqlite"

    def url(self) -> str:
        """DATABASE_URL for the child (no password: CI's PostgreSQL trusts local users)."""
        if self.sqlite:
            return f"sqlite:///{self.file}"
        db = connection.settings_dict
        host, port = db["HOST"] or "127.0.0.1", db["PORT"] or 5432
        return f"postgres://{db['USER']}@{host}:{port}/{db['NAME']}"

    def push(self) -> None:
        """SQLite: copy the in-memory test database to the file the child opens."""
        if self.sqlite:
            connection.ensure_connection()
            target = sqlite3.connect(self.file)
            try:
                connection.connection.backup(target)
            finally:
                target.close()

    def pull(self) -> None:
        """SQLite: copy what the child committed back into the test database."""
        if self.sqlite:
            connection.ensure_connection()
            origin = sqlite3.connect(self.file)
            try:
                origin.backup(connection.connection)
            finally:
                origin.close()
