"""The `alerts` section of the config file (docs/configuration.md#alerts): checks with the key
path, applying, idempotence, the default `since`."""

from datetime import date

import pytest
from django.core.management import call_command

from apps.alerts.models import AlertChannel, AlertRule
from apps.core.errors import ConfigError
from apps.organization.services import config_apply, config_load

BASE = """organization: {name: Acme}
teams: [{slug: platform, name: Platform}]
sources:
  - {name: pd, kind: pagerduty, token_env: PD, services: [{id: PSVC1, team: platform, slo: 0.999}]}
"""
CHANNELS = """alerts:
  channels:
    - {name: eng, kind: slack, webhook_url_env: SLACK_WEBHOOK_URL}
    - {name: mail, kind: email, to: [alice@acme.test]}
  rules:
"""


@pytest.mark.parametrize(
    ("rules", "path", "message"),
    [
        (
            "- {metric: nope, scope: team, when: anomaly, channel: eng}",
            "alerts.rules[0].metric",
            "unknown metric 'nope'",
        ),
        (
            "- {metric: uptime, scope: customer, when: anomaly, channel: eng}",
            "alerts.rules[0].scope",
            "metric 'uptime' has no customer rows",
        ),
        (
            "- {metric: uptime, scope: engineer, when: anomaly, channel: eng}",
            "alerts.rules[0].scope",
            "Input should be 'org', 'team', 'service' or 'customer'",
        ),
        (
            "- {metric: uptime, scope: service, when: below, channel: eng}",
            "alerts.rules[0].value",
            "when: below needs a value",
        ),
        (
            "- {metric: uptime, scope: service, when: anomaly, value: 1, channel: eng}",
            "alerts.rules[0].value",
            "when: anomaly takes no value",
        ),
        (
            "- {metric: uptime, scope: team, when: below_slo, channel: eng}",
            "alerts.rules[0].when",
            "below_slo is for uptime at scope service",
        ),
        (
            "- {metric: customers_onboarding, scope: org, when: goal_missed, channel: eng}",
            "alerts.rules[0].metric",
            "has no direction",
        ),
        (
            "- {metric: uptime, scope: service, when: anomaly, periods: 2, channel: eng}",
            "alerts.rules[0].periods",
            "periods is only for when: goal_missed",
        ),
        (
            "- {metric: uptime, scope: service, when: anomaly, channel: engg}",
            "alerts.rules[0].channel",
            "unknown channel 'engg'",
        ),
        (
            "- {metric: uptime, scope: team, scope_key: platfrom, when: anomaly, channel: eng}",
            "alerts.rules[0].scope_key",
            "unknown team 'platfrom'",
        ),
        (
            "- {metric: uptime, scope: service, scope_key: PSVC9, when: anomaly, channel: eng}",
            "alerts.rules[0].scope_key",
            "unknown service 'PSVC9'",
        ),
        (
            "- {metric: uptime, scope: service, when: anomaly, channel: eng, webhook_url: x}",
            "alerts.rules[0].webhook_url",
            "unknown key 'webhook_url'",
        ),
    ],
)
def test_bad_rules_are_refused_with_their_key(rules: str, path: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_load(text=BASE + CHANNELS + "    " + rules + "\n")
    assert caught.value.path == path
    assert message in caught.value.message


@pytest.mark.parametrize(
    ("channel", "path", "message"),
    [
        ("{name: m, kind: email}", "alerts.channels[0].to", "at least one address"),
        (
            "{name: s, kind: slack, to: [a@b.test]}",
            "alerts.channels[0].to",
            "'to' is only for email channels, not slack",
        ),
        (
            "{name: s, kind: slack, token_env: BOT}",
            "alerts.channels[0].channel",
            "a Slack bot token needs the channel",
        ),
        (
            "{name: s, kind: slack, webhook_url_env: xoxb_oops, token_env: B, channel: c}",
            "alerts.channels[0].token_env",
            "use either webhook_url_env",
        ),
        (
            "{name: h, kind: webhook, secret: hunter2}",
            "alerts.channels[0].secret",
            "secrets never live in the config file",
        ),
    ],
)
def test_bad_channels_are_refused(channel: str, path: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_load(text=BASE + f"alerts:\n  channels: [{channel}]\n")
    assert caught.value.path == path
    assert message in caught.value.message


@pytest.mark.django_db
def test_apply_is_idempotent_and_keeps_the_first_since(tmp_path, monkeypatch) -> None:
    import apps.alerts.config as alerts_config

    monkeypatch.setattr(
        alerts_config, "latest_complete_start", lambda granularity: date(2026, 11, 1)
    )
    text = (
        BASE
        + CHANNELS
        + (
            "    - {metric: error_budget_remaining, scope: service, when: below, value: 0, "
            "channel: eng}\n"
            "    - {name: impact, metric: bug_impact_days, scope: team, when: anomaly, "
            "channel: mail, since: 2026-01-01}\n"
        )
    )
    path = tmp_path / "keel.yaml"
    path.write_text(text)
    call_command("apply_config", str(path))
    rules = {r.name: r for r in AlertRule.objects.all()}
    assert set(rules) == {"error_budget_remaining-service-below-eng", "impact"}
    assert rules["error_budget_remaining-service-below-eng"].since == date(2026, 11, 1)
    assert rules["impact"].since == date(2026, 1, 1)

    monkeypatch.setattr(
        alerts_config, "latest_complete_start", lambda granularity: date(2026, 12, 1)
    )
    result = config_apply(config=config_load(text=text))
    assert not result.changed
    assert AlertRule.objects.get(name="impact").since == date(2026, 1, 1)
    assert AlertRule.objects.get(name__startswith="error_budget").since == date(2026, 11, 1)

    # Pruning drops the rules and the channels the file no longer names.
    config_apply(config=config_load(text=BASE), prune=True)
    assert not AlertRule.objects.exists() and not AlertChannel.objects.exists()
