"""Hand-computed pull-request flow (docs/metrics.md#pull-request-flow): lead time for changes,
its four stages, reviews_given, and the bad inputs that must never give a negative duration."""

from datetime import UTC, date, datetime
from itertools import count

import pandas as pd
import pytest

from apps.delivery.models import PullRequest, PullRequestCommit, PullRequestReview, Tag
from apps.dora.flow_metrics import flow_compute, flow_records
from apps.metrics.frames import frame_normalize, frame_since
from apps.metrics.registry import ComputeContext, RecordsQuery
from apps.organization.models import Identity, Organization, Person, Repo, Source, Team

NOW = datetime(2026, 4, 15, tzinfo=UTC)
IDS = count(1)


def at(day: int, hour: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, tzinfo=UTC)


def change(repo, number, *, commits, created, merged, reviews=(), ready=None, author="bob-gh"):
    pull = PullRequest.objects.create(
        repo=repo,
        external_id=next(IDS),
        number=number,
        title=f"Change {number}",
        state="closed",
        user_login=author,
        created_at=created,
        updated_at=merged,
        merged_at=merged,
        closed_at=merged,
        ready_for_review_at=ready,
        is_draft=False,
        additions=3,
        deletions=1,
    )
    for i, authored in enumerate(commits):
        PullRequestCommit.objects.create(
            pull=pull,
            sha=f"{number:04d}{i:036d}",
            position=i,
            authored_at=authored,
            committed_at=authored,
        )
    for login, state, submitted in reviews:
        PullRequestReview.objects.create(
            pull=pull,
            external_id=next(IDS),
            state=state,
            author_login=login,
            author_type="Bot" if login.endswith("[bot]") else "User",
            submitted_at=submitted,
        )


@pytest.fixture
def world(db):
    Organization.objects.create(name="Acme", timezone="UTC")
    team = Team.objects.create(slug="platform", name="Platform")
    for email, login in [("bob@acme.test", "bob-gh"), ("carol@acme.test", "Carol-GH")]:
        person = Person.objects.create(email=email, team=team)
        Identity.objects.create(person=person, provider="github", external_id=login)
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(
        source=gh, full_name="acme/api", team=team, release_source="tags", tag_pattern="^v"
    )
    Tag.objects.create(repo=repo, name="v1", sha="a", committed_at=at(2, 12))
    Tag.objects.create(repo=repo, name="v2", sha="b", committed_at=at(4, 9))
    # #1: coding 10 h, pickup 4 h (a comment alone at 12:00 is no review), review 10 h,
    # deploy 12 h, lead 36 h.
    change(
        repo,
        1,
        commits=[at(1, 6), at(1, 0)],
        created=at(1, 10),
        merged=at(2, 0),
        reviews=[("carol-gh", "COMMENTED", at(1, 12)), ("carol-gh", "APPROVED", at(1, 14))],
    )
    # #2, a draft marked ready at 05:00: coding 1 h, pickup 1 h from ready, review 3 h,
    # deploy 24 h, lead 33 h. Carol's two reviews that day count once in reviews_given.
    change(
        repo,
        2,
        commits=[at(3, 0)],
        created=at(3, 1),
        ready=at(3, 5),
        merged=at(3, 9),
        reviews=[
            ("carol-gh", "CHANGES_REQUESTED", at(3, 6)),
            ("carol-gh", "APPROVED", at(3, 8)),
        ],
    )
    # #3, rebased: every commit dated after its merge, so the PR's creation is its first commit
    # (lead 33 h, coding 0, deploy 9 h); only its author and a bot reviewed it: no review.
    change(
        repo,
        3,
        commits=[at(5, 12)],
        created=at(3, 0),
        merged=at(4, 0),
        reviews=[("bob-gh", "APPROVED", at(3, 22)), ("dependabot[bot]", "APPROVED", at(3, 23))],
    )
    # #4: a review dated before the PR was created: pickup 0, review 1 h from the creation.
    change(
        repo,
        4,
        commits=[at(2, 20)],
        created=at(3, 2),
        merged=at(3, 3),
        reviews=[("carol-gh", "APPROVED", at(3, 1))],
    )
    return repo


def rows(frame, metric, granularity, scope="org", key=""):
    sel = frame[
        (frame["metric"] == metric)
        & (frame["scope"] == scope)
        & (frame["scope_key"] == key)
        & (frame["granularity"] == granularity)
    ]
    return {r.period_start: (r.value, r.sample_size, r.note) for r in sel.itertuples()}


