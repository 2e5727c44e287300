"""The GitHub sync against the simulator: completeness, incremental cost, idempotence."""

from datetime import UTC, datetime

from apps.delivery.models import Deployment, PullRequest, Release, Tag
from apps.ingestion.models import SyncCursor
from apps.ingestion.services import source_sync
from apps.quality.models import Issue
from integrations.simulator import GitHubWorld


def expected(world: GitHubWorld) -> dict[str, set]:
    """What a complete sync must store, straight from the simulated organisation."""
    out: dict[str, set] = {
        "pulls": set(),
        "issues": set(),
        "releases": set(),
        "tags": set(),
        "deployments": set(),
    }
    for repo in world.repos:
        out["pulls"] |= {
            (p["id"], p["updated_at"], p["merged_at"], p["additions"], p["deletions"])
            for p in repo.pulls
        }
        out["issues"] |= {(i["id"], i["state"]) for i in repo.issues if "pull_request" not in i}
        out["releases"] |= {r["id"] for r in repo.releases}
        out["tags"] |= {(repo.full_name, t["name"], t["commit"]["sha"]) for t in repo.tags}
        out["deployments"] |= {d["id"] for d in repo.deployments}
    return out


def stored() -> dict[str, set]:
    def iso(value):
        return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") if value else None

    return {
        "pulls": {
            (p.external_id, iso(p.updated_at), iso(p.merged_at), p.additions, p.deletions)
            for p in PullRequest.objects.all()
        },
        "issues": set(Issue.objects.values_list("external_id", "state")),
        "releases": set(Release.objects.values_list("external_id", flat=True)),
        "tags": set(Tag.objects.values_list("repo__full_name", "name", "sha")),
        "deployments": set(Deployment.objects.values_list("external_id", flat=True)),
    }


def test_full_sync_stores_exactly_the_upstream(source, world: GitHubWorld) -> None:
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    want = expected(world)
    assert stored() == want
    assert len(want["pulls"]) > 100 and len(want["issues"]) > 20  # the world is not trivial
    # Tag dates are fetched only for the repo whose releases come from tags (repo 2 of 2 here).
    tags_repo = source.repos.get(release_source="tags")
    assert not Tag.objects.filter(repo=tags_repo, committed_at__isnull=True).exists()
    assert run.requests_made > 0 and run.not_modified == 0


def test_resync_with_nothing_changed_is_one_request_per_list(source, simulator) -> None:
    source_sync(source=source)
    before = stored()
    simulator.reset_requests()
    run = source_sync(source=source)
    assert run.status == "succeeded"
    # Per repo: 4 REST lists (releases, tags, deployments, issues) answered 304, and one
    # GraphQL page of pull requests that has nothing updated since the cursor.
    assert (
        sorted((r.method, r.status) for r in simulator.requests)
        == [("GET", 304)] * 8 + [("POST", 200)] * 2
    )
    assert run.requests_made == 10 and run.not_modified == 8 and run.points_spent == 2
    assert sum(run.counts.values()) == 0
    assert stored() == before


def test_resync_over_rest_with_nothing_changed_is_one_304_per_list(source, simulator) -> None:
    source.api = "rest"
    source.save()
    source_sync(source=source)
    before = stored()
    simulator.reset_requests()
    run = source_sync(source=source)
    assert run.status == "succeeded"
    # 5 list endpoints (releases, tags, deployments, pulls, issues) x 2 repos, all 304.
    assert [r.status for r in simulator.requests] == [304] * 10
    assert run.requests_made == 10 and run.not_modified == 10 and run.points_spent == 0
    assert sum(run.counts.values()) == 0
    assert stored() == before


def test_incremental_sync_reads_only_what_changed(source, simulator, world) -> None:
    source_sync(source=source)
    repo = world.repos[0]
    added = repo.add_pull("API-7 add cache", author="carol")
    repo.merge_pull(added["number"], at=datetime(2026, 6, 2, tzinfo=UTC))
    open_issue = next(i for i in repo.issues if i["state"] == "open" and "pull_request" not in i)
    repo.close_issue(open_issue["number"], at=datetime(2026, 6, 3, tzinfo=UTC))
    simulator.reset_requests()
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    assert stored() == expected(world)
    assert Issue.objects.get(external_id=open_issue["id"]).state == "closed"
    new_pr = PullRequest.objects.get(external_id=added["id"])
    assert new_pr.merged_at == datetime(2026, 6, 2, tzinfo=UTC) and new_pr.additions is not None
    assert new_pr.commits.count() == new_pr.commits_count > 0
    # One GraphQL page per repo brings the new PR with its detail; no REST request per PR.
    assert [r.method for r in simulator.requests].count("POST") == 2
    assert not [r for r in simulator.requests if "/pulls" in r.path]
    assert run.counts[f"{repo.full_name}/pulls"] == 1
    assert run.counts.get(f"{world.repos[1].full_name}/pulls", 0) == 0


def test_cursors_follow_update_times(source, world) -> None:
    source_sync(source=source)
    repo = world.repos[0]
    cursor = SyncCursor.objects.get(source=source, scope=repo.full_name, endpoint="pulls")
    newest = max(p["updated_at"] for p in repo.pulls)
    assert datetime.fromisoformat(cursor.value) == datetime.fromisoformat(newest)


def test_nul_characters_are_dropped_on_ingest(source, world) -> None:
    # PostgreSQL refuses NUL in text and jsonb; real upstream text can contain it.
    repo = world.repos[0]
    repo.edit_pull(repo.pulls[0]["number"], title="fix\x00 crash", body="a\x00b")
    source_sync(source=source)
    stored_pr = PullRequest.objects.get(external_id=repo.pulls[0]["id"])
    assert (stored_pr.title, stored_pr.body) == ("fix crash", "ab")


def test_a_scoped_sync_reads_only_the_named_repo(source, simulator, world) -> None:
    first, second = world.repos[0].full_name, world.repos[1].full_name
    run = source_sync(source=source, scopes=[first.upper()])
    assert run.status == "succeeded"
    assert {r.path.split("/")[3] for r in simulator.requests if r.path.startswith("/repos/")} == {
        first.split("/")[1]
    }
    assert PullRequest.objects.filter(repo__full_name=second).count() == 0


def test_a_disabled_repo_is_not_synced(source, simulator, world) -> None:
    first, second = world.repos[0].full_name, world.repos[1].full_name
    source.repos.filter(full_name=second).update(enabled=False)

    run = source_sync(source=source)

    assert run.status == "succeeded"
    assert {r.path.split("/")[3] for r in simulator.requests if r.path.startswith("/repos/")} == {
        first.split("/")[1]
    }
    assert PullRequest.objects.filter(repo__full_name=second).count() == 0


def test_issues_keep_how_they_were_closed(source, world) -> None:
    source_sync(source=source)

    want = {
        i["id"]: i["state_reason"] or ""
        for repo in world.repos
        for i in repo.issues
        if "pull_request" not in i
    }
    assert dict(Issue.objects.values_list("external_id", "state_reason")) == want
    assert {"completed", "not_planned"} <= set(want.values())
