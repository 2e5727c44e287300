"""Alerts through a Slack stand-in on loopback (docs/alerts.md): what is sent, once; resolved
once; retries on 429 (honouring Retry-After) and 5xx; invalid_token fails at once and shows."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command

from apps.alerts.models import AlertMessage, AlertRule
from apps.alerts.services import alerts_evaluate
from tests.alerts.conftest import APR, FEB, MAR, Answer, channel, rule

NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)  # March is the latest complete month


@pytest.fixture
def budget_rule(world, slack):
    eng = channel(webhook_url=slack.url + "/hooks/T1/B1/x")
    return rule(
        "budget-burnt",
        eng,
        metric="error_budget_remaining",
        scope="service",
        when="below",
        value=0.0,
    )


def test_a_fired_period_and_its_resolution_are_sent_once(budget_rule, slack, sleeps):
    first = alerts_evaluate(now=NOW, sleep=sleeps)

    # February fired (−20% < 0); March (30%) no longer fires: one resolved message.
    assert first == {"owed": 2, "sent": 2, "failed": 0, "skipped": 0, "snoozed": 0}
    fired, resolved = (r.json for r in slack.to("/hooks/T1/B1/x"))
    assert fired["text"] == (
        "Error budget remaining for service Public API (PSVC1) in February 2026: −20.00%, "
        "below 0.00%"
    )
    assert resolved["text"] == (
        "Resolved: Error budget remaining for service Public API (PSVC1) is back inside in "
        "March 2026: 30.00% (was below 0.00%)"
    )
    section, fields, context = fired["blocks"]
    assert section["text"]["text"].startswith(":rotating_light: *Error budget remaining")
    assert [f["text"] for f in fields["fields"]] == [
        "*Value*\n−20.00%",
        "*Threshold*\n0.00%",
        "*Period*\nFebruary 2026",
        "*Scope*\nservice PSVC1",
    ]
    bar, link = (e["text"] for e in context["elements"])
    assert bar == "`█▁` recent months"  # January 50%, February −20%
    assert link == (
        "<https://keel.example/metrics/error_budget_remaining/?scope=service&granularity=month"
        "&scope_key=PSVC1|Open Error budget remaining in Keel>"
    )
    assert sleeps == []

    # Again: nothing new is sent.
    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 0
    assert len(slack.received) == 2
    # The command runs today (December 2026): April is complete now and fires (−100%); only
    # that message is new.
    call_command("evaluate_alerts")
    assert len(slack.received) == 3
    assert "April 2026: −100.00%, below 0.00%" in slack.received[2].json["text"]
    assert list(
        AlertMessage.objects.values_list("period_start", "kind", "status", "attempts").order_by(
            "period_start"
        )
    ) == [
        (FEB, "fired", "sent", 1),
        (MAR, "resolved", "sent", 1),
        (APR, "fired", "sent", 1),
    ]


def test_429_waits_what_retry_after_says_then_sends_once(budget_rule, slack, sleeps):
    slack.answer(Answer(429, "rate_limited", {"Retry-After": "3"}))
    outcome = alerts_evaluate(now=NOW, sleep=sleeps)
    assert outcome["sent"] == 2 and outcome["failed"] == 0
    assert sleeps == [3.0]
    # Three requests: the refused one, its retry, and the resolved message.
    assert len(slack.received) == 3
    assert slack.received[0].body == slack.received[1].body


def test_5xx_backs_off_then_gives_up_and_the_rule_shows_failing(budget_rule, slack, sleeps):
    slack.answer(*[Answer(500, "internal_error")] * 4)
    outcome = alerts_evaluate(now=NOW, sleep=sleeps)

    assert outcome == {"owed": 2, "sent": 0, "failed": 1, "skipped": 0, "snoozed": 0}
    assert sleeps == [1.0, 2.0, 4.0]
    assert len(slack.received) == 4  # the resolved message waits for the next evaluation
    budget_rule.refresh_from_db()
    assert budget_rule.failures == 1
    assert budget_rule.last_error == "HTTP 500: internal_error"
    failed = AlertMessage.objects.get(kind="fired")
    assert (failed.status, failed.error) == ("failed", "HTTP 500: internal_error")

    # Slack is back: the failed message and the resolution go out, once each.
    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 2
    budget_rule.refresh_from_db()
    assert (budget_rule.failures, budget_rule.last_error) == (0, "")
    assert len(slack.received) == 6
    assert AlertMessage.objects.get(kind="fired").attempts == 2


def test_bot_token_posts_with_chat_post_message(world, slack, sleeps, monkeypatch):
    monkeypatch.setenv("KEEL_TEST_SLACK_BOT", "xoxb-test-token")
    bot = channel("eng-bot", token_env="KEEL_TEST_SLACK_BOT", channel="#eng-alerts")
    rule("mttr", bot, metric="mttr_hours", scope="team", when="goal_missed", periods=2)

    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 2
    fired, resolved = slack.to("/api/chat.postMessage")
    assert fired.headers["Authorization"] == "Bearer xoxb-test-token"
    body = fired.json
    assert body["channel"] == "#eng-alerts"
    # The goal (at most 4 hours) missed in January (5) and February (6): two months running.
    assert body["text"] == (
        "Mean time to restore (MTTR) for team Platform (platform) in February 2026: "
        "6.0 hours, missed its goal of 4.0 hours 2 months running"
    )
    assert "*Goal*\n4.0 hours" in [f["text"] for f in body["blocks"][1]["fields"]]
    assert resolved.json["text"].startswith("Resolved: Mean time to restore (MTTR)")


def test_invalid_token_fails_at_once_and_is_visible(world, slack, sleeps, monkeypatch, client):
    monkeypatch.setenv("KEEL_TEST_SLACK_BOT", "xoxb-revoked")
    bot = channel("eng-bot", token_env="KEEL_TEST_SLACK_BOT", channel="#eng-alerts")
    mttr = rule("mttr", bot, metric="mttr_hours", scope="team", when="goal_missed", periods=2)
    slack.answer(Answer(200, '{"ok": false, "error": "invalid_auth"}'))
    slack.answer(Answer(200, '{"ok": false, "error": "invalid_token"}'))

    assert alerts_evaluate(now=NOW, sleep=sleeps)["failed"] == 1
    assert alerts_evaluate(now=NOW, sleep=sleeps)["failed"] == 1
    assert sleeps == [] and len(slack.received) == 2  # never retried within a run
    mttr.refresh_from_db()
    assert (mttr.failures, mttr.last_error) == (2, "Slack: invalid_token")

    from tests.metrics.factories import UserFactory

    client.force_login(UserFactory(username="root", is_superuser=True, is_staff=True))
    sources = client.get("/sources/").content.decode()
    assert "mttr" in sources and "Slack: invalid_token" in sources
    changelist = client.get("/admin/alerts/alertrule/").content.decode()
    assert "Slack: invalid_token" in changelist


def test_snoozed_rule_records_and_never_sends(budget_rule, slack, sleeps):
    AlertRule.objects.filter(pk=budget_rule.pk).update(
        snoozed_until=datetime(2026, 5, 1, tzinfo=UTC)
    )
    assert alerts_evaluate(now=NOW, sleep=sleeps)["snoozed"] == 2
    AlertRule.objects.filter(pk=budget_rule.pk).update(snoozed_until=None)
    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 0
    assert slack.received == []
    assert set(AlertMessage.objects.values_list("status", flat=True)) == {"snoozed"}


def test_dry_run_reports_and_records_nothing(budget_rule, slack, capsys):
    call_command("evaluate_alerts", "--dry-run")
    out = capsys.readouterr().out
    assert "budget-burnt → eng: Error budget remaining for service Public API (PSVC1)" in out
    # February fired, March resolved, April (complete by now) fired again.
    assert "3 message(s) judged due; nothing sent (dry run)" in out
    assert slack.received == [] and not AlertMessage.objects.exists()


def test_history_before_since_is_not_sent(budget_rule, slack, sleeps):
    AlertRule.objects.filter(pk=budget_rule.pk).update(since=MAR)
    # February fired before `since`; March does not fire; nothing was firing: nothing to send.
    assert alerts_evaluate(now=NOW, sleep=sleeps)["owed"] == 0


def test_the_recompute_task_queues_an_evaluation_for_a_worker(db, settings, monkeypatch):
    from apps.alerts import tasks
    from apps.metrics import tasks as metric_tasks

    queued = []
    monkeypatch.setattr(tasks.evaluate_alerts_task, "delay", lambda: queued.append(1))
    monkeypatch.setattr(metric_tasks, "metrics_compute", lambda since, metrics: {})
    # With a broker: the compute task, run by a worker, queues one evaluation.
    settings.CELERY_TASK_ALWAYS_EAGER = False
    metric_tasks.compute_metrics_task.run()
    assert queued == [1]
    # Without one, tasks run in the process that asked (maybe the web process): nothing is
    # evaluated there.
    settings.CELERY_TASK_ALWAYS_EAGER = True
    metric_tasks.compute_metrics_task.run()
    assert queued == [1]
