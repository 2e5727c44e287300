"""Digests through a real SMTP server on loopback: recipients, subject, both parts, images,
privacy, and exactly-once across failures and re-runs."""

import re

import pytest
from django.core.management import call_command

from apps.digests.models import DigestDelivery
from apps.digests.services import digests_send
from apps.organization.models import PagerDutyService, Source
from tests.digests.conftest import OCT
from tests.metrics.factories import MetricRowFactory


def parts(message) -> tuple[str, str, dict[str, bytes]]:
    """(plain text, HTML, {content id: PNG bytes}) of a received digest."""
    text = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    images = {
        p["Content-ID"].strip("<>"): p.get_content()
        for p in message.walk()
        if p.get_content_type() == "image/png"
    }
    return text, html, images


def test_each_recipient_gets_one_digest_with_both_parts_and_inline_charts(org, smtp):
    outcome = digests_send(month=OCT)

    # ann, bob (managers) and root (superuser); "nomail" has no address.
    assert outcome == {"sent": 3, "failed": 0, "skipped": 0}
    assert sorted(r for rcpt, _ in smtp.messages for r in rcpt) == [
        "ann@acme.test",
        "bob@acme.test",
        "root@acme.test",
    ]
    (ann,) = smtp.to("ann@acme.test")
    assert ann["Subject"] == "Acme — October 2026 digest (team Alpha)"
    assert ann.get_content_type() == "multipart/related"
    text, html, images = parts(ann)
    # Every section with a registered metric gets a chart; each is a PNG referenced by cid.
    assert images and all(png.startswith(b"\x89PNG") for png in images.values())
    assert set(re.findall(r'src="cid:([^"]+)"', html)) == set(images)
    assert "chart-team-alpha-delivery" in images
    # release_frequency alpha: Oct 9 vs Sep 3 → +6; vs trend 5 → +4; flagged anomalous. More
    # releases is better, said in words (and in green in the HTML), never by colour alone.
    assert (
        "Release frequency: 9 releases [DORA high] (previous month 3 releases, +6 releases better; "
        "trend 5 releases, +4 releases better) ANOMALY"
    ) in text
    assert '<span style="color:#16692f;">+6 releases <strong>better</strong></span>' in html
    assert (
        "Release frequency for team Alpha was 9 releases in October 2026, above its trend "
        "of 5 releases (previous month: 3 releases)."
    ) in text
    # churn_risk ≥ 0.5 in alpha: a1 (0.72) only; a2 (0.31) is below the threshold.
    assert "Ada One <a1@acme.test>: 0.72 https://keel.example/engineers/a1%40acme.test/" in text
    assert "Al Two" not in text
    # alpha-api uptime 99.95% ≥ SLO 99.90% → met.
    assert "alpha-api: 99.95% (SLO 99.90%, met)" in text
    assert (
        "https://keel.example/metrics/release_frequency/?scope=team&scope_key=alpha"
        "&granularity=month"
    ) in text
    assert "Ada One" in html and 'href="https://keel.example/teams/alpha/"' in html
    assert DigestDelivery.objects.filter(month=OCT, status="sent").count() == 3
    assert all(d.message_id and d.attempts == 1 for d in DigestDelivery.objects.all())


def test_manager_digest_never_mentions_another_teams_engineers(org, smtp):
    digests_send(month=OCT)

    for message in smtp.to("ann@acme.test"):
        text, html, _ = parts(message)
        for secret in ("b1@acme.test", "Bea Secret", "beta-web", "Beta"):
            assert secret not in text and secret not in html
    bob_text, _, _ = parts(smtp.to("bob@acme.test")[0])
    assert "Bea Secret <b1@acme.test>: 0.93" in bob_text and "Ada One" not in bob_text
    # The org digest names no engineer at all; it shows every service.
    root_text, _, _ = parts(smtp.to("root@acme.test")[0])
    assert "Ada One" not in root_text and "Bea Secret" not in root_text
    assert "beta-web: 98.00% (SLO 99.00%, missed)" in root_text
    # org cost Oct 12,500 EUR vs trend 12,000 → +€500; no September row → "—".
    assert "Cost: €12,500 (previous month —, —; trend €12,000, +€500 worse)" in root_text


def test_smtp_failure_mid_run_is_retried_without_a_duplicate(org, smtp):
    smtp.refuse = {"bob@acme.test"}  # ann goes first (sorted), bob is refused, root goes out

    first = digests_send(month=OCT)
    smtp.refuse = set()
    second = digests_send(month=OCT)
    third = digests_send(month=OCT)

    assert first == {"sent": 2, "failed": 1, "skipped": 0}
    assert second == {"sent": 1, "failed": 0, "skipped": 0}
    assert third == {"sent": 0, "failed": 0, "skipped": 0}
    assert sorted(r for rcpt, _ in smtp.messages for r in rcpt) == [
        "ann@acme.test",
        "bob@acme.test",
        "root@acme.test",
    ]
    bob = DigestDelivery.objects.get(recipient="bob@acme.test")
    assert (bob.status, bob.attempts, bob.error) == ("sent", 2, "")


