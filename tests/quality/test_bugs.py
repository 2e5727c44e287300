"""Hand-computed bugs_new and bug_impact_days (docs/metrics.md#unanticipated-bugs). Weights high 3,
medium 2, low 1."""

from datetime import date

from apps.metrics.registry import ComputeContext
from apps.organization.schema import BugSettings
from apps.quality.bugs import bugs_classify
from apps.quality.metrics import bugs_compute_frame
from tests.quality.frames import at, github, jira

NOW = at("2026-03-18T12:00:00+00:00")  # a Wednesday
CTX = ComputeContext(tz="UTC", now=NOW)


def rows(jira_frame, github_frame=None, settings=None):
    bugs = bugs_classify(
        jira_frame,
        github_frame if github_frame is not None else github(),
        settings or BugSettings(),
    )
    out = bugs_compute_frame(bugs[~bugs["known"]], CTX)
    return {
        (r.metric, r.scope, r.scope_key, r.granularity, r.period_start): (r.value, r.note)
        for r in out.itertuples()
    }


def test_bug_open_across_two_months_is_split_by_days() -> None:
    frame = jira(
        {
            "key": "API-1",
            "priority": "High",
            "created_at": "2026-01-21T00:00:00Z",
            "resolved_at": "2026-02-11T00:00:00Z",
        }
    )
    got = rows(frame)
    # High → 3. January: 21 Jan 00:00 → 1 Feb 00:00 = 11 days × 3 = 33.
    assert got[("bug_impact_days", "org", "", "month", date(2026, 1, 1))][0] == 33.0
    # February: 1 Feb → 11 Feb = 10 days × 3 = 30; March: closed, 0 (gap-filled to now).
    assert got[("bug_impact_days", "org", "", "month", date(2026, 2, 1))][0] == 30.0
    assert got[("bug_impact_days", "org", "", "month", date(2026, 3, 1))][0] == 0.0
    assert got[("bugs_new", "team", "platform", "month", date(2026, 1, 1))][0] == 1.0
    assert got[("bugs_new", "org", "", "month", date(2026, 2, 1))][0] == 0.0


def test_two_bugs_of_different_impact_in_one_week() -> None:
    frame = jira(
        # High: Mon 2 Mar 12:00 → Wed 4 Mar 12:00 = 2 days × 3 = 6
        {
            "key": "API-2",
            "priority": "High",
            "created_at": "2026-03-02T12:00:00Z",
            "resolved_at": "2026-03-04T12:00:00Z",
        },
        # Low: Thu 5 Mar 00:00 → Fri 6 Mar 06:00 = 1.25 days × 1 = 1.25
        {
            "key": "API-3",
            "priority": "Low",
            "created_at": "2026-03-05T00:00:00Z",
            "resolved_at": "2026-03-06T06:00:00Z",
        },
    )
    got = rows(frame)
    assert got[("bug_impact_days", "org", "", "week", date(2026, 3, 2))][0] == 7.25  # 6 + 1.25
    assert got[("bugs_new", "org", "", "week", date(2026, 3, 2))][0] == 2.0


def test_known_bugs_are_excluded() -> None:
    frame = jira(
        {"key": "API-4", "created_at": "2026-03-02T00:00:00Z", "labels": ["known-issue"]},
        {
            "key": "API-5",
            "created_at": "2026-03-02T00:00:00Z",
            "resolution": "Won't Fix",
            "resolved_at": "2026-03-03T00:00:00Z",
        },
        # the only unanticipated one: medium (2) × 1 day = 2
        {
            "key": "API-6",
            "created_at": "2026-03-02T00:00:00Z",
            "resolved_at": "2026-03-03T00:00:00Z",
        },
    )
    got = rows(
        frame,
        github({"number": 9, "labels": ["bug", "wontfix"], "created_at": "2026-03-02T00:00:00Z"}),
    )
    assert got[("bugs_new", "org", "", "week", date(2026, 3, 2))][0] == 1.0
    assert got[("bug_impact_days", "org", "", "week", date(2026, 3, 2))][0] == 2.0


