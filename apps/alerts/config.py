"""The config file's `alerts` section (docs/alerts.md), applied inside `config_apply`'s
transaction (registered with apps.organization.sections)."""

from typing import Any

from apps.alerts.models import AlertChannel, AlertRule
from apps.alerts.selectors import latest_complete_start
from apps.organization.rows import ApplyResult, rows_delete, rows_sync
from apps.organization.schema import OrgConfig


def alerts_apply(*, config: OrgConfig, result: ApplyResult, prune: bool) -> None:
    """Make the channels and rules match the file. Secrets entered in the admin are never read
    or written. A rule created without `since` starts at the latest complete period, so a new
    rule does not send its history; applying the file again keeps that day."""
    section = config.alerts
    channels = rows_sync(
        queryset=AlertChannel.objects.defer("webhook_url", "token", "url", "secret"),
        key=("name",),
        rows={
            (c.name,): {
                "kind": c.kind,
                "enabled": c.enabled,
                "webhook_url_env": c.webhook_url_env or "",
                "token_env": c.token_env or "",
                "channel": c.channel or "",
                "to": list(c.to),
                "url_env": c.url_env or "",
                "secret_env": c.secret_env or "",
            }
            for c in section.channels
        },
        result=result,
        prune=False,
    ).objects
    rows: dict[tuple[Any, ...], dict[str, Any]] = {}
    for rule in section.rules:
        values: dict[str, Any] = {
            "metric": rule.metric,
            "scope": rule.scope,
            "scope_key": rule.scope_key or "",
            "granularity": rule.granularity,
            "when": rule.when,
            "value": rule.value,
            "periods": rule.periods,
            "channel_id": channels[(rule.channel,)].pk,
            "enabled": rule.enabled,
        }
        if rule.since is not None:
            values["since"] = rule.since
        rows[(rule.name,)] = values
    synced = rows_sync(
        queryset=AlertRule.objects.all(), key=("name",), rows=rows, result=result, prune=prune
    )
    for key in synced.created:
        created = synced.objects[key]
        if created.since is None:
            created.since = latest_complete_start(created.granularity)
            created.save(update_fields=["since"])
    if prune:
        wanted = [c.name for c in section.channels]
        stale = AlertChannel.objects.exclude(name__in=wanted).filter(rules__isnull=True)
        rows_delete(queryset=stale, result=result)