def test_killed_between_two_recipients_rerun_completes_without_duplicate(org, smtp, monkeypatch):
    from django.core.mail import EmailMultiAlternatives

    real_send, calls = EmailMultiAlternatives.send, []

    def send_then_die(self, *args, **kwargs):
        calls.append(self.to[0])
        if len(calls) == 2:
            raise KeyboardInterrupt  # the process is interrupted while sending to bob
        return real_send(self, *args, **kwargs)

    monkeypatch.setattr(EmailMultiAlternatives, "send", send_then_die)
    with pytest.raises(KeyboardInterrupt):
        digests_send(month=OCT)
    statuses = dict(DigestDelivery.objects.values_list("recipient", "status"))
    assert statuses == {
        "ann@acme.test": "sent",
        "bob@acme.test": "failed",
        "root@acme.test": "pending",
    }

    monkeypatch.setattr(EmailMultiAlternatives, "send", real_send)
    assert digests_send(month=OCT) == {"sent": 2, "failed": 0, "skipped": 0}
    assert sorted(r for rcpt, _ in smtp.messages for r in rcpt) == [
        "ann@acme.test",
        "bob@acme.test",
        "root@acme.test",
    ]


def test_hard_killed_claim_is_resent_only_with_reclaim_stale(org, smtp):
    from datetime import timedelta

    from django.utils import timezone

    digests_send(month=OCT)
    smtp.messages.clear()
    # A sender died after claiming bob (status "sending"); whether it was sent is unknown.
    DigestDelivery.objects.filter(recipient="bob@acme.test").update(
        status="sending", claimed_at=timezone.now() - timedelta(minutes=5)
    )
    assert digests_send(month=OCT, reclaim_stale=True)["sent"] == 0  # 5 min: not stale yet
    DigestDelivery.objects.filter(recipient="bob@acme.test").update(
        claimed_at=timezone.now() - timedelta(minutes=16)
    )
    assert digests_send(month=OCT)["sent"] == 0  # without the flag: at-most-once, left alone
    assert digests_send(month=OCT, reclaim_stale=True)["sent"] == 1  # 16 min > 15: resent
    assert [rcpt for rcpt, _ in smtp.messages] == [["bob@acme.test"]]


def test_command_dry_run_and_preview_record_nothing(org, smtp, capsys):
    call_command("send_digests", "--month", "2026-10", "--dry-run")
    out = capsys.readouterr().out
    assert out.count("To: ") == 3 and "Subject: Acme — October 2026 digest (team Beta)" in out
    assert smtp.messages == [] and not DigestDelivery.objects.exists()

    call_command("send_digests", "--month", "2026-10", "--to", "me@acme.test")
    assert [rcpt for rcpt, _ in smtp.messages] == [["me@acme.test"]] * 3
    assert str(smtp.messages[0][1]["Subject"]).strip().startswith("[preview for ann@acme.test] ")
    assert not DigestDelivery.objects.exists()

    call_command("send_digests", "--month", "2026-10")
    assert DigestDelivery.objects.filter(status="sent").count() == 3


def test_a_service_without_an_slo_is_said_grey_not_green(org, smtp):
    alpha_api = PagerDutyService.objects.get(service_id="PA")
    PagerDutyService.objects.create(
        source=Source.objects.get(name="pd"),
        service_id="PC",
        team=alpha_api.team,
        slo=None,
        name="alpha-batch",
    )
    MetricRowFactory(
        metric="uptime",
        scope="service",
        scope_key="PC",
        granularity="month",
        period_start=OCT,
        value=0.995,
        smoothed=0.995,
        anomaly=False,
        unit="ratio",
    )

    digests_send(month=OCT)

    text, html, _ = parts(smtp.to("ann@acme.test")[0])
    assert "alpha-batch: 99.50% (SLO —, no SLO)" in text
    # Met is green and bold; a service without an SLO met nothing, so it reads in plain grey.
    row = re.search(r"alpha-batch</a>.*?</tr>", html, re.S).group(0)
    assert '<strong style="color:#616e7c;font-weight:400;">no SLO</strong>' in row
    assert "#16692f" not in row
    met_row = re.search(r"alpha-api</a>.*?</tr>", html, re.S).group(0)
    assert '<strong style="color:#16692f;">met</strong>' in met_row
