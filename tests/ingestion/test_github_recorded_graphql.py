"""Real pull requests of apache/incubator-devlake, recorded from GitHub's GraphQL API
(tests/fixtures/github_graphql/devlake_pull_requests.json, in GitHub's wire form), served by
the simulator as a live repository and synced with Keel's GraphQL client. The facts asserted
are those of the recording (tests/fixtures/README.md, "Facts the tests assert")."""

import json
from collections import Counter
from collections.abc import Iterator

import pytest
from django.db.models import Sum

from apps.delivery.models import PullRequest, PullRequestCommit, PullRequestReview
from apps.ingestion.services import source_sync
from integrations.simulator import GitHubWorld, Simulator, load_graphql_pulls
from tests.fixtures import FIXTURES
from tests.ingestion.conftest import TOKEN, make_source
from tests.ingestion.test_github_pull_detail import forget_everything, snapshot

FULL_NAME = "apache/incubator-devlake"


def recorded_nodes() -> list[dict]:
    with (FIXTURES / "github_graphql" / "devlake_pull_requests.json").open(encoding="utf-8") as f:
        recording = json.load(f)
    return [
        n
        for page in recording["pages"]
        for n in page["data"]["repository"]["pullRequests"]["nodes"]
    ]


@pytest.fixture(scope="module")
def devlake() -> GitHubWorld:
    return load_graphql_pulls(recorded_nodes(), FULL_NAME)


@pytest.fixture
def devlake_sim(devlake: GitHubWorld) -> Iterator[Simulator]:
    with Simulator(github=devlake, token=TOKEN) as sim:
        yield sim


@pytest.fixture
def synced(db, devlake_sim: Simulator):
    source = make_source(devlake_sim.base_url, [FULL_NAME])
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    return run


def test_pull_requests_by_state(synced) -> None:
    pulls = PullRequest.objects.all()
    assert pulls.count() == 161
    assert Counter(pulls.values_list("state", flat=True)) == {"closed": 157, "open": 4}
    assert pulls.filter(merged_at__isnull=False).count() == 152
    unmerged = pulls.filter(state="closed", merged_at__isnull=True)
    assert sorted(unmerged.values_list("number", flat=True)) == [7713, 7725, 7860, 7883, 7903]
    assert sorted(pulls.filter(state="open").values_list("number", flat=True)) == [
        7809,
        7849,
        7910,
        7912,
    ]
    assert pulls.filter(is_draft=True).count() == 0


def test_sizes_add_up_to_the_recording(synced) -> None:
    sums = PullRequest.objects.aggregate(a=Sum("additions"), d=Sum("deletions"))
    assert (sums["a"], sums["d"]) == (24439, 13320)
    merged = PullRequest.objects.filter(merged_at__isnull=False)
    sums = merged.aggregate(a=Sum("additions"), d=Sum("deletions"))
    assert (sums["a"], sums["d"]) == (13427, 7726)


def test_commits_are_paged_to_the_end(synced) -> None:
    assert PullRequest.objects.aggregate(n=Sum("commits_count"))["n"] == 459
    assert PullRequestCommit.objects.count() == 459  # 444 recorded + #7725's 15 more
    release = PullRequest.objects.get(number=7725)
    assert (release.commits_count, release.commits.count()) == (115, 115)
    node = next(n for n in recorded_nodes() if n["number"] == 7725)
    recorded = [c["commit"]["oid"] for c in node["commits"]["nodes"]]
    assert len(recorded) == 100 and node["commits"]["pageInfo"]["hasNextPage"]
    assert list(release.commits.values_list("sha", flat=True)[:100]) == recorded
    # 161 PRs in pages of 24 (7 queries), then #7725's second commit page together with the
    # second page of its 204 files (derived: one per 40 lines), then its third file page
    assert (synced.points_spent, synced.counts[f"{FULL_NAME}/pulls"]) == (9, 161)
    assert release.files.count() == release.changed_files == 204


def test_reviews_and_authors(synced) -> None:
    reviews = PullRequestReview.objects.all()
    assert reviews.count() == 96
    assert Counter(reviews.values_list("state", flat=True)) == {
        "APPROVED": 85,
        "COMMENTED": 8,
        "DISMISSED": 2,
        "CHANGES_REQUESTED": 1,
    }
    assert PullRequest.objects.filter(reviews__isnull=False).distinct().count() == 85
    bots = PullRequest.objects.filter(user_is_bot=True)
    assert bots.count() == 56
    assert all("bot/auto-cherry-pick" in labels for labels in bots.values_list("labels", flat=True))
    authors = Counter(
        PullRequest.objects.filter(user_is_bot=False).values_list("user_login", flat=True)
    )
    assert authors.most_common(3) == [("d4x1", 45), ("klesh", 19), ("Startrekzky", 13)]
    assert (
        sum(len(labels) for labels in PullRequest.objects.values_list("labels", flat=True)) == 871
    )


def test_rest_stores_the_same_rows(db, devlake_sim: Simulator) -> None:
    source = make_source(devlake_sim.base_url, [FULL_NAME])
    assert source_sync(source=source).status == "succeeded"
    over_graphql = snapshot()
    forget_everything()
    source.api = "rest"
    source.save()
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    over_rest = snapshot()
    # Closing issues are GitHub's own list over GraphQL, and the body's closing keywords over
    # REST (which has no such list): here the keywords name issues the recording does not hold,
    # so GitHub (the simulator) lists none. Every other value is the same.
    refs = PullRequest._meta.get_field("closing_issue_refs").attname
    names = [f.attname for f in PullRequest._meta.concrete_fields if not f.primary_key]
    at = names.index(refs)
    graphql_refs = [row[at] for row in over_graphql["PullRequest"]]
    rest_refs = [row[at] for row in over_rest["PullRequest"]]
    assert (sum(map(bool, graphql_refs)), sum(map(bool, rest_refs))) == (0, 18)
    for rows in (over_graphql["PullRequest"], over_rest["PullRequest"]):
        rows[:] = [row[:at] + row[at + 1 :] for row in rows]
    assert over_rest == over_graphql
    # GET /pulls/{n}, its commits, reviews, files and timeline per PR; #7725 takes 2 pages of
    # commits, 3 of files (204) and 2 of timeline (its 115 commits are events too)
    details = [r for r in devlake_sim.requests if "/pulls/" in r.path or "/timeline" in r.path]
    assert len(details) == 161 * 5 + 1 + 2 + 1