def test_lead_time_and_stages(world):
    frame = flow_compute(ComputeContext(tz="UTC", now=NOW))
    week = date(2026, 3, 2)
    note = "1 of 4 changes merged without review"
    assert rows(frame, "lead_time_for_changes_hours", "week")[week] == (34.5, 4, note)
    assert rows(frame, "coding_hours", "week")[week] == (3.5, 4, "")
    assert rows(frame, "pickup_hours", "week")[week] == (1.0, 3, note)
    assert rows(frame, "review_hours", "week")[week] == (3.0, 3, note)
    assert rows(frame, "deploy_hours", "week")[week] == (18.0, 4, "")
    team = rows(frame, "lead_time_for_changes_hours", "month", "team", "platform")
    assert team[date(2026, 3, 1)][:2] == (34.5, 4)
    later = rows(frame, "deploy_hours", "week")[date(2026, 3, 9)]
    assert pd.isna(later[0]) and later[2] == "no changes shipped in period"
    for metric in ("lead_time_for_changes_hours", "coding_hours", "pickup_hours"):
        values = frame.loc[frame["metric"] == metric, "value"].dropna()
        assert (values >= 0).all()


def test_reviews_given(world):
    frame = flow_compute(ComputeContext(tz="UTC", now=NOW))
    carol = rows(frame, "reviews_given", "week", "engineer", "carol@acme.test")
    assert carol[date(2026, 2, 23)][:2] == (1.0, 1)  # Sunday 1 March
    assert carol[date(2026, 3, 2)][:2] == (2.0, 2)  # #2 (twice on one day) and #4
    assert carol[date(2026, 3, 9)][:2] == (0.0, 0)
    assert rows(frame, "reviews_given", "week", "engineer", "bob@acme.test") == {}
    assert rows(frame, "reviews_given", "month", "team", "platform")[date(2026, 3, 1)][0] == 3.0
    assert rows(frame, "reviews_given", "month")[date(2026, 3, 1)][0] == 3.0


def test_records_show_each_change(world):
    query = RecordsQuery(
        metric="lead_time_for_changes_hours",
        scope="org",
        scope_key="",
        granularity="week",
        period_start=date(2026, 3, 2),
        period_end=date(2026, 3, 9),
        tz="UTC",
        start_at=at(2),
        end_at=at(9),
    )
    records = {r["pull_request"]: r for r in flow_records(query)}
    assert set(records) == {"acme/api#1", "acme/api#2", "acme/api#3", "acme/api#4"}
    one = records["acme/api#1"]
    assert one["first_commit_at"] == "2026-03-01T00:00:00+00:00"
    assert one["first_review_at"] == "2026-03-01T14:00:00+00:00"
    assert one["first_reviewer"] == "carol-gh"
    assert (one["coding_hours"], one["pickup_hours"], one["review_hours"]) == (10.0, 4.0, 10.0)
    assert (one["deploy_hours"], one["lead_time_hours"], one["release"]) == (12.0, 36.0, "v1")
    three = records["acme/api#3"]
    assert three["first_commit_at"] == "2026-03-03T00:00:00+00:00"
    assert three["first_review_at"] is None and three["pickup_hours"] is None
    assert three["adjusted"] == "first commit after the merge: PR creation used"
    four = records["acme/api#4"]
    assert (four["pickup_hours"], four["review_hours"]) == (0.0, 1.0)
    assert four["adjusted"] == "review before ready for review: pickup 0"


def test_since_recompute_equals_full(world):
    Tag.objects.create(repo=world, name="v3", sha="c", committed_at=at(2, 9, month=4))
    change(
        world,
        5,
        commits=[at(1, 1, month=4)],
        created=at(1, 2, month=4),
        merged=at(1, 5, month=4),
        reviews=[("carol-gh", "APPROVED", at(1, 3, month=4))],
    )
    since = date(2026, 4, 6)
    full = frame_since(frame_normalize(flow_compute(ComputeContext(tz="UTC", now=NOW))), since)
    part = frame_since(
        frame_normalize(
            flow_compute(
                ComputeContext(
                    tz="UTC",
                    now=NOW,
                    since=since,
                    first_stored={
                        ("reviews_given", "engineer", "carol@acme.test", "week"): date(2026, 2, 23),
                        ("reviews_given", "engineer", "carol@acme.test", "month"): date(2026, 3, 1),
                        ("reviews_given", "team", "platform", "week"): date(2026, 2, 23),
                        ("reviews_given", "team", "platform", "month"): date(2026, 3, 1),
                        ("reviews_given", "org", "", "week"): date(2026, 2, 23),
                        ("reviews_given", "org", "", "month"): date(2026, 3, 1),
                    },
                )
            )
        ),
        since,
    )
    pd.testing.assert_frame_equal(full, part)
    assert rows(full, "lead_time_for_changes_hours", "month")[date(2026, 4, 1)][:2] == (32.0, 1)
