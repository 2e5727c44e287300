"""Evaluating the alert rules and sending what is due, exactly once (docs/alerts.md).

`alerts_evaluate` judges every enabled rule on the stored rows (apps.alerts.evaluation), makes
sure each message it owes has its `AlertMessage` row (inserted with ON CONFLICT DO NOTHING on
the unique rule, scope key, period and kind), then sends the unsent ones. Before a message goes
out its row is claimed with a conditional UPDATE (`pending|failed → sending`) that only one
evaluator can win — on PostgreSQL a second concurrent UPDATE waits for the first to commit and
then matches no row. The claim is committed before anything is sent.

Delivery guarantee, as for the digests (docs/digests.md): at most once. A send that fails
(after its retries) leaves the row `failed` and the next evaluation retries it; only a process
killed between the claim and the final update leaves a `sending` row, which is never resent
automatically (`evaluate_alerts --reclaim-stale` makes claims older than STALE_AFTER `failed`).
"""

import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from apps.alerts.channels import SendError, channel_send
from apps.alerts.content import AlertFacts, facts_build
from apps.alerts.evaluation import RuleSpec, Verdict, verdicts
from apps.alerts.models import AlertMessage, AlertRule
from apps.alerts.selectors import rule_series, service_slos
from apps.metrics.goals import (
    GoalIndex,
    goal_judged_at,
    goal_target,
    goals_index,
    today_local,
)
from apps.metrics.registry import definition
from apps.metrics.selectors import organization_currency
from apps.organization.models import Customer, PagerDutyService, Team

STALE_AFTER = timedelta(minutes=15)
Status = AlertMessage.Status
MessageKey = tuple[str, date, str]  # scope key, period start, kind


@dataclass
class Context:
    """What every rule of one evaluation shares."""

    today: date
    now: datetime
    goals: GoalIndex
    slos: dict[str, float]
    currency: str
    names: dict[tuple[str, str], str]


def _context(now: datetime) -> Context:
    names: dict[tuple[str, str], str] = {}
    names.update({("team", t.slug): t.name for t in Team.objects.all()})
    names.update({("service", s.service_id): s.name for s in PagerDutyService.objects.all()})
    names.update({("customer", c.key): c.name for c in Customer.objects.all()})
    return Context(
        today=today_local(now),
        now=now,
        goals=goals_index(),
        slos=service_slos(),
        currency=organization_currency(),
        names=names,
    )


def _threshold(rule: AlertRule, scope_key: str, ctx: Context) -> float | None:
    if rule.when in (AlertRule.When.BELOW, AlertRule.When.ABOVE):
        return rule.value
    if rule.when == AlertRule.When.BELOW_SLO:
        return ctx.slos.get(scope_key)
    if rule.when == AlertRule.When.GOAL_MISSED:
        metric = definition(rule.metric)
        if metric is None or not goal_judged_at(metric, rule.granularity):
            return None
        found = goal_target(ctx.goals, metric=rule.metric, scope=rule.scope, scope_key=scope_key)
        return found[0] if found else None
    return None


def rule_verdicts(rule: AlertRule, ctx: Context) -> list[Verdict]:
    """Every message `rule` owes on the stored complete periods, oldest first per key."""
    metric = definition(rule.metric)
    if metric is None:
        return []
    spec = RuleSpec(
        when=rule.when,
        value=rule.value,
        periods=rule.periods,
        since=rule.since,
        better=metric.better,
    )
    out: list[Verdict] = []
    for key, points in rule_series(rule, today=ctx.today).items():
        out += verdicts(spec, key, points, threshold=_threshold(rule, key, ctx))
    return out


def metric_link(rule: AlertRule, scope_key: str) -> str:
    """The metric page for the rule's scope (KEEL_BASE_URL + /metrics/NAME/?...)."""
    base = settings.KEEL_BASE_URL.rstrip("/")
    query = {"scope": rule.scope, "granularity": rule.granularity}
    if scope_key:
        query["scope_key"] = scope_key
    return f"{base}{reverse('dashboard:metric', args=[rule.metric])}?{urlencode(query)}"


def message_facts(rule: AlertRule, verdict: Verdict, ctx: Context) -> AlertFacts:
    metric = definition(rule.metric)
    point = verdict.point
    return facts_build(
        rule=rule.name,
        status=verdict.kind,
        metric=rule.metric,
        label=metric.title_long if metric else rule.metric,
        unit=metric.unit if metric else point.unit,
        currency=ctx.currency,
        scope=rule.scope,
        scope_key=verdict.scope_key,
        scope_name=ctx.names.get((rule.scope, verdict.scope_key), ""),
        granularity=rule.granularity,
        period_start=point.period_start,
        period_end=point.period_end,
        value=point.value,
        smoothed=point.smoothed,
        when=rule.when,
        periods=rule.periods,
        threshold=verdict.threshold,
        history=verdict.history,
        link=metric_link(rule, verdict.scope_key),
    )


