"""GitLab sync against the simulator: the recorded snowflake_spend project (facts in
tests/fixtures/README.md) and a generated group; idempotence, no-change re-syncs, cursors."""

from collections import Counter
from datetime import UTC, datetime

import pytest

from apps.delivery.models import (
    Deployment,
    PullRequest,
    PullRequestCommit,
    PullRequestFile,
    PullRequestReview,
    Release,
    Tag,
)
from apps.ingestion.models import SyncCursor
from apps.ingestion.services import source_sync
from apps.organization.models import Repo, Source, Team
from apps.quality.models import Issue
from integrations.simulator import FaultRule, Simulator
from integrations.simulator.gitlab import (
    GitLabProvider,
    GitLabWorld,
    generate_gitlab_world,
    load_recorded_gitlab,
)
from tests.fixtures import FIXTURES

TOKEN = "glpat-TestTokenDoNotLeak0123"
SNOWFLAKE = "gitlab-data/snowflake_spend"


def serve(world: GitLabWorld) -> Simulator:
    simulator = Simulator()
    simulator.add_provider(GitLabProvider(world, token=TOKEN))
    return simulator


def make_source(base_url: str, projects: list[str], name: str = "gl") -> Source:
    team, _ = Team.objects.get_or_create(slug="data", defaults={"name": "Data"})
    source = Source.objects.create(
        name=name, kind="gitlab", base_url=f"{base_url}/api/v4", token=TOKEN
    )
    for path in projects:
        Repo.objects.create(source=source, full_name=path, team=team)
    return source


def rows() -> dict[str, list]:
    """Every stored GitLab row without database ids."""
    out = {}
    for model in (
        PullRequest,
        PullRequestCommit,
        PullRequestReview,
        PullRequestFile,
        Release,
        Tag,
        Deployment,
        Issue,
    ):
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not f.primary_key and f.attname not in ("pull_id", "repo_id")
        ]
        out[model.__name__] = sorted(model.objects.values_list(*names), key=repr)
    return out


@pytest.fixture
def recorded(db):
    with serve(load_recorded_gitlab(FIXTURES / "gitlab")) as sim:
        source = make_source(sim.base_url, [SNOWFLAKE])
        run = source_sync(source=source)
        assert run.status == "succeeded", run.error
        yield sim, source, run


def test_recorded_project_facts(recorded) -> None:
    repo = Repo.objects.get(full_name=SNOWFLAKE)
    assert (repo.external_id, repo.default_branch) == (12345678, "master")
    pulls = PullRequest.objects.filter(repo=repo)
    assert pulls.count() == 18 and set(pulls.values_list("provider", flat=True)) == {"gitlab"}
    assert Counter(pulls.values_list("state", flat=True)) == {"closed": 13, "open": 5}
    assert pulls.filter(merged_at__isnull=False).count() == 10
    assert sorted(pulls.filter(is_draft=True).values_list("number", flat=True)) == [20, 21]
    one = pulls.get(number=1)
    assert one.closed_at == one.merged_at == datetime(2019, 6, 28, 14, 32, 6, 192_000, tzinfo=UTC)
    assert one.merge_commit_sha == "da1d6dea48f5972ffc683da6cff30934e7d6c52c"
    assert one.closing_issue_refs == [f"{SNOWFLAKE}#1"]  # "Closes #1"
    assert one.html_url == "https://gitlab.com/gitlab-data/snowflake_spend/-/merge_requests/1"
    commits = PullRequestCommit.objects.filter(pull__repo=repo)
    assert commits.count() == 26 and pulls.get(number=5).commits_count == 18
    reviews = PullRequestReview.objects.filter(pull__repo=repo).order_by("submitted_at")
    assert [(r.pull.number, r.author_login, r.state) for r in reviews] == [
        (18, "liyongfeng", "APPROVED"),
        (19, "liyongfeng", "APPROVED"),
        (21, "basicthinker", "DISMISSED"),
        (21, "basicthinker", "APPROVED"),
        (20, "hackwaly", "APPROVED"),
    ]
    # sizes: derived diffs (none were recorded), counted line by line
    assert all(p.additions + p.deletions > 0 and p.changed_files for p in pulls)
    files = PullRequestFile.objects.filter(pull=one)
    assert sum(files.values_list("additions", flat=True)) == one.additions


