"""Bad input and upstream failures (issue: 401, 404, 429, secondary limit, malformed page)."""

import pytest

from apps.delivery.models import PullRequest
from apps.ingestion.models import SyncCursor, SyncRun
from apps.ingestion.services import source_sync, sources_sync
from apps.organization.models import Repo
from integrations.simulator import FaultRule, Simulator
from tests.ingestion.conftest import TOKEN, make_source
from tests.ingestion.test_github_sync import expected, stored


def test_rejected_token_fails_the_run_and_keeps_stored_data(source, simulator, world) -> None:
    source_sync(source=source)
    before = stored()
    source.token = "ghp_wrong"
    source.save()
    run = source_sync(source=source)
    assert run.status == SyncRun.Status.FAILED
    assert "token rejected" in run.error
    assert "ghp_wrong" not in run.error and TOKEN not in run.error
    assert stored() == before


def test_one_source_failing_does_not_stop_the_others(db, simulator, world) -> None:
    good = make_source(simulator.base_url, [world.repos[0].full_name], name="good")
    make_source(simulator.base_url, [world.repos[1].full_name], name="bad", token="nope")
    runs = {r.source.name: r for r in sources_sync()}
    assert runs["bad"].status == "failed" and "token rejected" in runs["bad"].error
    assert runs["good"].status == "succeeded"
    assert PullRequest.objects.filter(repo__source=good).count() == len(world.repos[0].pulls)


def test_missing_repo_is_reported_and_the_rest_synced(source, world) -> None:
    Repo.objects.create(source=source, full_name="acme/does-not-exist")
    run = source_sync(source=source)
    assert run.status == SyncRun.Status.PARTIAL
    assert "repo not found (404)" in run.scope_errors["acme/does-not-exist"]
    assert stored() == expected(world)


@pytest.mark.parametrize(("api", "pulls"), [("rest", r"/pulls\?"), ("graphql", r"/graphql")])
def test_rate_limits_are_waited_out(source, simulator: Simulator, world, api, pulls) -> None:
    source.api = api
    source.save()
    simulator.faults.add(FaultRule(path=pulls, status=429, retry_after=1, times=1))
    simulator.faults.add(FaultRule(path=r"/issues", kind="secondary", retry_after=1, times=1))
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    assert run.rate_limit_waits == 2 and run.rate_limit_wait_seconds >= 2
    assert stored() == expected(world)


def test_malformed_page_fails_without_advancing_then_next_run_is_clean(
    source, simulator: Simulator, world
) -> None:
    # The second page of the first repo's pull list (over REST) is cut mid-JSON.
    source.api = "rest"
    source.save()
    first = world.repos[0].full_name
    simulator.faults.add(FaultRule(path=r"/pulls\?.*page=2", kind="malformed", times=1))
    run = source_sync(source=source)
    assert run.status == "failed" and "pulls" in run.error
    assert not SyncCursor.objects.filter(source=source, scope=first, endpoint="pulls").exists()
    assert 0 < PullRequest.objects.count() < len(expected(world)["pulls"])
    again = source_sync(source=source)
    assert again.status == "succeeded", again.error
    assert stored() == expected(world)
