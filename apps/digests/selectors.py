"""Reads for the digests (docs/digests.md): who gets one, and what each recipient's digest contains.

Privacy: a manager's digest is built from their own teams' scopes only (team rows, their
services, their members' engineer rows); the org digest shows no engineer by name.
"""

from dataclasses import dataclass, field, replace
from datetime import date
from urllib.parse import quote, urlencode

from django.conf import settings
from django.contrib.auth import get_user_model

from apps.accounts.access import role_of, teams_with_engineers_visible
from apps.accounts.models import Role
from apps.digests.content import (
    CHURN_RISK_THRESHOLD,
    HEADLINES,
    AtRisk,
    MetricLine,
    Point,
    ScopeDigest,
    Section,
    Series,
    ServiceUptime,
    anomaly_sentence,
    metric_line,
    recent_months,
)
from apps.digests.economics import economics_paragraph
from apps.digests.models import DigestDelivery
from apps.metrics.goals import GoalIndex, goal_met, goal_target, goals_index
from apps.metrics.models import MetricRow
from apps.metrics.registry import definition
from apps.metrics.selectors import organization_currency
from apps.organization.models import Person, Team
from apps.organization.selectors import organization_get, services_counted

DEFAULT_BASE_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Recipient:
    email: str
    kind: str  # DigestDelivery.Kind
    name: str
    team_slugs: tuple[str, ...] = ()
    user_id: int | None = None  # the user this digest is for


@dataclass
class Digest:
    recipient: Recipient
    month: date
    organization: str
    currency: str
    link: str
    scopes: list[ScopeDigest] = field(default_factory=list)


def dashboard_url(path: str, **query: str) -> str:
    """An absolute link into the dashboard: KEEL_BASE_URL + path (+ query)."""
    base = getattr(settings, "KEEL_BASE_URL", DEFAULT_BASE_URL).rstrip("/")
    return base + path + (f"?{urlencode(query)}" if query else "")


def digest_recipients() -> list[Recipient]:
    """One recipient per user, sorted by e-mail: active admins get the org digest; active
    managers get a manager digest of the teams they manage (`apps.accounts.access`); viewers and
    users without an e-mail get nothing. A recipient is a user, never an address: when two users
    share an address, only the first (admins first, then the oldest account) gets a digest there,
    so one mailbox never receives another user's digest."""
    users = get_user_model().objects.filter(is_active=True).exclude(email="")
    found: dict[str, Recipient] = {}
    for user in users.order_by("-is_superuser", "pk"):
        email, role = user.email.lower(), role_of(user)
        if email in found or role not in (Role.ADMIN, Role.MANAGER):
            continue
        name = user.get_full_name()
        if role == Role.ADMIN:
            found[email] = Recipient(email, DigestDelivery.Kind.ORG, name, user_id=user.pk)
            continue
        slugs = tuple(
            teams_with_engineers_visible(user=user).order_by("slug").values_list("slug", flat=True)
        )
        if slugs:
            found[email] = Recipient(email, DigestDelivery.Kind.MANAGER, name, slugs, user.pk)
    return [found[email] for email in sorted(found)]


def digest_recipient_of(*, user_id: int) -> Recipient | None:
    """The recipient that is the user `user_id`, or None when that user gets no digest."""
    return next((r for r in digest_recipients() if r.user_id == user_id), None)


def series_load(*, scope: str, keys: list[str], metrics: list[str], month: date) -> dict:
    """{scope_key: Series} of monthly rows over the chart window ending at `month`."""
    months = recent_months(month)
    rows = MetricRow.objects.filter(
        scope=scope,
        scope_key__in=keys,
        metric__in=metrics,
        granularity="month",
        period_start__gte=months[0],
        period_start__lte=month,
    ).values_list("scope_key", "metric", "period_start", "value", "smoothed", "anomaly", "note")
    result: dict[str, Series] = {key: {} for key in keys}
    for key, metric, start, value, smoothed, anomaly, note in rows:
        result[key].setdefault(metric, {})[start] = Point(value, smoothed, anomaly, note)
    return result


def _has_values(points: dict) -> bool:
    """True when a series has at least one non-null value to chart."""
    return any(p.value is not None for p in points.values())


def _with_goal(line: MetricLine, goals: GoalIndex, scope: str, key: str) -> MetricLine:
    found = goal_target(goals, metric=line.metric, scope=scope, scope_key=key)
    if found is None:
        return line
    target = found[0]
    return replace(line, target=target, met=goal_met(line.value, target=target, better=line.better))


