"""The demo with the reliability extension: PagerDuty synced, metrics and customers present."""

import pytest

from apps.demo import pagerduty
from apps.demo import services as demo
from apps.metrics.models import MetricRow
from apps.metrics.registry import families, families_override

pytestmark = pytest.mark.django_db


def test_demo_has_reliability_and_customer_metrics(monkeypatch) -> None:
    monkeypatch.setattr(demo, "DEMO_EXTENSIONS", (pagerduty,))
    mine = [f for f in families() if f.name in ("delivery", "reliability", "customers")]
    with families_override(*mine):  # other families are being built elsewhere right now
        result = demo.demo_build()
    try:
        assert all(run.status == "succeeded" for run in result.runs), [r.error for r in result.runs]
        metrics = set(MetricRow.objects.values_list("metric", flat=True))
        assert {
            "uptime",
            "downtime_minutes",
            "incidents",
            "mttr_hours",
            "error_budget_remaining",
            "time_to_new_customer_days",
            "customers_onboarding",
        } <= metrics
        live = MetricRow.objects.filter(metric="time_to_new_customer_days", scope="customer")
        assert live.filter(scope_key="globex").exists()
        assert not live.filter(scope_key="wayne").exists()
    finally:
        result.simulator.stop()
