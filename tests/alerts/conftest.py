"""Alert fixtures: a real HTTP server on loopback standing in for Slack (incoming webhooks and
the Web API's chat.postMessage) and for a generic webhook receiver, scripted answer by answer;
a real SMTP server (aiosmtpd, from the digests' tests); and a small organisation with rows that
fire each kind of rule."""

import json
import threading
from collections import deque
from dataclasses import dataclass, field
from datetime import date
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from apps.alerts.models import AlertChannel, AlertRule
from apps.core.periods import next_period_start
from apps.organization.models import Goal, PagerDutyService
from tests.digests.conftest import Inbox, smtp  # noqa: F401 — the SMTP fixture, shared
from tests.metrics.factories import (
    MetricRowFactory,
    OrganizationFactory,
    SourceFactory,
    TeamFactory,
)

JAN, FEB, MAR, APR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1), date(2026, 4, 1)
BASE_URL = "https://keel.example"


@dataclass
class Answer:
    """One scripted answer: HTTP status, JSON or text body, headers."""

    status: int = 200
    body: str = "ok"
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Received:
    path: str
    headers: dict[str, str]
    body: bytes

    @property
    def json(self) -> dict:
        return json.loads(self.body)


class StandIn:
    """Answers every POST with the next scripted Answer (then 200 "ok", or for the Web API
    `{"ok": true}`), and keeps every request it received."""

    def __init__(self) -> None:
        self.received: list[Received] = []
        self.script: deque[Answer] = deque()
        stand_in = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:  # noqa: N802 — http.server's name
                length = int(self.headers.get("Content-Length", 0))
                body = self.rfile.read(length)
                stand_in.received.append(Received(self.path, dict(self.headers), body))
                if stand_in.script:
                    answer = stand_in.script.popleft()
                elif self.path.startswith("/api/"):
                    answer = Answer(200, json.dumps({"ok": True, "ts": "1.2"}))
                else:
                    answer = Answer()
                data = answer.body.encode()
                self.send_response(answer.status)
                content_type = "application/json" if answer.body.startswith("{") else "text/plain"
                self.send_header("Content-Type", content_type)
                for key, value in answer.headers.items():
                    self.send_header(key, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def answer(self, *answers: Answer) -> None:
        self.script.extend(answers)

    def to(self, path: str) -> list[Received]:
        return [r for r in self.received if r.path == path]


@pytest.fixture
def slack(settings):
    stand_in = StandIn()
    stand_in.thread.start()
    settings.KEEL_SLACK_API_URL = stand_in.url + "/api/"
    settings.KEEL_BASE_URL = BASE_URL
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


class Sleeps(list):
    """Stands in for time.sleep: keeps each wait instead of waiting."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()


def month_rows(metric: str, scope: str, key: str, values, unit: str, anomalies=()) -> None:
    for start, value in zip((JAN, FEB, MAR, APR), values, strict=False):
        MetricRowFactory(
            metric=metric,
            scope=scope,
            scope_key=key,
            granularity="month",
            period_start=start,
            period_end=next_period_start(start, "month"),
            value=value,
            smoothed=value,
            anomaly=start in anomalies,
            unit=unit,
        )


def world_build() -> dict:
    """Service PSVC1 (Public API, SLO 99.9%) whose error budget goes 0.5, −0.2, 0.3 in
    Jan–Mar; team platform with MTTR 5, 6, 3 hours against a goal of 4; bug impact of team
    payments flagged anomalous in March. April is the running month (never judged)."""
    OrganizationFactory(name="Acme", cost_settings={"currency": "USD"})
    platform = TeamFactory(slug="platform", name="Platform")
    TeamFactory(slug="payments", name="Payments")
    source = SourceFactory(name="pd", kind="pagerduty")
    PagerDutyService.objects.create(
        source=source, service_id="PSVC1", team=platform, slo=0.999, name="Public API"
    )
    month_rows("error_budget_remaining", "service", "PSVC1", [0.5, -0.2, 0.3, -1.0], "ratio")
    month_rows("uptime", "service", "PSVC1", [0.9995, 0.9985, 0.9992, 0.9], "ratio")
    month_rows("mttr_hours", "team", "platform", [5.0, 6.0, 3.0, 9.0], "hours")
    month_rows("bug_impact_days", "team", "payments", [4.0, 5.0, 40.0, 41.0], "impact-days", [MAR])
    Goal.objects.create(metric="mttr_hours", target=4.0)
    return {"platform": platform}


def channel(name: str = "eng", **fields) -> AlertChannel:
    fields.setdefault("kind", "slack")
    return AlertChannel.objects.create(name=name, **fields)


def rule(name: str, channel_: AlertChannel, **fields) -> AlertRule:
    fields.setdefault("granularity", "month")
    fields.setdefault("since", JAN)
    return AlertRule.objects.create(name=name, channel=channel_, **fields)


@pytest.fixture
def world(db):
    return world_build()