def _sections(scope_digest: ScopeDigest, month: date, currency: str) -> None:
    goals = goals_index()
    for family, title, names in HEADLINES:
        lines = []
        for name in names:
            metric = definition(name)
            if metric is None or scope_digest.scope not in metric.scopes:
                continue
            link = dashboard_url(
                f"/metrics/{name}/",
                scope=scope_digest.scope,
                scope_key=scope_digest.scope_key,
                granularity="month",
            )
            points = scope_digest.series.get(name, {})
            line = metric_line(metric=metric, points=points, month=month, link=link)
            lines.append(_with_goal(line, goals, scope_digest.scope, scope_digest.scope_key))
        if lines:
            chart_id = f"chart-{scope_digest.scope}-{scope_digest.scope_key or 'org'}-{family}"
            charted = next(
                (
                    line.metric
                    for line in lines
                    if _has_values(scope_digest.series.get(line.metric, {}))
                ),
                lines[0].metric,
            )
            scope_digest.sections.append(Section(family, title, tuple(lines), charted, chart_id))


def _anomalies(scope_digest: ScopeDigest, month: date, currency: str) -> None:
    for section in scope_digest.sections:
        for line in section.lines:
            if line.anomaly and line.value is not None:
                scope_digest.anomalies.append(
                    anomaly_sentence(
                        line=line, subject=scope_digest.title, month=month, currency=currency
                    )
                )


def _services(team_slugs: list[str] | None, month: date) -> list[ServiceUptime]:
    services = services_counted().order_by("name", "service_id")
    if team_slugs is not None:
        services = services.filter(team__slug__in=team_slugs)
    keys = [s.service_id for s in services]
    series = series_load(scope="service", keys=keys, metrics=["uptime"], month=month)
    result = []
    for service in services:
        point = series[service.service_id].get("uptime", {}).get(month)
        link = dashboard_url(
            "/metrics/uptime/", scope="service", scope_key=service.service_id, granularity="month"
        )
        result.append(
            ServiceUptime(
                service.name or service.service_id,
                point.value if point else None,
                service.slo,
                link,
            )
        )
    return result


def at_risk_list(*, team_slug: str, month: date) -> list[AtRisk]:
    """Members of `team_slug` whose churn_risk for `month` is ≥ 0.5, highest first."""
    people = {p.email: p for p in Person.objects.filter(team__slug=team_slug)}
    rows = MetricRow.objects.filter(
        metric="churn_risk",
        scope="engineer",
        scope_key__in=list(people),
        granularity="month",
        period_start=month,
        value__gte=CHURN_RISK_THRESHOLD,
    ).order_by("-value", "scope_key")
    return [
        AtRisk(
            people[r.scope_key].name or r.scope_key,
            r.scope_key,
            r.value,
            dashboard_url(f"/engineers/{quote(r.scope_key)}/"),
        )
        for r in rows
        if r.value is not None  # value__gte leaves out nulls already
    ]


def _scope_digest(
    scope: str, key: str, title: str, link: str, month: date, currency: str
) -> ScopeDigest:
    metrics = [name for _, _, names in HEADLINES for name in names]
    series = series_load(scope=scope, keys=[key], metrics=metrics, month=month)[key]
    scope_digest = ScopeDigest(scope=scope, scope_key=key, title=title, link=link, series=series)
    _sections(scope_digest, month, currency)
    _anomalies(scope_digest, month, currency)
    return scope_digest


def digest_build(*, recipient: Recipient, month: date) -> Digest:
    """The digest of `recipient` for `month` (a first day): the org scope for an org digest,
    one scope per managed team for a manager digest."""
    org, currency = organization_get(), organization_currency()
    digest = Digest(recipient, month, org.name, currency, dashboard_url("/"))
    if recipient.kind == DigestDelivery.Kind.ORG:
        scope_digest = _scope_digest("org", "", org.name, digest.link, month, currency)
        scope_digest.services = _services(None, month)
        scope_digest.economics = economics_paragraph(month=month, currency=currency)
        digest.scopes.append(scope_digest)
        return digest
    for team in Team.objects.filter(slug__in=recipient.team_slugs).order_by("slug"):
        link = dashboard_url(f"/teams/{team.slug}/")
        scope_digest = _scope_digest("team", team.slug, f"team {team.name}", link, month, currency)
        scope_digest.services = _services([team.slug], month)
        scope_digest.at_risk = at_risk_list(team_slug=team.slug, month=month)
        digest.scopes.append(scope_digest)
    return digest