def test_bug_still_open_at_period_end_counts_to_now() -> None:
    # Medium (2), open since Mon 16 Mar 00:00; now is Wed 18 Mar 12:00 → 2.5 days × 2 = 5.
    # GitHub bug labelled impact:high, open since Sun 15 Mar 00:00: 1 day in the week of
    # 9 Mar × 3 = 3, and 2.5 days × 3 = 7.5 in the current week.
    got = rows(
        jira({"key": "API-7", "created_at": "2026-03-16T00:00:00Z"}),
        github(
            {"number": 3, "labels": ["bug", "impact:high"], "created_at": "2026-03-15T00:00:00Z"}
        ),
    )
    assert got[("bug_impact_days", "org", "", "week", date(2026, 3, 9))][0] == 3.0
    assert got[("bug_impact_days", "org", "", "week", date(2026, 3, 16))][0] == 12.5  # 5 + 7.5


def test_localised_type_and_unmapped_priority() -> None:
    settings = BugSettings(jira_types=["Bug", "缺陷"])
    frame = jira(
        {
            "key": "EE-9",
            "issue_type": "缺陷",
            "priority": "P0",
            "created_at": "2026-03-02T00:00:00Z",
            "resolved_at": "2026-03-03T00:00:00Z",
        },
        {"key": "EE-10", "issue_type": "故事", "created_at": "2026-03-02T00:00:00Z"},
    )
    got = rows(frame, settings=settings)
    value, note = got[("bug_impact_days", "org", "", "week", date(2026, 3, 2))]
    assert value == 2.0  # P0 unmapped → default medium (2) × 1 day; the story is no bug
    assert (
        note == "1 bug(s) with a Jira priority the config does not map (P0): "
        "the default impact applied"
    )
    assert rows(frame) == {}  # without 缺陷 in jira_types the site has no bugs at all


def test_no_bugs_gives_no_rows() -> None:
    assert (
        rows(jira({"key": "API-8", "issue_type": "Story", "created_at": "2026-03-02T00:00:00Z"}))
        == {}
    )


def test_impact_days_equal_the_per_period_sum_of_open_days():
    """The cumulative-sum series equals Σ weight × open_days_in over each period's bugs."""
    import numpy as np
    import pandas as pd
    import pytest

    from apps.core.periods import iter_periods, period_bounds, period_of
    from apps.quality.bugs import impact_days_series, open_days_in

    rng = np.random.default_rng(9)
    n, now = 4000, pd.Timestamp("2026-03-18T12:00:00Z").to_pydatetime()
    created = pd.to_datetime(rng.integers(1_700_000_000, 1_773_000_000, n), unit="s", utc=True)
    length = pd.to_timedelta(rng.exponential(20, n), unit="D").round("s")
    resolved = pd.Series(created + length).where(rng.random(n) < 0.8)
    bugs = pd.DataFrame(
        {
            "created_at": created,
            "resolved_at": resolved,
            "weight": rng.choice([1.0, 2.0, 3.0], n),
            "unmapped_priority": np.where(rng.random(n) < 0.01, "Blocker", ""),
        }
    )
    for granularity, tz in (("week", "UTC"), ("month", "America/New_York")):
        got = impact_days_series(
            bugs, scope="org", scope_key="", granularity=granularity, tz=tz, now=now
        )
        first = period_of(created.min().to_pydatetime(), granularity, tz)
        starts = list(iter_periods(first, period_of(now, granularity, tz), granularity))
        assert got["period_start"].tolist() == starts
        for row in got.itertuples():
            lo, hi = period_bounds(row.period_start, granularity, tz)
            days = open_days_in(bugs, lo, hi, now)
            assert row.value == pytest.approx(float((days * bugs["weight"]).sum()), rel=1e-12)
            assert row.sample_size == int((days > 0).sum())
            assert ("Blocker" in row.note) == bool(
                (days[bugs["unmapped_priority"] != ""] > 0).any()
            )
