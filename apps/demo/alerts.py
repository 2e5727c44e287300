"""Demo extension (apps.demo.services.DEMO_EXTENSIONS): goals and the default alert rules
(docs/alerts.md), so the demo shows goals on its tiles and sends alerts.

- **Goals**: the DORA-style targets (change failure rate at most 15%, failed deployment
  recovery within 24 hours, rework at most 10%, at least 4 releases a month per team), uptime
  of 99.9% and a mean time to restore of at most 4 hours.
- **Rules**: a service's error budget below 0; a service's uptime under its SLO; each DORA-style
  metric missing its goal 2 months running (per team); an anomaly on a team's bug impact.
  Each judges the last 3 complete months, so a fresh demo has something to say.
- **Channels**: e-mail to the demo admin (through `EMAIL_URL`, by default files in
  `var/mail/`), and Slack when `KEEL_DEMO_SLACK_WEBHOOK_URL` names an incoming webhook; the
  rules go to Slack then, else to the e-mail channel.
"""

import os
from datetime import UTC, date, datetime, timedelta

from apps.alerts.services import alerts_evaluate

SLACK_ENV = "KEEL_DEMO_SLACK_WEBHOOK_URL"
GOALS = (
    ("change_failure_rate", 0.15),
    ("failed_deployment_recovery_hours", 24.0),
    ("deployment_rework_rate", 0.10),
    ("release_frequency", 4.0),
    ("uptime", 0.999),
    ("mttr_hours", 4.0),
)
DORA_STYLE = ("change_failure_rate", "failed_deployment_recovery_hours", "deployment_rework_rate",
              "release_frequency")  # fmt: skip
HISTORY_MONTHS = 3


def since(today: date) -> date:
    """The first day of the month HISTORY_MONTHS complete months back."""
    first = today.replace(day=1)
    for _ in range(HISTORY_MONTHS):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


def extend_config(*, config: dict, base_url: str) -> None:
    """Add the goals, the channels and the default rules to the demo config."""
    config["goals"] = [{"metric": metric, "target": target} for metric, target in GOALS]
    slack = bool(os.environ.get(SLACK_ENV))
    channels: list[dict] = [{"name": "mail", "kind": "email", "to": ["admin@acme.test"]}]
    if slack:
        channels.append({"name": "slack", "kind": "slack", "webhook_url_env": SLACK_ENV})
    target = "slack" if slack else "mail"
    start = since(datetime.now(UTC).date())
    rules: list[dict] = [
        {"name": "error-budget-burnt", "metric": "error_budget_remaining", "scope": "service",
         "when": "below", "value": 0},
        {"name": "uptime-under-slo", "metric": "uptime", "scope": "service", "when": "below_slo"},
        {"name": "bug-impact-anomaly", "metric": "bug_impact_days", "scope": "team",
         "when": "anomaly"},
    ]  # fmt: skip
    rules += [
        {"name": f"{metric.replace('_', '-')}-goal-missed", "metric": metric, "scope": "team",
         "when": "goal_missed", "periods": 2}
        for metric in DORA_STYLE
    ]  # fmt: skip
    for rule in rules:
        rule.update({"channel": target, "since": start})
    config["alerts"] = {"channels": channels, "rules": rules}


def after_compute() -> dict[str, int]:
    """Evaluate the rules once the metrics are computed (the worker does it after every
    recompute; the demo has no worker)."""
    return alerts_evaluate()
