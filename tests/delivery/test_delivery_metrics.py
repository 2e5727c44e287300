"""Hand-computed delivery metrics (docs/metrics.md#delivery)."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from apps.delivery.computations import size_points
from apps.delivery.metrics import delivery_compute, delivery_records
from apps.delivery.models import Deployment, PullRequest, Release, Tag
from apps.metrics.registry import ComputeContext, RecordsQuery
from apps.organization.models import Repo, Source, Team

NOW = datetime(2026, 4, 15, tzinfo=UTC)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("lines", "points"),
    [(0, 1), (10, 1), (11, 2), (50, 2), (51, 3), (250, 3), (251, 5), (1000, 5), (1001, 8)],
)
def test_size_buckets_edges(lines: int, points: int) -> None:
    assert size_points(lines) == points


@pytest.fixture
def repo(db) -> Repo:
    team = Team.objects.create(slug="platform", name="Platform")
    source = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    return Repo.objects.create(
        source=source,
        full_name="acme/api",
        team=team,
        release_source="tags",
        tag_pattern=r"^v[0-9]",
    )


def pr(repo: Repo, number: int, merged_at: datetime | None, lines: int | None) -> PullRequest:
    return PullRequest.objects.create(
        repo=repo,
        external_id=1000 + number,
        number=number,
        title=f"PR {number}",
        state="closed",
        created_at=at(2026, 1, 1),
        updated_at=at(2026, 4, 2),
        merged_at=merged_at,
        closed_at=merged_at or at(2026, 3, 3),
        additions=lines,
        deletions=0 if lines is not None else None,
    )


@pytest.fixture
def history(repo: Repo) -> Repo:
    # Releases (tags matching ^v[0-9]): t1 Mon 2026-03-02 10:00, t2 Tue 03-10 12:00,
    # t3 Wed 04-01 00:00 UTC. "nightly" does not match the pattern; v9 has no commit date yet.
    for name, when in [
        ("v1.0", at(2026, 3, 2, 10)),
        ("v1.1", at(2026, 3, 10, 12)),
        ("v1.2", at(2026, 4, 1)),
        ("nightly", at(2026, 3, 20)),
        ("v9", None),
    ]:
        Tag.objects.create(repo=repo, name=name, sha=name, committed_at=when)
    pr(repo, 1, at(2026, 3, 1), 5)  # (−∞, t1] → v1.0, 5 lines → 1 point
    pr(repo, 2, at(2026, 3, 2, 10), 60)  # exactly t1 → v1.0, 60 lines → 3 points
    pr(repo, 3, at(2026, 3, 5), 1001)  # (t1, t2] → v1.1, 8 points
    pr(repo, 4, at(2026, 3, 10, 12, 0, 1), 250)  # (t2, t3] → v1.2, 3 points
    pr(repo, 5, at(2026, 4, 2), 10)  # after the latest release: not counted yet
    pr(repo, 6, None, 10)  # closed unmerged: never counted
    return repo


def rows(frame: pd.DataFrame, metric: str, scope: str, granularity: str) -> dict:
    sel = frame[
        (frame.metric == metric) & (frame.scope == scope) & (frame.granularity == granularity)
    ]
    return {r.period_start: (r.value, r.sample_size) for r in sel.itertuples()}


def test_monthly_release_frequency_and_points(history: Repo) -> None:
    frame = delivery_compute(ComputeContext(tz="UTC", now=NOW))
    # March: v1.0 and v1.1 → 2 releases; points 1+3 (v1.0) + 8 (v1.1) = 12 over 3 PRs.
    # April: v1.2 → 1 release, 3 points over 1 PR (PR 5 is not shipped yet).
    assert rows(frame, "release_frequency", "org", "month") == {
        date(2026, 3, 1): (2.0, 2),
        date(2026, 4, 1): (1.0, 1),
    }
    assert rows(frame, "delivery_points", "org", "month") == {
        date(2026, 3, 1): (12.0, 3),
        date(2026, 4, 1): (3.0, 1),
    }
    assert rows(frame, "delivery_points", "team", "month") == rows(
        frame, "delivery_points", "org", "month"
    )


def test_weekly_series_is_gap_filled_to_the_current_week(history: Repo) -> None:
    frame = delivery_compute(ComputeContext(tz="UTC", now=NOW))
    # Weeks start Monday: v1.0 in 03-02, v1.1 in 03-09, v1.2 (Wed 04-01) in 03-30; zeros between
    # and up to the week of NOW (Wed 04-15 → 04-13).
    assert rows(frame, "release_frequency", "org", "week") == {
        date(2026, 3, 2): (1.0, 1),
        date(2026, 3, 9): (1.0, 1),
        date(2026, 3, 16): (0.0, 0),
        date(2026, 3, 23): (0.0, 0),
        date(2026, 3, 30): (1.0, 1),
        date(2026, 4, 6): (0.0, 0),
        date(2026, 4, 13): (0.0, 0),
    }
    assert rows(frame, "delivery_points", "org", "week")[date(2026, 3, 9)] == (8.0, 1)


def test_periods_follow_the_organisation_time_zone(history: Repo) -> None:
    # v1.2 at 2026-04-01 00:00 UTC is 2026-03-31 20:00 in New York: a March release there.
    frame = delivery_compute(ComputeContext(tz="America/New_York", now=NOW))
    assert rows(frame, "release_frequency", "org", "month") == {
        date(2026, 3, 1): (3.0, 3),
        date(2026, 4, 1): (0.0, 0),
    }


def test_releases_source_skips_drafts_and_prereleases(repo: Repo) -> None:
    repo.release_source = "releases"
    repo.save()
    for gid, draft, pre in [(1, False, False), (2, True, False), (3, False, True)]:
        Release.objects.create(
            repo=repo,
            external_id=gid,
            tag_name=f"v{gid}",
            draft=draft,
            prerelease=pre,
            published_at=at(2026, 3, 3),
        )
    frame = delivery_compute(ComputeContext(tz="UTC", now=NOW))
    assert rows(frame, "release_frequency", "org", "month")[date(2026, 3, 1)] == (1.0, 1)


def test_deployments_source_uses_earliest_success_in_matching_environment(repo: Repo) -> None:
    repo.release_source = "deployments"
    repo.production_environment = "^production$"
    repo.save()
    Deployment.objects.create(
        repo=repo,
        external_id=1,
        environment="production",
        created_at=at(2026, 2, 27),
        first_success_at=at(2026, 3, 1, 1),
    )
    Deployment.objects.create(
        repo=repo,
        external_id=2,
        environment="staging",
        created_at=at(2026, 3, 2),
        first_success_at=at(2026, 3, 2, 1),
    )
    Deployment.objects.create(
        repo=repo,
        external_id=3,
        environment="production",
        created_at=at(2026, 3, 4),
        first_success_at=None,
    )  # never succeeded
    frame = delivery_compute(ComputeContext(tz="UTC", now=NOW))
    # Only deployment 1 counts, in March (its success), not February (its creation).
    assert rows(frame, "release_frequency", "org", "month") == {
        date(2026, 3, 1): (1.0, 1),
        date(2026, 4, 1): (0.0, 0),
    }


def test_records_behind_a_number(history: Repo) -> None:
    query = RecordsQuery(
        metric="delivery_points",
        scope="team",
        scope_key="platform",
        granularity="month",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 4, 1),
        tz="UTC",
        start_at=at(2026, 3, 1),
        end_at=at(2026, 4, 1),
    )
    records = delivery_records(query)
    assert [(r["number"], r["release"], r["points"]) for r in records] == [
        (1, "v1.0", 1.0),
        (2, "v1.0", 3.0),
        (3, "v1.1", 8.0),
    ]
    releases = delivery_records(RecordsQuery(**{**query.__dict__, "metric": "release_frequency"}))
    assert [(r["release"], r["changes"], r["points"]) for r in releases] == [
        ("v1.0", 2, 4.0),
        ("v1.1", 1, 8.0),
    ]
    assert releases[0]["url"] == "https://github.com/acme/api/releases/tag/v1.0"


def test_tags_on_one_commit_are_one_release(repo: Repo) -> None:
    # v1.2.0 and v1.2 tag commit c1 (one release); v1.3 tags commit c2 at the same instant in
    # another commit (a second release).
    for name, sha in (("v1.2.0", "c1"), ("v1.2", "c1"), ("v1.3", "c2")):
        Tag.objects.create(repo=repo, name=name, sha=sha, committed_at=at(2026, 3, 2, 10))
    pr(repo, 1, at(2026, 3, 1), 60)

    frame = delivery_compute(ComputeContext(tz="UTC", now=NOW))

    assert rows(frame, "release_frequency", "org", "month")[date(2026, 3, 1)] == (2.0, 2)
    assert rows(frame, "delivery_points", "org", "month")[date(2026, 3, 1)] == (3.0, 1)
    query = RecordsQuery(
        metric="release_frequency",
        scope="org",
        scope_key="",
        granularity="month",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 4, 1),
        tz="UTC",
        start_at=at(2026, 3, 1),
        end_at=at(2026, 4, 1),
    )
    assert [(r["release"], r["changes"]) for r in delivery_records(query)] == [
        ("v1.2, v1.2.0", 1),
        ("v1.3", 0),
    ]


@pytest.mark.parametrize(
    ("login", "user_type"), [("dependabot[bot]", "Bot"), ("renovate[bot]", ""), ("ci", "Bot")]
)
def test_a_bots_pull_request_ships_but_earns_no_points(repo: Repo, login, user_type) -> None:
    Tag.objects.create(repo=repo, name="v1", sha="c1", committed_at=at(2026, 3, 2, 10))
    pr(repo, 1, at(2026, 3, 1), 60)  # 3 points
    bot = pr(repo, 2, at(2026, 3, 1, 12), 3000)  # a lockfile bump: 8 points if a person's
    PullRequest.objects.filter(pk=bot.pk).update(user_login=login, user_type=user_type)

    frame = delivery_compute(ComputeContext(tz="UTC", now=NOW))

    # Both PRs ship with v1 (2 changes); only the person's earns points.
    assert rows(frame, "delivery_points", "org", "month")[date(2026, 3, 1)] == (3.0, 2)
    query = RecordsQuery(
        metric="delivery_points",
        scope="org",
        scope_key="",
        granularity="month",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 4, 1),
        tz="UTC",
        start_at=at(2026, 3, 1),
        end_at=at(2026, 4, 1),
    )
    records = delivery_records(query)
    assert [(r["number"], r["points"], r["bot"]) for r in records] == [
        (1, 3.0, False),
        (2, 0.0, True),
    ]
