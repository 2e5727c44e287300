"""Hand-computed reliability metrics (docs/metrics.md#uptime-and-incidents) over small incident
frames."""

from datetime import UTC, datetime

import numpy as np
import pandas as pd
import pytest

from apps.reliability.computations import reliability_rows, union_seconds

NOW = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)  # May is the current, partial period (12 h)


def ts(text: str) -> pd.Timestamp:
    return pd.Timestamp(text, tz="UTC")


def frames() -> tuple[pd.DataFrame, pd.DataFrame]:
    incidents = pd.DataFrame(
        [
            ("A", "S1", ts("2026-03-04 10:00"), ts("2026-03-04 11:00"), "high"),
            ("B", "S1", ts("2026-03-04 10:30"), ts("2026-03-04 12:00"), "high"),  # overlaps A
            ("C", "S1", ts("2026-03-04 13:00"), ts("2026-03-04 14:00"), "low"),
            ("D", "S1", ts("2026-03-31 23:00"), ts("2026-04-01 01:00"), "high"),  # crosses month
            ("E", "S1", ts("2026-05-01 06:00"), pd.NaT, "high"),  # still open
        ],
        columns=["pd_id", "service_key", "created_at", "resolved_at", "urgency"],
    )
    incidents["resolved_at"] = pd.to_datetime(incidents["resolved_at"], utc=True)
    services = pd.DataFrame(
        [("S1", "platform", 0.999), ("S2", "platform", np.nan)],
        columns=["service_key", "team", "slo"],
    )
    return incidents, services


@pytest.fixture
def monthly() -> dict[tuple[str, str, str, str], tuple[float, int, str]]:
    incidents, services = frames()
    rows = reliability_rows(
        incidents, services, tz="UTC", now=NOW, outage_urgencies=["high"], granularities=("month",)
    )
    return {
        (r.metric, r.scope, r.scope_key, str(r.period_start)): (r.value, r.sample_size, r.note)
        for r in rows.itertuples()
    }


def test_union_counts_overlaps_once() -> None:
    # [0, 60) ∪ [30, 120) ∪ [200, 260) clipped to [10, 230) = [10, 120) + [200, 230) = 140 s.
    starts, ends = np.array([0.0, 30.0, 200.0]), np.array([60.0, 120.0, 260.0])
    assert union_seconds(starts, ends, 10.0, 230.0) == 140.0


def test_service_march(monthly) -> None:
    m = "2026-03-01"
    # A ∪ B = 10:00–12:00 = 120 min; C is low urgency (not downtime); D: 23:00–24:00 = 60 min.
    assert monthly[("downtime_minutes", "service", "S1", m)][0] == 180.0
    # March = 31 days = 44,640 min; uptime = 1 − 180 / 44,640.
    assert monthly[("uptime", "service", "S1", m)][0] == pytest.approx(1 - 180 / 44_640)
    assert monthly[("incidents", "service", "S1", m)][:2] == (4.0, 4)  # A, B, C, D (any urgency)
    # Resolved in March: A 1 h, B 1.5 h, C 1 h → median 1.0 h (D resolves in April).
    assert monthly[("mttr_hours", "service", "S1", m)][:2] == (1.0, 3)
    # Budget = 44,640 × 0.001 = 44.64 min; 1 − 180 / 44.64.
    assert monthly[("error_budget_remaining", "service", "S1", m)][0] == pytest.approx(
        1 - 180 / 44.64
    )


def test_month_boundary_and_slo_of_a_30_day_month(monthly) -> None:
    a = "2026-04-01"
    assert monthly[("downtime_minutes", "service", "S1", a)][0] == 60.0  # D: 00:00–01:00
    assert monthly[("incidents", "service", "S1", a)][0] == 0.0
    assert monthly[("mttr_hours", "service", "S1", a)][0] == 2.0  # D: 23:00 → 01:00
    # April: 30 days × 1,440 min × (1 − 0.999) = 43.2 min of budget; 60 min used:
    # 1 − 60 / 43.2 = −0.3888…
    assert monthly[("error_budget_remaining", "service", "S1", a)][0] == pytest.approx(
        1 - 60 / 43.2
    )
    assert ("error_budget_remaining", "service", "S2", a) not in monthly  # no slo


