"""Bad input on the GraphQL path of the GitHub sync: each gives a clear run error or the right
wait, never advances a cursor past data it did not store, and the next run ends with exactly a
clean sync's rows (docs/operations.md#syncs-and-failures)."""

import json
from collections.abc import Iterator
from functools import partial

import pytest

from apps.delivery.models import PullRequest
from apps.ingestion import github_sync
from apps.ingestion.models import SyncCursor
from apps.ingestion.services import source_sync
from integrations.simulator import FaultRule, GitHubWorld, Simulator
from integrations.simulator.github.detail import commit_item, file_item
from integrations.simulator.github.objects import user_obj
from tests.ingestion.conftest import TOKEN, make_source
from tests.ingestion.test_github_pull_detail import forget_everything, snapshot


@pytest.fixture
def clean(source) -> dict:
    """The rows of a clean sync of the world (then forgotten, so the test starts empty)."""
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    rows = snapshot()
    forget_everything()
    return rows


def pulls_cursor(source, world: GitHubWorld):
    name = world.repos[0].full_name
    return SyncCursor.objects.filter(source=source, scope=name, endpoint="pulls").first()


def test_errors_with_partial_data_fail_the_run_then_the_next_run_is_clean(
    source, simulator: Simulator, world, clean
) -> None:
    # GitHub gave up on part of the second page of pull requests: data is partial, with errors.
    body = {
        "data": {"rateLimit": None, "repository": {"pullRequests": None}},
        "errors": [
            {
                "type": "SERVICE_UNAVAILABLE",
                "path": ["repository", "pullRequests"],
                "message": "Something went wrong while executing your query. Please retry.",
            }
        ],
    }
    simulator.faults.add(FaultRule(path=r"^/graphql", status=200, body=json.dumps(body), skip=1))
    run = source_sync(source=source)
    assert run.status == "failed"
    assert "Something went wrong while executing your query" in run.error
    assert "partial data: nothing of this page is stored" in run.error
    assert pulls_cursor(source, world) is None
    assert 0 < PullRequest.objects.count() < len(clean["PullRequest"])  # the first page only
    again = source_sync(source=source)
    assert again.status == "succeeded", again.error
    assert snapshot() == clean


def test_a_200_with_html_fails_the_run_then_the_next_run_is_clean(
    source, simulator: Simulator, world, clean
) -> None:
    simulator.faults.add(FaultRule(path=r"^/graphql", kind="html", skip=1))
    run = source_sync(source=source)
    assert run.status == "failed"
    assert "not valid JSON: an HTML page (an error or sign-in page?)" in run.error
    assert TOKEN not in run.error
    assert pulls_cursor(source, world) is None
    assert source_sync(source=source).status == "succeeded"
    assert snapshot() == clean


@pytest.fixture
def scarce(db, world: GitHubWorld) -> Iterator[Simulator]:
    """The world served with 3 GraphQL points left in the window."""
    with Simulator(github=world, token=TOKEN, graphql_rate_limit=3) as sim:
        yield sim


def test_no_points_left_is_a_clear_error_when_the_reset_is_too_far(scarce, world) -> None:
    source = make_source(scarce.base_url, [r.full_name for r in world.repos])
    run = source_sync(source=source)  # tests wait at most 5 s; the window resets in an hour
    assert run.status == "failed"
    assert "rate limit" in run.error and "max_wait" in run.error
    assert run.points_spent == 3
    assert pulls_cursor(source, world) is None
    # The pages read before the points ran out are committed, whole (24 PRs each).
    assert PullRequest.objects.count() == 2 * 24
    scarce.github.graphql_budget.limit = 5000  # the next hour
    again = source_sync(source=source)
    assert again.status == "succeeded", again.error
    assert PullRequest.objects.count() == sum(len(r.pulls) for r in world.repos)


def test_no_points_left_waits_until_the_reset(scarce, world, settings, monkeypatch) -> None:
    settings.KEEL_MAX_RATE_LIMIT_WAIT_SECONDS = 7200.0
    waits: list[float] = []

    def sleep(seconds: float) -> None:  # the window resets while the sync sleeps
        waits.append(seconds)
        scarce.github.graphql_budget.reset()

    build = partial(github_sync.github_graphql_client_build, sleep=sleep)
    monkeypatch.setattr(github_sync, "github_graphql_client_build", build)
    source = make_source(scarce.base_url, [r.full_name for r in world.repos])
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    assert run.rate_limit_waits >= 1 and all(3500 < w <= 3600 for w in waits)  # resetAt
    assert PullRequest.objects.count() == sum(len(r.pulls) for r in world.repos)
    assert pulls_cursor(source, world) is not None


def big_world() -> GitHubWorld:
    """One repo whose PR #2 has 300 commits and 3,000 files, by a deleted account (ghost)."""
    from datetime import UTC, datetime, timedelta

    t0 = datetime(2026, 3, 1, tzinfo=UTC)
    world = GitHubWorld()
    repo = world.add_repo("acme/api", created_at=t0)
    for i in range(3):
        author = "ghost" if i == 1 else "bob"
        pull = repo.add_pull(f"Change {i}", author=author, created_at=t0 + timedelta(hours=i))
        repo.merge_pull(pull["number"], at=t0 + timedelta(hours=i, minutes=30), merged_by="carol")
    commits = [
        commit_item(
            "acme/api",
            f"{i + 1:040x}",
            {
                "author": user_obj("bob"),
                "name": "bob",
                "message": f"c{i}",
                "parent": "0" * 40,
                "authored_at": "2026-02-01T00:00:00Z",
                "committed_at": "2026-02-01T00:00:00Z",
            },
        )
        for i in range(300)
    ]
    files = [file_item("acme/api", f"f/{i}.py", 1, i % 2) for i in range(3000)]
    repo.set_pull_detail(2, commits=commits, files=files, at=t0 + timedelta(days=2))
    return world


def test_300_commits_and_3000_files_by_a_ghost_both_ways(db) -> None:
    world = big_world()
    with Simulator(github=world, token=TOKEN) as sim:
        source = make_source(sim.base_url, ["acme/api"])
        run = source_sync(source=source)
        assert run.status == "succeeded", run.error
        big = PullRequest.objects.get(number=2)
        assert (big.user_login, big.user_type, big.user_is_bot) == ("ghost", "User", False)
        assert (big.commits_count, big.commits.count()) == (300, 250)  # GitHub lists 250
        assert (big.changed_files, big.files.count(), big.additions, big.deletions) == (
            3000,
            3000,
            3000,
            1500,
        )
        over_graphql = snapshot()
        assert source_sync(source=source).counts.get("acme/api/pulls", 0) == 0
        forget_everything()
        source.api = "rest"
        source.save()
        assert source_sync(source=source).status == "succeeded"
        assert snapshot() == over_graphql