def test_recorded_issues_and_deployments(recorded) -> None:
    issues = Issue.objects.all()
    assert issues.count() == 16 and Counter(issues.values_list("state", flat=True)) == {
        "closed": 12,
        "open": 4,
    }
    assert sorted(issues.filter(state="open").values_list("number", flat=True)) == [3, 13, 14, 15]
    assert issues.get(number=1).user_login == "emilie"
    deployments = Deployment.objects.all()
    assert Counter(deployments.values_list("environment", flat=True)) == {
        "staging": 5,
        "production": 3,
    }
    succeeded = deployments.filter(first_success_at__isnull=False)
    # only the one deployment GitLab calls `success`, finished when its job did
    assert [(d.external_id, d.first_success_at) for d in succeeded] == [
        (13426753, datetime(2019, 3, 13, 14, 17, 47, 640_000, tzinfo=UTC))
    ]
    assert Release.objects.count() == Tag.objects.count() == 0


def test_no_change_resync_costs_one_request_per_list(recorded) -> None:
    sim, source, first = recorded
    before = rows()
    sim.reset_requests()
    second = source_sync(source=source)
    assert second.status == "succeeded" and sum(second.counts.values()) == 0
    paths = [r.path.rsplit("/", 1)[-1] for r in sim.requests]
    assert sorted(paths) == ["deployments", "issues", "merge_requests", "releases", "tags"]
    assert [r.status for r in sim.requests if r.path.endswith(("tags", "releases"))] == [304, 304]
    assert rows() == before and second.changed_from is None


@pytest.fixture
def group(db):
    world = generate_gitlab_world(
        seed=9, group="acme", projects=2, merge_requests=60, issues=20, releases=6,
        start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 7, 1, tzinfo=UTC),
    )  # fmt: skip
    with serve(world) as sim:
        yield world, sim, make_source(sim.base_url, ["acme/api", "acme/web"])


def test_change_is_read_from_the_cursor(group) -> None:
    world, sim, source = group
    assert source_sync(source=source).status == "succeeded"
    assert Release.objects.count() == Tag.objects.count() == 6
    assert PullRequest.objects.count() == 60
    project = world.projects[0]
    opened = next(mr for mr in project.merge_requests if mr["state"] == "opened")
    at = datetime(2025, 7, 2, tzinfo=UTC)
    project.merge_request_update(opened["iid"], at, state="merged", merged_at=at)
    sim.reset_requests()
    run = source_sync(source=source)
    stored = PullRequest.objects.get(repo__full_name="acme/api", number=opened["iid"])
    (approval,) = PullRequestReview.objects.filter(pull=stored)  # approved before the merge
    assert stored.merged_at == at and approval.submitted_at < at
    assert run.changed_from == approval.submitted_at  # the earliest new instant
    details = [r.path for r in sim.requests if "/merge_requests/" in r.path]
    assert sorted(p.rsplit("/", 1)[-1] for p in details) == ["commits", "diffs", "notes"]
    cursor = SyncCursor.objects.get(scope="acme/api", endpoint="merge_requests")
    assert cursor.value == at.isoformat()


def test_failed_page_keeps_cursor_and_rerun_matches(group) -> None:
    world, sim, source = group
    diffs = r"acme%2Fweb/merge_requests/[0-9]+/diffs"
    sim.faults.add(FaultRule(path=diffs, kind="malformed", times=-1, skip=3))
    failed = source_sync(source=source)
    assert failed.status == "failed"
    assert "GitLab project 'acme/web', merge request !4 diffs: response from" in failed.error
    assert TOKEN not in failed.error
    assert not SyncCursor.objects.filter(scope="acme/web", endpoint="merge_requests").exists()
    sim.faults.clear()
    assert source_sync(source=source).status == "succeeded"
    again = rows()
    Source.objects.all().delete()
    clean = make_source(sim.base_url, ["acme/api", "acme/web"], name="clean")
    assert source_sync(source=clean).status == "succeeded"
    assert rows() == again


def test_unknown_project_fails_alone(group) -> None:
    world, sim, source = group
    Repo.objects.create(source=source, full_name="acme/gone")
    run = source_sync(source=source)
    assert run.status == "partial"
    assert run.scope_errors["acme/gone"].startswith("project not found (404) at ")
    assert PullRequest.objects.filter(repo__full_name="acme/web").exists()
