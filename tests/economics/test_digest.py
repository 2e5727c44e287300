"""The org-wide digest's unit economics paragraph, read as its recipient reads it."""

from datetime import date

import pytest

from apps.digests.models import DigestDelivery
from apps.digests.render import digest_text
from apps.digests.selectors import Recipient, digest_build
from apps.economics.reports import cost_model_report
from apps.metrics.services import metrics_compute
from tests.economics.conftest import COPQ_NOW, GROWTH_NOW, MARCH

FEBRUARY = date(2026, 2, 1)
ORG = Recipient("boss@acme.test", DigestDelivery.Kind.ORG, "Boss")


def paragraph(month: date) -> list[str]:
    (scope,) = digest_build(recipient=ORG, month=month).scopes
    return scope.economics


def test_org_digest_says_how_cost_grows_and_when_customers_go_live(growth_org):
    metrics_compute(now=GROWTH_NOW)
    model = cost_model_report(month=FEBRUARY)
    growth, quality, releases, onboarding = paragraph(FEBRUARY)
    low, high = model["elasticity_low_90"], model["elasticity_high_90"]
    assert growth.startswith(
        f"Cost growth: over the last 14 months, 1% more customers came with "
        f"{model['elasticity']:.2f}% more cost (90% interval {low:.2f} to {high:.2f}); "
        "at twice the customers the model puts monthly cost at $"
    )
    assert quality == "Cost of poor quality: not valued this month."  # nothing to value
    assert releases.startswith("Releases that moved unit cost: ")
    assert onboarding == (
        "Time to a new customer (Kaplan–Meier): half of the customers are live after 52.0 days "
        "(20 customers: 18 live, 2 still onboarding)."
    )
    text = digest_text(digest_build(recipient=ORG, month=FEBRUARY))
    assert "Unit economics\n  - Cost growth: over the last 14 months" in text
    assert "/economics/" in text


def test_org_digest_values_the_cost_of_poor_quality(copq_org):
    metrics_compute(now=COPQ_NOW, metrics=["downtime_minutes", "cost_of_poor_quality"])
    quality = paragraph(MARCH)[1]
    assert quality == (
        "Cost of poor quality: $23,413 (bug work $22,500, downtime $900, "
        "cloud spend during outages $13.00)."
    )


@pytest.mark.django_db
def test_manager_digests_have_no_unit_economics_paragraph(growth_org):
    manager = Recipient("lead@acme.test", DigestDelivery.Kind.MANAGER, "Lead", ("platform",))
    (scope,) = digest_build(recipient=manager, month=FEBRUARY).scopes
    assert scope.economics is None
