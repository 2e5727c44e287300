"""Reads for the alerts (docs/alerts.md): the complete periods a rule judges, the series behind
them, and the rules that keep failing."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import QuerySet

from apps.alerts.models import AlertMessage, AlertRule
from apps.core.periods import Granularity, period_start_of
from apps.metrics.goals import today_local
from apps.metrics.models import MetricRow
from apps.organization.selectors import services_counted

# A rule is shown as failing from this many failed sends in a row.
FAILING_AFTER = 1


def latest_complete_start(granularity: Granularity | str, today: date | None = None) -> date:
    """The first day of the latest complete period (the one before today's, org-local)."""
    today = today or today_local()
    current = period_start_of(today, granularity)  # type: ignore[arg-type]
    return period_start_of(current - timedelta(days=1), granularity)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Point:
    """One stored row of a series, as a rule reads it."""

    period_start: date
    period_end: date
    value: float | None
    smoothed: float | None
    anomaly: bool
    unit: str


def rule_series(rule: AlertRule, *, today: date) -> dict[str, list[Point]]:
    """{scope key: its complete periods, oldest first} for the rule's metric, scope and
    granularity (one key when the rule names one)."""
    rows = MetricRow.objects.filter(
        metric=rule.metric, scope=rule.scope, granularity=rule.granularity, period_end__lte=today
    )
    if rule.scope_key:
        rows = rows.filter(scope_key=rule.scope_key)
    series: dict[str, list[Point]] = {}
    for key, start, end, value, smoothed, anomaly, unit in rows.order_by(
        "scope_key", "period_start"
    ).values_list(
        "scope_key", "period_start", "period_end", "value", "smoothed", "anomaly", "unit"
    ):
        series.setdefault(key, []).append(Point(start, end, value, smoothed, anomaly, unit))
    return series


def service_slos() -> dict[str, float]:
    """{PagerDuty service id: its SLO} for the services counted that have one."""
    return {s.service_id: s.slo for s in services_counted().only("service_id", "slo") if s.slo}


def rules_failing() -> QuerySet[AlertRule]:
    """Rules whose last sends failed (docs/alerts.md#when-sending-fails), worst first."""
    return (
        AlertRule.objects.filter(failures__gte=FAILING_AFTER)
        .select_related("channel")
        .order_by("-failures", "name")
    )


def messages_recent(limit: int = 20) -> QuerySet[AlertMessage]:
    return AlertMessage.objects.select_related("rule").order_by("-created_at")[:limit]
