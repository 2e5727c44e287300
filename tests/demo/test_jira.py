"""The demo with the Jira extension: Jira synced; bug and bug-load metrics present."""

import pytest

from apps.demo import jira
from apps.demo import services as demo
from apps.metrics.models import MetricRow
from apps.metrics.registry import families, families_override
from apps.quality.identities import identities_unmatched
from apps.quality.models import JiraIssue

pytestmark = pytest.mark.django_db


def test_demo_has_jira_and_quality_metrics(monkeypatch) -> None:
    monkeypatch.setattr(demo, "DEMO_EXTENSIONS", (jira,))
    mine = [f for f in families() if f.name in ("delivery", "quality", "bug_load")]
    with families_override(*mine):  # other families are being built elsewhere right now
        result = demo.demo_build()
    try:
        assert all(run.status == "succeeded" for run in result.runs), [r.error for r in result.runs]
        # 1,500 generated issues, the 20 onboarding tickets of apps.demo.economics and the 56
        # bugs of the payments regression burst
        assert JiraIssue.objects.count() == 1576
        assert JiraIssue.objects.filter(key__regex=r"^PAY-95[0-9][0-9]$").count() == 56
        assert JiraIssue.objects.filter(key__regex=r"^(API|PAY)-90[0-9][0-9]$").count() == 20
        metrics = set(MetricRow.objects.values_list("metric", flat=True))
        assert {
            "bugs_new",
            "bug_impact_days",
            "bug_fix_share",
            "churn_risk",
            "engineers_at_risk",
            "delivery_points",
        } <= metrics
        assert MetricRow.objects.filter(metric="churn_risk", value__isnull=False).exists()
        assert {i["external_id"] for i in identities_unmatched() if i["provider"] == "jira"} == {
            "5b10a20006",
            "5b10a20007",
        }
    finally:
        result.simulator.stop()
