"""The weekly digest (docs/digests.md#weekly-digest): for the recipients the config's
`digests.weekly` names, each headline metric for the last complete ISO week against the week
before and its trend, goals where they apply to weeks, and the week's anomalies. Sent on Monday
from 08:00 in the organisation's zone, once per recipient and week (apps.digests.services)."""

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from email.utils import make_msgid

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string

from apps.digests.content import HEADLINES, MetricLine, Point
from apps.digests.models import DigestDelivery, DigestSettings
from apps.digests.selectors import Recipient, dashboard_url, digest_recipients
from apps.metrics.display import change_text, value_text
from apps.metrics.goals import goal_judged_at, goal_met, goal_target, goals_index
from apps.metrics.models import MetricRow
from apps.metrics.registry import definition
from apps.metrics.selectors import organization_currency
from apps.organization.models import Team
from apps.organization.selectors import organization_get


@dataclass
class WeeklyScope:
    title: str
    link: str
    lines: list[MetricLine] = field(default_factory=list)


@dataclass
class WeeklyDigest:
    recipient: Recipient
    week: date  # the Monday the week starts on
    organization: str
    currency: str
    link: str
    scopes: list[WeeklyScope] = field(default_factory=list)


def weekly_recipients() -> list[Recipient]:
    """The digest recipients (docs/digests.md) whose address `digests.weekly` names."""
    row = DigestSettings.objects.first()
    wanted = {address.lower() for address in (row.weekly if row else [])}
    return [r for r in digest_recipients() if r.email in wanted]


def _scope(scope: str, key: str, title: str, link: str, week: date) -> WeeklyScope:
    names = [name for _, _, metrics in HEADLINES for name in metrics]
    rows = MetricRow.objects.filter(
        scope=scope,
        scope_key=key,
        metric__in=names,
        granularity="week",
        period_start__in=[week, week - timedelta(days=7)],
    ).values_list("metric", "period_start", "value", "smoothed", "anomaly", "note")
    points = {(m, start): Point(v, s, a, n) for m, start, v, s, a, n in rows}
    goals = goals_index()
    out = WeeklyScope(title, link)
    for name in names:
        metric = definition(name)
        if metric is None or scope not in metric.scopes:
            continue
        current = points.get((name, week), Point(None, None, note="no row computed for this week"))
        previous = points.get((name, week - timedelta(days=7)))
        line = MetricLine(
            metric=name,
            label=metric.title_long,
            better=metric.better,
            unit=metric.unit,
            value=current.value,
            previous=previous.value if previous else None,
            smoothed=current.smoothed,
            anomaly=current.anomaly,
            note=current.note,
            link=dashboard_url(f"/metrics/{name}/", scope=scope, scope_key=key, granularity="week"),
        )
        found = goal_target(goals, metric=name, scope=scope, scope_key=key)
        if found is not None and goal_judged_at(metric, "week"):
            met = goal_met(line.value, target=found[0], better=metric.better)
            line = replace(line, target=found[0], met=met)
        out.lines.append(line)
    return out


def weekly_build(*, recipient: Recipient, week: date) -> WeeklyDigest:
    """The weekly digest of `recipient` for the week starting `week` (a Monday)."""
    org = organization_get()
    digest = WeeklyDigest(recipient, week, org.name, organization_currency(), dashboard_url("/"))
    if recipient.kind == DigestDelivery.Kind.ORG:
        digest.scopes.append(_scope("org", "", org.name, digest.link, week))
        return digest
    for team in Team.objects.filter(slug__in=recipient.team_slugs).order_by("slug"):
        link = dashboard_url(f"/teams/{team.slug}/")
        digest.scopes.append(_scope("team", team.slug, f"team {team.name}", link, week))
    return digest


def weekly_subject(digest: WeeklyDigest) -> str:
    scope = ", ".join(s.title for s in digest.scopes) or "organisation"
    if digest.recipient.kind == DigestDelivery.Kind.ORG:
        scope = "organisation"
    return " ".join(f"{digest.organization} — week of {digest.week:%d %b %Y} ({scope})".split())


def _context(digest: WeeklyDigest) -> dict:
    cur = digest.currency
    scopes = []
    for scope in digest.scopes:
        lines = []
        for line in scope.lines:
            goal = ""
            if line.target is not None:
                sign = "≥" if line.better == "up" else "≤"
                verdict = {True: "met", False: "missed", None: "not judged"}[line.met]
                target = value_text(line.target, unit=line.unit, currency=cur)
                goal = f"goal {sign} {target}: {verdict}"
            lines.append(
                {
                    "label": line.label,
                    "link": line.link,
                    "value": value_text(line.value, unit=line.unit, currency=cur),
                    "previous": value_text(line.previous, unit=line.unit, currency=cur),
                    "change": change_text(line.change, unit=line.unit, currency=cur),
                    "trend": value_text(line.smoothed, unit=line.unit, currency=cur),
                    "anomaly": line.anomaly,
                    "note": line.note if line.value is None else "",
                    "goal": goal,
                    "met": line.met,
                }
            )
        scopes.append({"title": scope.title, "link": scope.link, "lines": lines})
    return {"digest": digest, "scopes": scopes, "subject": weekly_subject(digest)}


def weekly_text(digest: WeeklyDigest) -> str:
    return render_to_string("digests/weekly.txt", _context(digest))


def weekly_message(digest: WeeklyDigest, *, to: str, connection=None) -> EmailMultiAlternatives:
    message = EmailMultiAlternatives(
        subject=weekly_subject(digest),
        body=weekly_text(digest),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[to],
        connection=connection,
        headers={"Message-ID": make_msgid(domain="keel.digests")},
    )
    message.attach_alternative(
        render_to_string("digests/weekly.html", _context(digest)), "text/html"
    )
    return message
