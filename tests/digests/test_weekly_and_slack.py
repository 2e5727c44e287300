"""The weekly digest (docs/digests.md#weekly-digest) by real SMTP, once per recipient and week,
and the monthly digest posted once to a Slack stand-in (docs/digests.md#slack)."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command

from apps.alerts.models import AlertChannel
from apps.digests.models import DigestDelivery, DigestSettings
from apps.digests.services import digests_send, weekly_send
from apps.digests.tasks import weekly_week_due
from apps.organization.models import Goal, Team
from tests.alerts.conftest import Answer, slack  # noqa: F401 — the Slack stand-in fixture
from tests.digests.conftest import OCT
from tests.metrics.factories import MetricRowFactory

WEEK, BEFORE = date(2026, 11, 23), date(2026, 11, 16)


@pytest.fixture
def weekly_org(org):
    DigestSettings.objects.create(weekly=["ann@acme.test", "root@acme.test", "nobody@acme.test"])
    for start, value, anomaly in ((BEFORE, 2.0, False), (WEEK, 5.0, True)):
        MetricRowFactory(
            metric="release_frequency", scope="team", scope_key="alpha", granularity="week",
            period_start=start, value=value, smoothed=3.0, anomaly=anomaly, unit="releases",
        )  # fmt: skip
    for start, value in ((BEFORE, 3.0), (WEEK, 6.0)):
        MetricRowFactory(
            metric="mttr_hours", scope="team", scope_key="alpha", granularity="week",
            period_start=start, value=value, smoothed=4.0, unit="hours",
        )  # fmt: skip
    Goal.objects.create(metric="mttr_hours", target=4.0)
    Goal.objects.create(metric="release_frequency", team=Team.objects.get(slug="alpha"), target=8)


def test_weekly_digest_goes_to_the_named_recipients_once(weekly_org, smtp):
    assert weekly_send(week=WEEK) == {"sent": 2, "failed": 0, "skipped": 0}
    assert weekly_send(week=WEEK) == {"sent": 0, "failed": 0, "skipped": 0}
    # bob manages a team but is not named; nobody@ is no recipient of any digest.
    assert sorted(r for rcpt, _ in smtp.messages for r in rcpt) == [
        "ann@acme.test",
        "root@acme.test",
    ]
    (ann,) = smtp.to("ann@acme.test")
    assert ann["Subject"] == "Acme — week of 23 Nov 2026 (team Alpha)"
    text = ann.get_body(preferencelist=("plain",)).get_content().replace("\r\n", "\n")
    assert (
        "Release frequency: 5 releases (week before 2 releases, +3 releases; trend 3 releases) "
        "ANOMALY\n"
    ) in text
    # The release goal (8 a month) is not judged on a week; MTTR's is (at most 4 hours).
    assert (
        "Mean time to restore (MTTR): 6.0 hours (week before 3.0 hours, +3.0 hours; trend "
        "4.0 hours); goal ≤ 4.0 hours: missed" in text
    )
    assert "granularity=week" in text
    assert DigestDelivery.objects.filter(cadence="week", month=WEEK, status="sent").count() == 2
    # The monthly digests of another period are untouched by the weekly ones.
    assert not DigestDelivery.objects.filter(cadence="month").exists()


def test_weekly_window_is_monday_8_to_tuesday_in_the_org_zone():
    assert weekly_week_due(datetime(2026, 11, 30, 7, 59, tzinfo=UTC), "UTC") is None
    assert weekly_week_due(datetime(2026, 11, 30, 8, 0, tzinfo=UTC), "UTC") == WEEK
    assert weekly_week_due(datetime(2026, 12, 1, 23, 0, tzinfo=UTC), "UTC") == WEEK
    assert weekly_week_due(datetime(2026, 12, 2, 0, 0, tzinfo=UTC), "UTC") is None
    # 07:30 UTC on Monday is 08:30 in Paris: due there.
    assert weekly_week_due(datetime(2026, 11, 30, 7, 30, tzinfo=UTC), "Europe/Paris") == WEEK


def test_command_sends_a_week_and_refuses_a_day_that_is_no_monday(weekly_org, smtp, capsys):
    call_command("send_digests", "--week", "2026-11-23", "--dry-run")
    assert "Subject: Acme — week of 23 Nov 2026 (organisation)" in capsys.readouterr().out
    assert smtp.messages == []
    call_command("send_digests", "--week", "2026-11-23")
    assert len(smtp.messages) == 2
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="2026-11-24 is a Tuesday; weeks start on Monday"):
        call_command("send_digests", "--week", "2026-11-24")


def test_monthly_digest_is_posted_to_slack_once(org, smtp, slack, settings):  # noqa: F811
    eng = AlertChannel.objects.create(name="eng", kind="slack", webhook_url=slack.url + "/hooks/d")
    DigestSettings.objects.create(slack_channel=eng)
    Goal.objects.create(metric="release_frequency", target=10.0)
    slack.answer(Answer(429, "rate_limited", {"Retry-After": "0"}))

    assert digests_send(month=OCT, sleep=lambda s: None)["sent"] == 4  # 3 e-mails + Slack
    assert digests_send(month=OCT, sleep=lambda s: None)["sent"] == 0
    refused, posted = slack.to("/hooks/d")
    assert refused.body == posted.body
    body = posted.json
    assert body["text"] == "Acme — October 2026 digest (organisation)"
    texts = [b["text"]["text"] for b in body["blocks"] if b["type"] == "section"]
    assert any(
        "• Release frequency: *11 releases* (+5 releases on the month before); "
        "goal ≥ 10 releases: met" in t
        for t in texts
    )
    assert body["blocks"][-1]["elements"][0]["text"] == "<https://keel.example/|Open the dashboard>"
    delivery = DigestDelivery.objects.get(recipient="slack:eng")
    assert (delivery.kind, delivery.status, delivery.attempts) == ("slack", "sent", 1)
    # The e-mail recipients still got theirs, once.
    assert len(smtp.messages) == 3


def test_digests_config_section(db):
    from apps.core.errors import ConfigError
    from apps.organization.services import config_apply, config_load

    base = (
        "organization: {name: Acme}\n"
        "alerts: {channels: [{name: eng, kind: slack}, "
        "{name: mail, kind: email, to: [a@b.test]}]}\n"
    )
    with pytest.raises(ConfigError) as caught:
        config_load(text=base + "digests: {slack_channel: mail}\n")
    assert (caught.value.path, caught.value.message) == (
        "digests.slack_channel",
        "not a slack channel 'mail' (declare it in alerts.channels)",
    )
    config = config_load(text=base + "digests: {weekly: [Ann@Acme.test], slack_channel: eng}\n")
    assert config_apply(config=config).get("digests.DigestSettings").created == 1
    assert not config_apply(config=config).changed
    row = DigestSettings.objects.get()
    assert (row.weekly, row.slack_channel.name) == (["ann@acme.test"], "eng")
