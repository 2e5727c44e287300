"""E-mail through a real SMTP server (aiosmtpd) and the signed webhook (docs/alerts.md)."""

import hashlib
import hmac
import json
from datetime import UTC, datetime

from apps.alerts.channels import webhook_signature
from apps.alerts.models import AlertMessage
from apps.alerts.services import alerts_evaluate
from tests.alerts.conftest import Answer, channel, rule

NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)


def test_anomaly_goes_out_by_email_once(world, smtp, sleeps, settings):
    settings.KEEL_BASE_URL = "https://keel.example"
    mail = channel("mail", kind="email", to=["alice@acme.test", "bob@acme.test"])
    rule("impact", mail, metric="bug_impact_days", scope="team", when="anomaly")

    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 1
    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 0
    assert len(smtp.messages) == 1
    recipients, message = smtp.messages[0]
    assert sorted(recipients) == ["alice@acme.test", "bob@acme.test"]
    assert message["Subject"] == "[Keel] Bug impact, team payments, March 2026"
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    assert (
        "Bug impact for team Payments (payments) in March 2026: 40.0 impact-days, outside the "
        "band its own history predicts (trend 40.0 impact-days)"
    ) in text
    assert "Recent: ▁▁█" in text
    link = "https://keel.example/metrics/bug_impact_days/?scope=team&amp;granularity=month"
    assert link in html


def test_smtp_refusal_is_a_failure_retried_next_time(world, smtp, sleeps):
    mail = channel("mail", kind="email", to=["alice@acme.test"])
    impact = rule("impact", mail, metric="bug_impact_days", scope="team", when="anomaly")
    smtp.refuse.add("alice@acme.test")
    assert alerts_evaluate(now=NOW, sleep=sleeps)["failed"] == 1
    impact.refresh_from_db()
    assert impact.failures == 1 and "451" in impact.last_error
    smtp.refuse.clear()
    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 1
    assert len(smtp.messages) == 1


def test_webhook_body_is_signed_with_hmac_sha256(world, slack, sleeps, monkeypatch):
    monkeypatch.setenv("KEEL_TEST_HOOK_SECRET", "s3cret")
    hook = channel(
        "hook", kind="webhook", url=slack.url + "/incoming", secret_env="KEEL_TEST_HOOK_SECRET"
    )
    rule("uptime", hook, metric="uptime", scope="service", when="below_slo")
    slack.answer(Answer(503, "busy"))

    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 2
    assert sleeps == [1.0]
    refused, fired, resolved = slack.to("/incoming")
    assert refused.body == fired.body
    expected = "sha256=" + hmac.new(b"s3cret", fired.body, hashlib.sha256).hexdigest()
    assert fired.headers["X-Keel-Signature"] == expected == webhook_signature(fired.body, "s3cret")
    body = json.loads(fired.body)
    # February's uptime 99.85% is under the service's SLO of 99.9%; March's 99.92% is not.
    assert {k: body[k] for k in ("status", "metric", "scope", "scope_key", "value")} == {
        "status": "fired",
        "metric": "uptime",
        "scope": "service",
        "scope_key": "PSVC1",
        "value": 0.9985,
    }
    assert (body["threshold"], body["condition"], body["period_start"]) == (
        0.999,
        "under its SLO of 99.90%",
        "2026-02-01",
    )
    assert json.loads(resolved.body)["status"] == "resolved"


def test_webhook_without_secret_fails_naming_the_variable(world, slack, sleeps):
    hook = channel("hook", kind="webhook", url=slack.url + "/incoming", secret_env="NOPE_UNSET")
    broken = rule("uptime", hook, metric="uptime", scope="service", when="below_slo")
    assert alerts_evaluate(now=NOW, sleep=sleeps)["failed"] == 1
    broken.refresh_from_db()
    assert broken.last_error == (
        "channel hook: no webhook signing secret (set NOPE_UNSET or enter it in the admin)"
    )
    assert slack.received == []
    assert AlertMessage.objects.filter(status="failed").count() == 1
