"""Pull-request detail (commits, reviews, files, draft and ready time, bots, closing issues,
merge commit): the GraphQL and the REST path store identical rows, and re-syncs keep them."""

from datetime import UTC, datetime, timedelta

from django.db import models

from apps.delivery.models import (
    Deployment,
    PullRequest,
    PullRequestCommit,
    PullRequestFile,
    PullRequestReview,
    Release,
    Tag,
)
from apps.ingestion.models import HttpValidator, SyncCursor
from apps.ingestion.services import source_sync
from apps.quality.models import Issue
from integrations.simulator import GitHubWorld
from integrations.simulator.github.detail import commit_item, file_item
from integrations.simulator.github.objects import user_obj

STORED = [
    PullRequest,
    PullRequestCommit,
    PullRequestReview,
    PullRequestFile,
    Release,
    Tag,
    Deployment,
    Issue,
]
AT = datetime(2026, 5, 20, tzinfo=UTC)
BOOKKEEPING = {"statuses_synced_at"}  # when Keel last read a list, not what GitHub said


def rows(model: type[models.Model]) -> list[tuple]:
    """Every stored row of `model` without its own id and Keel's bookkeeping; a pull request
    is named by its GitHub id (database ids differ between two syncs)."""
    names = [
        "pull__external_id" if f.name == "pull" else f.attname
        for f in model._meta.concrete_fields
        if not f.primary_key and f.name not in BOOKKEEPING
    ]
    return sorted(model.objects.values_list(*names), key=repr)


def snapshot() -> dict[str, list[tuple]]:
    return {model.__name__: rows(model) for model in STORED}


def forget_everything() -> None:
    for model in [*STORED, SyncCursor, HttpValidator]:
        model.objects.all().delete()


def enrich(world: GitHubWorld) -> None:
    """Make every kind of detail appear: a draft made ready, a bot and a ghost author, a
    closing reference, a review by a deleted account, and a PR with 130 commits and 230 files
    (nested lists of more than one page)."""
    repo, other = world.repos[0], world.repos[1]
    issue = first_issue(repo)
    draft = repo.add_pull(
        "Draft work", body=f"Fixes #{issue}", author="dave", created_at=AT, draft=True
    )
    repo.mark_ready(draft["number"], at=AT + timedelta(hours=5))
    repo.add_pull("Bump lodash", author="dependabot[bot]", author_type="Bot", created_at=AT)
    ghost = repo.add_pull("Old branch", author="ghost", created_at=AT + timedelta(hours=1))
    repo.add_review(ghost["number"], reviewer="", state="COMMENTED", at=AT + timedelta(hours=2))
    body = f"Closes {other.full_name}#{first_issue(other)}"
    big = repo.add_pull("Big refactor", body=body, author="erin", created_at=AT)
    user = user_obj("erin")
    commits = [
        commit_item(
            repo.full_name,
            f"{i + 1:040x}",
            {
                "author": user if i % 3 else None,
                "name": "erin",
                "message": f"step {i}",
                "parent": "0" * 40,
                "authored_at": f"2026-05-19T{i % 24:02d}:00:00Z",
                "committed_at": f"2026-05-19T{i % 24:02d}:30:00Z",
            },
        )
        for i in range(130)
    ]
    files = [file_item(repo.full_name, f"src/mod_{i}.py", i % 7, i % 3) for i in range(230)]
    repo.set_pull_detail(big["number"], commits=commits, files=files, at=AT + timedelta(hours=3))
    repo.merge_pull(big["number"], at=AT + timedelta(hours=4), merged_by="carol")


def first_issue(repo) -> int:
    """The number of the repo's first issue that is not a pull request."""
    return next(i["number"] for i in repo.issues if "pull_request" not in i)


def test_graphql_and_rest_store_identical_rows(source, world: GitHubWorld) -> None:
    enrich(world)
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    over_graphql = snapshot()

    forget_everything()
    source.api = "rest"
    source.save()
    run_rest = source_sync(source=source)
    assert run_rest.status == "succeeded", run_rest.error
    over_rest = snapshot()

    for model in STORED:
        assert over_graphql[model.__name__] == over_rest[model.__name__], model.__name__
    # The detail is really there (not two equally empty tables).
    pulls = sum(len(r.pulls) for r in world.repos)
    assert len(over_rest["PullRequest"]) == pulls
    assert len(over_rest["PullRequestCommit"]) >= pulls + 129
    assert len(over_rest["PullRequestFile"]) >= pulls + 229
    assert len(over_rest["PullRequestReview"]) > 50
    # GraphQL: a few queries per repo; REST: five requests per pull request at least.
    assert run.requests_made * 20 <= run_rest.requests_made
    assert run_rest.requests_made >= 5 * pulls


def test_detail_fields_as_github_gives_them(source, world: GitHubWorld) -> None:
    enrich(world)
    assert source_sync(source=source).status == "succeeded"
    name = world.repos[0].full_name
    draft = PullRequest.objects.get(repo__full_name=name, title="Draft work")
    assert (draft.is_draft, draft.ready_for_review_at) == (False, AT + timedelta(hours=5))
    assert draft.closing_issue_refs == [f"{name}#{first_issue(world.repos[0])}"]
    bot = PullRequest.objects.get(repo__full_name=name, title="Bump lodash")
    assert (bot.user_login, bot.user_type, bot.user_is_bot) == ("dependabot[bot]", "Bot", True)
    ghost = PullRequest.objects.get(repo__full_name=name, title="Old branch")
    assert (ghost.user_login, ghost.user_is_bot) == ("ghost", False)
    assert list(ghost.reviews.values_list("author_login", "state"))[-1] == ("ghost", "COMMENTED")
    big = PullRequest.objects.get(repo__full_name=name, title="Big refactor")
    assert (big.commits_count, big.commits.count(), big.changed_files, big.files.count()) == (
        130,
        130,
        230,
        230,
    )
    assert list(big.commits.values_list("position", flat=True)) == list(range(130))
    assert big.commits.filter(author_login="").count() == 44  # no GitHub user: i % 3 == 0
    assert (big.additions, big.deletions) == (
        sum(i % 7 for i in range(230)),
        sum(i % 3 for i in range(230)),
    )
    other = world.repos[1]
    assert big.closing_issue_refs == [f"{other.full_name}#{first_issue(other)}"]
    assert len(big.merge_commit_sha) == 40
    assert big.reviews.filter(state="APPROVED", author_login="carol").exists()


def test_a_second_sync_keeps_the_rows_and_follows_removed_commits(source, world) -> None:
    enrich(world)
    source_sync(source=source)
    before = snapshot()
    run = source_sync(source=source)
    assert run.changed_from is None and sum(run.counts.values()) == 0
    assert snapshot() == before

    repo = world.repos[0]
    big = next(p for p in repo.pulls if p["title"] == "Big refactor")
    kept = repo.pull_commits[big["number"]][:10]
    repo.set_pull_detail(big["number"], commits=kept)  # a force-push, now
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    pull = PullRequest.objects.get(external_id=big["id"])
    assert (pull.commits_count, pull.commits.count()) == (10, 10)
    # The earliest dropped commit was authored at 2026-05-19 00:00: the recompute starts there.
    assert run.changed_from == datetime(2026, 5, 19, 0, 0, tzinfo=UTC)
