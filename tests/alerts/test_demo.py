"""The demo's default rules (apps/demo/alerts.py) on the real demo organisation: every message
they owe arrives once in the Slack stand-in, and once by real SMTP (aiosmtpd) through the
e-mail channel."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from apps.alerts.models import AlertChannel, AlertMessage, AlertRule
from apps.alerts.services import alerts_evaluate
from apps.demo import alerts as demo_alerts
from apps.demo import services as demo
from apps.metrics.models import MetricRow

pytestmark = pytest.mark.django_db


def test_demo_default_rules_alert_once_to_slack_and_by_email(slack, smtp, monkeypatch):
    monkeypatch.setenv(demo_alerts.SLACK_ENV, slack.url + "/hooks/demo")
    result = demo.demo_build()
    try:
        assert all(run.status == "succeeded" for run in result.runs), [r.error for r in result.runs]
        rules = set(AlertRule.objects.values_list("name", flat=True))
        assert rules == {
            "error-budget-burnt",
            "uptime-under-slo",
            "bug-impact-anomaly",
            "change-failure-rate-goal-missed",
            "failed-deployment-recovery-hours-goal-missed",
            "deployment-rework-rate-goal-missed",
            "release-frequency-goal-missed",
        }
        posted = slack.to("/hooks/demo")
        sent = AlertMessage.objects.filter(status="sent")
        assert result.alerts["sent"] == sent.count() == len(posted) > 0
        assert result.alerts["failed"] == 0
        texts = [p.json["text"] for p in posted]
        assert len(set(texts)) == len(texts)  # no message twice
        per_rule = Counter(sent.values_list("rule__name", flat=True))
        print("demo alerts per rule:", dict(per_rule))
        # Every default rule has something to say on the demo, each message once.
        assert set(per_rule) == rules and min(per_rule.values()) > 0, per_rule
        # The payments regression burst (apps.demo.jira) of the last complete month is the one
        # bug-impact anomaly: a single "fired" message for that team and month.
        impact = AlertMessage.objects.get(rule__name="bug-impact-anomaly")
        last_month = (datetime.now(UTC).date().replace(day=1) - timedelta(days=1)).replace(day=1)
        assert (impact.scope_key, impact.kind) == ("payments", "fired")
        assert impact.period_start == last_month
        assert MetricRow.objects.get(
            metric="bug_impact_days", scope="team", scope_key="payments", granularity="month",
            period_start=last_month,
        ).anomaly  # fmt: skip
        assert alerts_evaluate()["sent"] == 0

        # The same rules through the e-mail channel: each message once, by real SMTP.
        mail = AlertChannel.objects.get(name="mail")
        AlertRule.objects.update(channel=mail)
        AlertMessage.objects.all().delete()
        again = alerts_evaluate()
        assert again["sent"] == len(posted) and again["failed"] == 0
        alerts_mail = [m for m in smtp.to("admin@acme.test") if m["Subject"].startswith("[Keel]")]
        assert len(alerts_mail) == len(posted)  # (the admin's monthly digest is the other one)
        assert alerts_evaluate()["sent"] == 0
    finally:
        result.simulator.stop()
