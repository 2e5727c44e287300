"""Smoothing and anomalies as the metric store writes them: each metric judged by its own
model (docs/metrics.md#anomaly), ratios smoothed by their denominators, and a since-replace
equal to a full one."""

from datetime import date, datetime

import pandas as pd
import pytest

from apps.metrics.models import MetricRow
from apps.metrics.registry import FRAME_COLUMNS, MetricDefinition, MetricFamily, families_override
from apps.metrics.services import metric_rows_replace, metrics_compute
from tests.metrics.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
NOW = datetime.fromisoformat("2026-06-15T12:00:00+00:00")
COST = MetricDefinition("fake_cost", "currency", "Money.", ("org",), "sum", "fake_cost")
SHARE = MetricDefinition("fake_share", "ratio", "Bug items / items.", ("org",), "ratio", "x")
UPTIME = MetricDefinition(
    "uptime",
    "ratio",
    "Up.",
    ("service",),
    "ratio",
    "uptime",
    anomaly_model="binomial_minutes",
    smoothing_weight="period_length",
)
BUDGET = MetricDefinition(
    "fake_budget",
    "ratio",
    "Budget left.",
    ("service",),
    "ratio",
    "x",
    anomaly_model="as_uptime",
    smoothing_weight="period_length",
)
# March 2025 .. February 2026, then March .. May 2026 (June is the partial period).
MONTHS = pd.date_range("2025-03-01", "2026-05-01", freq="MS").date.tolist()


def month_rows(metric, values, sizes=None, scope="org", key="") -> pd.DataFrame:
    sizes = sizes or [1] * len(values)
    rows = [
        (metric, scope, key, "month", start, float(v), n, "")
        for start, v, n in zip(MONTHS, values, sizes, strict=False)
    ]
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def days_in(start: date) -> int:
    return (pd.Timestamp(start) + pd.offsets.MonthBegin(1) - pd.Timestamp(start)).days


def stored(metric: str) -> list[tuple]:
    return list(
        MetricRow.objects.filter(metric=metric)
        .order_by("period_start")
        .values_list("period_start", "value", "smoothed", "anomaly")
    )


def test_february_cost_at_the_usual_daily_rate_is_not_an_anomaly():
    # $100 a day (±1 %) for a year: February 2026's $2,800 is usual; a 31-day month's $2,800
    # is $90 a day, 10 % less than ever before, and is flagged.
    rates = [100, 101, 99, 100, 101, 99, 100, 101, 99, 100, 101]
    costs = [r * days_in(m) for r, m in zip(rates, MONTHS, strict=False)] + [2800, 2800]
    with families_override(MetricFamily("fake", (COST,), lambda ctx: pd.DataFrame())):
        metric_rows_replace(
            frame=month_rows("fake_cost", costs), metrics=["fake_cost"], now=NOW, tz="UTC"
        )
    rows = stored("fake_cost")
    assert [(r[0], r[3]) for r in rows[-2:]] == [
        (date(2026, 2, 1), False),
        (date(2026, 3, 1), True),
    ]
    assert not any(r[3] for r in rows[:-1])


def test_ratio_trend_weighs_each_period_by_its_sample_size():
    # 6 of 30 items every month; then a month of 1 bug fix out of 1 item.
    shares, sizes = [0.2] * 12 + [1.0], [30] * 12 + [1]
    with families_override(MetricFamily("fake", (SHARE,), lambda ctx: pd.DataFrame())):
        metric_rows_replace(
            frame=month_rows("fake_share", shares, sizes), metrics=["fake_share"], now=NOW, tz="UTC"
        )
    last = stored("fake_share")[-1]
    r = 0.5 ** (1 / 3)  # the weight of a month one month older (half-life 3)
    older = sum(r**k for k in range(1, 13))
    assert last[2] == pytest.approx((1.0 + 6 * older) / (1 + 30 * older))  # ≈ 0.2017
    assert last[3] is False  # one item proves nothing


def series_family(uptimes: list[float]) -> MetricFamily:
    """Service PSVC1's uptime and budget (slo 99.9 %: budget = 1 − downtime / 0.1 %)."""

    def compute(ctx):
        budgets = [1 - (1 - u) / 0.001 for u in uptimes]
        return pd.concat(
            [
                month_rows("uptime", uptimes, scope="service", key="PSVC1"),
                month_rows("fake_budget", budgets, scope="service", key="PSVC1"),
            ],
            ignore_index=True,
        )

    return MetricFamily("reliability", (UPTIME, BUDGET), compute)


def test_uptime_halved_margin_is_flagged_and_the_budget_follows():
    OrganizationFactory()
    uptimes = [0.999] * 11 + [0.998, 0.999]
    with families_override(series_family(uptimes)):
        metrics_compute(now=NOW)
        flags = [r[3] for r in stored("uptime")]
        assert flags == [False] * 11 + [True, False]
        assert [r[3] for r in stored("fake_budget")] == flags
        # Recomputing the budget alone still follows uptime (its rows inform, unwritten).
        MetricRow.objects.filter(metric="fake_budget").delete()
        metrics_compute(now=NOW, metrics=["fake_budget"], since=date(2026, 1, 1))
    assert [r[3] for r in stored("fake_budget")][-2:] == [True, False]


def test_since_replace_equals_a_full_replace_for_a_ratio():
    shares = [0.2, 0.5, 0.1, 0.3, 0.25, 0.2, 0.6, 0.2, 0.3, 0.1, 0.2, 0.9, 0.3, 0.2, 0.25]
    sizes = [30, 2, 10, 1, 4, 30, 5, 8, 12, 3, 20, 1, 6, 9, 11]
    frame = month_rows("fake_share", shares, sizes)
    with families_override(MetricFamily("fake", (SHARE,), lambda ctx: pd.DataFrame())):
        metric_rows_replace(frame=frame, metrics=["fake_share"], now=NOW, tz="UTC")
        full = stored("fake_share")
        recent = frame[frame["period_start"] >= date(2026, 2, 1)]
        metric_rows_replace(
            frame=recent, metrics=["fake_share"], now=NOW, tz="UTC", since=date(2026, 2, 10)
        )
    assert stored("fake_share") == full