def messages_record(rule: AlertRule, owed: list[Verdict], *, snoozed: bool) -> None:
    """A row per owed message; rows that exist are left as they are."""
    status = Status.SNOOZED if snoozed else Status.PENDING
    AlertMessage.objects.bulk_create(
        [
            AlertMessage(
                rule=rule,
                scope_key=v.scope_key,
                period_start=v.point.period_start,
                period_end=v.point.period_end,
                kind=v.kind,
                value=v.point.value,
                threshold=v.threshold,
                status=status,
            )
            for v in owed
        ],
        ignore_conflicts=True,
    )


def message_claim(*, message_id: int, now: datetime) -> bool:
    """Claim one message for sending; True for exactly one caller while it is unsent."""
    claimed = AlertMessage.objects.filter(
        pk=message_id, status__in=[Status.PENDING, Status.FAILED]
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return claimed == 1


def _finish(message_id: int, **fields) -> None:
    AlertMessage.objects.filter(pk=message_id, status=Status.SENDING).update(**fields)


def _rule_failed(rule: AlertRule, error: str) -> None:
    AlertRule.objects.filter(pk=rule.pk).update(
        failures=F("failures") + 1, last_error=error[:2000], last_failure_at=timezone.now()
    )


def _rule_succeeded(rule: AlertRule) -> None:
    AlertRule.objects.filter(pk=rule.pk).exclude(failures=0, last_error="").update(
        failures=0, last_error=""
    )


def message_deliver(
    *,
    message: AlertMessage,
    rule: AlertRule,
    facts: AlertFacts,
    sleep: Callable[[float], None] = time.sleep,
    before_send: Callable[[], None] | None = None,
) -> str:
    """Claim and send one message; its new status ("skipped" when another evaluator holds or
    finished it). A failure is recorded on the message and the rule; BaseExceptions re-raise."""
    if not message_claim(message_id=message.pk, now=timezone.now()):
        return "skipped"
    try:
        if before_send is not None:
            before_send()
        channel_send(rule.channel, facts, sleep=sleep)
    except BaseException as exc:  # noqa: BLE001 — recorded, then re-raised if not an Exception
        error = str(exc) if isinstance(exc, SendError) else f"{type(exc).__name__}: {exc}"
        _finish(message.pk, status=Status.FAILED, error=error[:2000])
        _rule_failed(rule, error)
        if not isinstance(exc, Exception):
            raise
        return Status.FAILED
    _finish(message.pk, status=Status.SENT, sent_at=timezone.now(), error="")
    _rule_succeeded(rule)
    return Status.SENT


def stale_reclaim(*, now: datetime) -> int:
    """Turn `sending` claims older than STALE_AFTER into `failed` (resent next); a count."""
    return AlertMessage.objects.filter(
        status=Status.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(status=Status.FAILED, error="stale claim reclaimed: may have been sent already")


def alerts_evaluate(
    *,
    dry_run: bool = False,
    reclaim_stale: bool = False,
    now: datetime | None = None,
    sleep: Callable[[float], None] = time.sleep,
    report: Callable[[str], None] | None = None,
    before_send: Callable[[], None] | None = None,
) -> dict[str, int]:
    """Evaluate every enabled rule and send what is due. Safe to run again and concurrently.
    With `dry_run`, records and sends nothing and reports each owed message that is not sent
    yet. Returns counts: owed (messages judged due), sent, failed, skipped, snoozed."""
    now = now or timezone.now()
    ctx = _context(now)
    if reclaim_stale and not dry_run:
        stale_reclaim(now=timezone.now())  # claims are stamped with the wall clock
    counts: Counter[str] = Counter()
    rules = AlertRule.objects.filter(enabled=True, channel__enabled=True).select_related("channel")
    for rule in rules.order_by("name"):
        owed = rule_verdicts(rule, ctx)
        counts["owed"] += len(owed)
        by_key = {(v.scope_key, v.point.period_start, v.kind): v for v in owed}
        if dry_run:
            done = set(
                AlertMessage.objects.filter(rule=rule)
                .exclude(status__in=[Status.PENDING, Status.FAILED])
                .values_list("scope_key", "period_start", "kind")
            )
            for key, verdict in by_key.items():
                if key not in done and report is not None:
                    summary = message_facts(rule, verdict, ctx).summary
                    report(f"{rule.name} → {rule.channel.name}: {summary}")
            continue
        snoozed = rule.snoozed_until is not None and rule.snoozed_until > now
        messages_record(rule, owed, snoozed=snoozed)
        if snoozed:
            counts["snoozed"] += len(owed)
            continue
        unsent = AlertMessage.objects.filter(
            rule=rule, status__in=[Status.PENDING, Status.FAILED]
        ).order_by("period_start", "scope_key", "kind")
        for message in unsent:
            due = by_key.get((message.scope_key, message.period_start, message.kind))
            if due is None:
                continue  # no longer owed (the data behind it changed): kept, not sent
            outcome = message_deliver(
                message=message,
                rule=rule,
                facts=message_facts(rule, due, ctx),
                sleep=sleep,
                before_send=before_send,
            )
            counts[outcome] += 1
            if outcome == Status.FAILED:
                break  # the channel is failing: the rest waits for the next evaluation
    return {key: counts[key] for key in ("owed", "sent", "failed", "skipped", "snoozed")}
