"""The unit economics family through the recompute and the API: a synthetic organisation with
a known elasticity, and the hand-computed cost of poor quality."""

from datetime import date

import pytest
from rest_framework.test import APIClient

from apps.metrics.models import MetricRow
from apps.metrics.services import metrics_compute
from tests.economics.conftest import COPQ_NOW, ELASTICITY, GROWTH_NOW, MARCH
from tests.metrics.factories import UserFactory


def row(metric, month, scope="org", key=""):
    return MetricRow.objects.get(
        metric=metric, scope=scope, scope_key=key, granularity="month", period_start=month
    )


@pytest.fixture
def api(db):
    client = APIClient()
    client.force_authenticate(UserFactory(username="boss", is_superuser=True))
    return client


def test_growth_model_on_a_synthetic_organisation(growth_org):
    metrics_compute(now=GROWTH_NOW)
    elasticity = row("cost_elasticity_customers", date(2026, 2, 1))
    assert elasticity.sample_size == 14
    assert abs(elasticity.value - ELASTICITY) < 0.1
    low, high = (
        float(x) for x in elasticity.note.split("90% interval ")[1].split(")")[0].split(" to ")
    )
    assert low <= ELASTICITY <= high
    assert row("cost_elasticity_customers", date(2025, 7, 1)).value is None  # 7 months
    assert row("cost_elasticity_customers", date(2025, 8, 1)).sample_size == 8
    # Like cost, the series ends with the cost data (February), not at today's month.
    assert not MetricRow.objects.filter(metric="cost_projected_2x", period_start=date(2026, 3, 1))
    cost = row("cost", date(2026, 2, 1)).value
    customers = cost / row("cost_per_customer", date(2026, 2, 1)).value
    marginal = row("cost_marginal_per_customer", date(2026, 2, 1))
    assert marginal.value == pytest.approx(elasticity.value * cost / customers)
    assert row("cost_projected_2x", date(2026, 2, 1)).value == pytest.approx(
        cost * 2**elasticity.value, rel=0.1
    )
    team = row("cost_elasticity_customers", date(2026, 2, 1), "team", "platform")
    assert team.value == pytest.approx(elasticity.value)


def test_km_median_rows_on_the_synthetic_organisation(growth_org):
    metrics_compute(now=GROWTH_NOW, metrics=["time_to_new_customer_km_days"])
    february = row("time_to_new_customer_km_days", date(2026, 2, 1))
    # All 20 started by March 1; c00…c17 live after 25 + 3·i days, c18 and c19 censored at
    # 77 and 56 days. Ten go-lives (25 … 52 days) bring the curve to 10/20 = 0.5: median 52.
    assert (february.sample_size, february.value) == (20, 52.0)
    assert february.note == "20 customers: 18 live, 2 still onboarding"


def test_records_of_the_growth_metrics_are_the_points_fitted(growth_org, api):
    metrics_compute(now=GROWTH_NOW)
    answer = api.get(
        "/api/v1/metrics/cost_elasticity_customers/records/",
        {"scope": "org", "granularity": "month", "period_start": "2026-02-01"},
    ).json()
    fit, *points = answer["records"]
    assert fit["kind"] == "fit" and fit["months_fitted"] == 14 == len(points)
    low, high = (
        fit["coefficients"]["customers"]["low_90"],
        fit["coefficients"]["customers"]["high_90"],
    )
    assert low <= ELASTICITY <= high
    assert [p["month"] for p in points][:2] == ["2025-01-01", "2025-02-01"]
    assert all(abs(p["residual"]) < 0.2 for p in points)


def test_cost_of_poor_quality_hand_computed_through_the_recompute(copq_org, api):
    metrics_compute(now=COPQ_NOW, metrics=["downtime_minutes", "cost_of_poor_quality"])
    platform = row("cost_of_poor_quality", MARCH, "team", "platform")
    assert platform.value == pytest.approx(23_413.0)
    assert (platform.sample_size, platform.note, platform.unit) == (3, "", "currency")
    assert row("cost_of_poor_quality", MARCH).value == pytest.approx(23_413.0)
    answer = api.get(
        "/api/v1/metrics/cost_of_poor_quality/records/",
        {
            "scope": "team",
            "scope_key": "platform",
            "granularity": "month",
            "period_start": "2026-03-01",
        },
    ).json()
    parts = {r["part"]: r["value"] for r in answer["records"]}
    assert parts == {
        "bug_work": 22_500.0,
        "downtime": 900.0,
        "cloud_during_outages": pytest.approx(13.0),
    }