def test_open_outage_counts_until_now_in_the_partial_period(monthly) -> None:
    may = "2026-05-01"
    # E open since 06:00; now 12:00 → 360 of the 720 elapsed minutes.
    assert monthly[("downtime_minutes", "service", "S1", may)][0] == 360.0
    assert monthly[("uptime", "service", "S1", may)][0] == 0.5
    assert monthly[("mttr_hours", "service", "S1", may)] == (
        pytest.approx(np.nan, nan_ok=True),
        0,
        "no incidents resolved in period",
    )


def test_team_and_org_aggregate(monthly) -> None:
    m = "2026-03-01"
    for scope, key in (("team", "platform"), ("org", "")):
        # Mean over S1 (1 − 180/44,640) and S2 (no outage → 1).
        assert monthly[("uptime", scope, key, m)][0] == pytest.approx((1 - 180 / 44_640 + 1) / 2)
        assert monthly[("downtime_minutes", scope, key, m)][0] == 180.0  # sum
        assert monthly[("incidents", scope, key, m)][0] == 4.0
        assert monthly[("mttr_hours", scope, key, m)][:2] == (1.0, 3)  # pooled median
    assert monthly[("uptime", "service", "S2", m)] == (1.0, 0, "")


def test_team_and_org_uptime_weigh_each_service_by_its_weight() -> None:
    incidents, services = frames()
    services["weight"] = [3.0, 1.0]  # the paying service counts three times the quiet one
    rows = reliability_rows(
        incidents, services, tz="UTC", now=NOW, outage_urgencies=["high"], granularities=("month",)
    )
    got = {(r.metric, r.scope, str(r.period_start)): r for r in rows.itertuples()}

    march = got[("uptime", "org", "2026-03-01")]
    assert march.value == pytest.approx((3 * (1 - 180 / 44_640) + 1 * 1.0) / 4)
    assert got[("downtime_minutes", "org", "2026-03-01")].value == 180.0  # sums are unweighted


def test_services_of_weight_zero_are_left_out_of_uptime() -> None:
    incidents, services = frames()
    services["weight"] = [0.0, 1.0]
    rows = reliability_rows(
        incidents, services, tz="UTC", now=NOW, outage_urgencies=["high"], granularities=("month",)
    )
    got = {(r.metric, r.scope, str(r.period_start)): r for r in rows.itertuples()}
    assert got[("uptime", "team", "2026-03-01")].value == 1.0  # S2 alone

    services["weight"] = [0.0, 0.0]
    rows = reliability_rows(
        incidents, services, tz="UTC", now=NOW, outage_urgencies=["high"], granularities=("month",)
    )
    none = rows[(rows.metric == "uptime") & (rows.scope == "org")].iloc[0]
    assert np.isnan(none.value) and none.note == "every service has weight 0"


@pytest.mark.django_db
def test_the_services_frame_carries_each_services_weight() -> None:
    from apps.organization.models import PagerDutyService, Source
    from apps.reliability.selectors import services_frame

    source = Source.objects.create(name="pd", kind="pagerduty", base_url="https://x.test")
    PagerDutyService.objects.create(source=source, service_id="PAY", weight=3)
    PagerDutyService.objects.create(source=source, service_id="QUIET")

    assert services_frame()[["service_key", "weight"]].values.tolist() == [
        ["PAY", 3.0],
        ["QUIET", 1.0],
    ]


def test_weighted_uptime_skips_a_service_whose_period_has_not_started():
    """A service with a zero-length period (not started) weighs nothing; it used to divide by
    its zero length."""
    from apps.reliability.computations import PeriodStats, _weighted_uptime

    stats = [PeriodStats(length=0.0), PeriodStats(downtime=6.0, length=60.0)]
    assert _weighted_uptime(stats, [1.0, 1.0]) == (pytest.approx(0.9), "")
    assert _weighted_uptime([PeriodStats(length=0.0)], [1.0])[1] == "period has not started"
