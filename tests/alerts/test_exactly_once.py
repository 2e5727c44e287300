"""Exactly once (docs/alerts.md#exactly-once): a worker killed between the claim and the send,
then run again, sends nothing twice; two evaluators at once on PostgreSQL send each message
once."""

import os
import signal
import subprocess
import sys
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections
from django.utils import timezone

from apps.alerts.models import AlertMessage
from apps.alerts.services import alerts_evaluate
from tests.alerts.conftest import FEB, channel, rule, world_build
from tests.faults.conftest import ROOT, SharedDatabase

NOW = datetime(2026, 4, 15, 12, tzinfo=UTC)


@pytest.mark.django_db(transaction=True)
def test_killed_between_claim_and_send_then_rerun_sends_no_duplicate(tmp_path, slack, sleeps):
    world_build()
    eng = channel(webhook_url=slack.url + "/hooks/kill")
    rule("budget", eng, metric="error_budget_remaining", scope="service", when="below", value=0)
    shared = SharedDatabase(tmp_path)
    shared.push()
    child = subprocess.run(
        [sys.executable, "-m", "tests.alerts.child"],
        cwd=ROOT,
        env={
            **os.environ,
            "DATABASE_URL": shared.url(),
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
        },
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    shared.pull()
    assert child.returncode == -signal.SIGKILL, child.stdout + child.stderr
    claimed = AlertMessage.objects.get(period_start=FEB, kind="fired")
    assert (claimed.status, claimed.attempts) == ("sending", 1)
    assert slack.received == []

    # Run again: the claimed message is not resent (whether it went out is unknown); the
    # resolution of March, never claimed, is sent.
    outcome = alerts_evaluate(now=NOW, sleep=sleeps)
    assert outcome["sent"] == 1
    assert [r.json["text"].split(":")[0] for r in slack.received] == ["Resolved"]
    assert alerts_evaluate(now=NOW, sleep=sleeps)["sent"] == 0

    # An hour later, an operator who checked the channel reclaims the stale claim: it is
    # sent, once.
    AlertMessage.objects.filter(pk=claimed.pk).update(
        claimed_at=timezone.now() - timedelta(hours=1)
    )
    outcome = alerts_evaluate(now=NOW, reclaim_stale=True, sleep=sleeps)
    assert outcome["sent"] == 1
    assert len(slack.received) == 2
    assert AlertMessage.objects.get(pk=claimed.pk).status == "sent"


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real row locks between connections: run with DATABASE_URL=postgres://…",
)
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_evaluators_send_each_message_once(slack):
    world_build()
    eng = channel(webhook_url=slack.url + "/hooks/race")
    rule("budget", eng, metric="error_budget_remaining", scope="service", when="below", value=0)
    rule("mttr", eng, metric="mttr_hours", scope="team", when="goal_missed", periods=1)
    start, outcomes, errors = threading.Barrier(2), [], []

    def evaluator() -> None:
        try:
            start.wait()
            outcomes.append(alerts_evaluate(now=NOW, sleep=lambda s: None))
        except Exception as exc:
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=evaluator) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    texts = [r.json["text"] for r in slack.received]
    assert len(texts) == len(set(texts))
    # budget: February fired, March resolved; mttr (goal 4 h): January and February fired,
    # March resolved. Five messages in all, each sent by exactly one evaluator.
    assert len(texts) == 5
    assert sum(o["sent"] for o in outcomes) == 5
    assert AlertMessage.objects.filter(status="sent").count() == 5
