"""An organisation with nothing but the three real cost samples imported (no GitHub, Jira or
PagerDuty yet) computes its cost rows: each month's org `cost` is the file's own EffectiveCost
sum (tests/fixtures/README.md), and no family fails for lack of the other sources."""

from datetime import UTC, date, datetime

import pytest

from apps.ingestion.cost_files import cost_file_import
from apps.metrics.models import MetricRow
from apps.metrics.services import metrics_compute
from tests.costs.conftest import REAL

CAD_RATE = 0.75  # USD per CAD


@pytest.mark.django_db
def test_only_the_real_cost_samples_give_each_files_own_effective_cost_sum(org_costs) -> None:
    org_costs(fx_rates={"CAD": CAD_RATE})
    for name, format in (
        ("focus-1.0-sample.csv", "focus"),
        ("aws-cur-legacy-sample.csv", "aws-cur"),
        ("azure-ea-sample.csv", "azure"),
    ):
        assert cost_file_import(path=REAL / name, format=format).status == "succeeded"

    metrics_compute(now=datetime(2026, 12, 1, tzinfo=UTC))  # raises when a family fails

    monthly = dict(
        MetricRow.objects.filter(
            metric="cost", scope="org", granularity="month", value__gt=0
        ).values_list("period_start", "value")
    )
    # tests/fixtures/README.md: Σ EffectiveCost of the FOCUS sample (September 2024), Σ
    # lineItem/UnblendedCost of the legacy CUR (November 2023), Σ CostInBillingCurrency of the
    # Azure EA export (2 September 2023, CAD) at 0.75 USD/CAD.
    assert monthly == {
        date(2024, 9, 1): pytest.approx(14.97651418586, abs=1e-9),
        date(2023, 11, 1): pytest.approx(1.68230869740, abs=1e-9),
        date(2023, 9, 1): pytest.approx(1.26136926505726 * CAD_RATE, abs=1e-12),
    }
    notes = dict(
        MetricRow.objects.filter(metric="cost", scope="org", granularity="month").values_list(
            "period_start", "note"
        )
    )
    # The Azure export holds one day: September 2023 is covered through 2 September only; the
    # FOCUS and CUR months are whole; a month with no file at all has no data in it.
    assert notes[date(2023, 9, 1)] == "cost data through 2023-09-02"
    assert notes[date(2023, 11, 1)] == notes[date(2024, 9, 1)] == ""
    assert notes[date(2023, 12, 1)] == "cost data through 2023-11-30"
    assert set(MetricRow.objects.values_list("metric", flat=True)) == {
        "cost",
        "cost_compute",
        "cost_storage",
        "cost_network",
        "cost_other",
        "cost_per_customer",
        "cost_to_revenue",
        # the cost growth model: null, "needs 8 complete months with cost and customers live"
        "cost_elasticity_customers",
        "cost_marginal_per_customer",
        "cost_projected_2x",
    }
