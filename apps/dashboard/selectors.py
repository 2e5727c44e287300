"""Reads of the dashboard: series frames, tiles per funnel stage, sources with their runs. Every
read goes through `apps.metrics.selectors.metric_rows_visible`, so engineer rows reach only
superusers and the managers of the engineer's team (docs/metrics.md#engineers_at_risk, privacy)."""

from dataclasses import dataclass, replace
from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from django.urls import reverse
from django.utils import timezone

from apps.accounts.access import engineer_emails_visible, teams_with_engineers_visible
from apps.costs.models import CostImport
from apps.ingestion.models import SyncRun
from apps.metrics.goals import GOAL_SCOPES, ScopeGoal, goals_judge
from apps.metrics.registry import MetricDefinition, band_of
from apps.metrics.selectors import User, metric_rows_visible
from apps.organization.models import Person, Source, Team
from apps.organization.selectors import organization_get
from apps.quality.bug_load_metrics import AT_RISK

from .funnel import Stage, stages_with_families
from .status import NO_DATA, FamilyStatus, family_statuses
from .tiles import Headline, Tile, headline_build, tile_summarise
from .windows import DEFAULT_VIEW, WINDOW_SCOPES, Comparison, comparison_get

SERIES_COLUMNS = [
    "period_start",
    "period_end",
    "value",
    "smoothed",
    "anomaly",
    "note",
    "sample_size",
]
RUNS_SHOWN = 5
# The line under a tile that says where a threshold is (docs/metrics.md#engineers_at_risk).
THRESHOLDS = {
    "engineers_at_risk": f"Engineers whose churn risk is {AT_RISK:.2f} or more",
    "churn_risk": f"At risk from {AT_RISK:.2f}",
}


def today_local() -> date:
    """Today in the organisation's time zone (what "complete period" is measured against)."""
    return timezone.localtime(timezone.now(), ZoneInfo(organization_get().timezone)).date()


def series_frame(
    *,
    user: User,
    metric: str,
    scope: str,
    scope_key: str,
    granularity: str,
    start: date | None = None,
    end: date | None = None,
) -> pd.DataFrame:
    """The rows of one series visible to `user` with SERIES_COLUMNS (value/smoothed NaN when
    null), periods starting in [start, end) when given, oldest first."""
    rows = metric_rows_visible(user=user).filter(
        metric=metric, scope=scope, scope_key=scope_key, granularity=granularity
    )
    if start:
        rows = rows.filter(period_start__gte=start)
    if end:
        rows = rows.filter(period_start__lt=end)
    frame = pd.DataFrame(
        list(rows.order_by("period_start").values(*SERIES_COLUMNS)), columns=SERIES_COLUMNS
    )
    return frame.astype({"value": float, "smoothed": float})


@dataclass(frozen=True)
class TileView:
    """A tile ready for the template: the metric, its tile, its headline in the page's view,
    and the words for an empty or null number (`why`) or a warning next to a number
    (`warning`)."""

    metric: MetricDefinition
    tile: Tile
    headline: Headline
    why: str
    warning: str
    threshold: str = ""
    links: tuple[tuple[str, str], ...] = ()
    goal: ScopeGoal | None = None  # its goal on the latest complete month (docs/metrics.md#goals)
    band: str = ""


def band_text(metric: MetricDefinition, tile: Tile) -> str:
    """The DORA performance band of the tile's latest complete month, e.g. "DORA 2024 band,
    November 2026: high (between one day and one week)"; "" for a metric without bands
    (docs/metrics.md#dora-performance-bands)."""
    if not metric.bands or tile.value is None or tile.period_start is None:
        return ""
    start = tile.period_start
    end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    name = band_of(metric, tile.value, (end - start).days)
    words = next((b.text for b in metric.bands if b.name == name), "")
    return f"DORA 2024 band, {start:%B %Y}: {name} ({words})"


def _tile_view(
    metric: MetricDefinition,
    frame: pd.DataFrame,
    status: FamilyStatus,
    today: date,
    view: str,
    comparison: Comparison | None,
    links: tuple[tuple[str, str], ...] = (),
) -> TileView:
    tile = tile_summarise(frame, today=today)
    headline = headline_build(metric, tile, view=view, comparison=comparison)
    threshold = THRESHOLDS.get(metric.name, "")
    if frame.empty or (view == "month" and tile.period_start is None):
        return TileView(metric, tile, headline, status.empty_reason(), "", threshold, links)
    why = (headline.note or NO_DATA) if headline.value is None else ""
    band = band_text(metric, tile)
    return TileView(metric, tile, headline, why, status.failed, threshold, links, band=band)


def _at_risk_links(
    user: User, scope: str, scope_key: str
) -> dict[str, tuple[tuple[str, str], ...]]:
    """From the engineers_at_risk tile to the engineers behind it, for those who may see them
    (apps.accounts.access): a team's members table, or each such team's from the org page."""
    teams = teams_with_engineers_visible(user=user).order_by("name")
    if scope == "team":
        teams = teams.filter(slug=scope_key)
    elif scope != "org":
        return {}
    links = tuple(
        (
            "Which engineers" if scope == "team" else f"{team.name}'s engineers",
            reverse("dashboard:team", args=[team.slug]) + "#members",
        )
        for team in teams
    )
    return {"engineers_at_risk": links} if links else {}


def tiles_get(
    *, user: User, scope: str, scope_key: str = "", view: str = DEFAULT_VIEW
) -> list[tuple[Stage, list[TileView]]]:
    """Monthly tiles of every metric that has `scope`, grouped by funnel stage in order, in
    `view` (windows.VIEWS): the latest complete month, the month to date or the last 30 days,
    each compared with the same length before it."""
    frames = _month_frames(user, scope, scope_key)
    statuses, today = family_statuses(scope=scope, scope_key=scope_key), today_local()
    links = _at_risk_links(user, scope, scope_key)
    comparison = None
    if scope in WINDOW_SCOPES:
        key = "t30" if view == "t30" else "mtd"
        comparison = comparison_get(key=key, scope=scope, scope_key=scope_key)
    out = []
    for stage, families in stages_with_families():
        views = [
            _tile_view(
                metric,
                frames.get(metric.name, _empty()),
                statuses.get(family.name, FamilyStatus()),
                today,
                view,
                comparison,
                links.get(metric.name, ()),
            )
            for family in families
            for metric in family.metrics
            if scope in metric.scopes
        ]
        if views:
            out.append((stage, views))
    return _with_goals(out, scope=scope, scope_key=scope_key, today=today)


def _with_goals(
    stages: list[tuple[Stage, list[TileView]]], *, scope: str, scope_key: str, today: date
) -> list[tuple[Stage, list[TileView]]]:
    """Each tile with the goal that applies to its scope, judged on the latest complete month."""
    if scope not in GOAL_SCOPES:
        return stages
    goals = {g.metric: g for g in goals_judge(today=today, scope=scope, scope_keys=[scope_key])}
    if not goals:
        return stages
    return [
        (stage, [replace(v, goal=goals.get(v.metric.name)) for v in views])
        for stage, views in stages
    ]


def _empty() -> pd.DataFrame:
    return pd.DataFrame(columns=SERIES_COLUMNS)


def _month_frames(user: User, scope: str, scope_key: str) -> dict[str, pd.DataFrame]:
    rows = metric_rows_visible(user=user).filter(
        scope=scope, scope_key=scope_key, granularity="month"
    )
    frame = pd.DataFrame(
        list(rows.values("metric", *SERIES_COLUMNS)), columns=["metric", *SERIES_COLUMNS]
    )
    frame = frame.astype({"value": float, "smoothed": float})
    return {name: group.drop(columns="metric") for name, group in frame.groupby("metric")}


def sources_overview() -> list[tuple[Source, list[SyncRun]]]:
    """Every source (secrets deferred) with its RUNS_SHOWN newest runs, newest first."""
    sources = Source.objects.defer("token", "webhook_secret", "email").order_by("name")
    return [(s, list(s.sync_runs.order_by("-id")[:RUNS_SHOWN])) for s in sources]


def cost_imports_recent(limit: int = RUNS_SHOWN) -> list[CostImport]:
    """The newest cost imports (file, status, rows, error), newest first."""
    return list(CostImport.objects.order_by("-id")[:limit])


def engineer_history(
    *, user: User, email: str, metrics: list[MetricDefinition], months: int = 12
) -> list[dict]:
    """The last `months` monthly rows of each engineer-scope metric, newest first:
    [{"period_start": date, "cells": [(metric, value or None, note), ...]}]. The caller
    has checked `engineer_visible`; rows hidden from `user` are absent anyway."""
    rows = metric_rows_visible(user=user).filter(
        scope="engineer", scope_key=email, granularity="month", metric__in=[m.name for m in metrics]
    )
    by_period: dict[date, dict[str, tuple[float | None, str]]] = {}
    for r in rows.values("metric", "period_start", "value", "note"):
        by_period.setdefault(r["period_start"], {})[r["metric"]] = (r["value"], r["note"])
    newest = sorted(by_period, reverse=True)[:months]
    return [
        {
            "period_start": p,
            "cells": [(m, *by_period[p].get(m.name, (None, NO_DATA))) for m in metrics],
        }
        for p in newest
    ]


@dataclass(frozen=True)
class Member:
    """One team member on the team page: `visible` whether `user` may see their numbers (then
    `churn_risk` with its components `note`, `bug_fix_share`, and `at_risk` at or above the
    threshold, for `month`)."""

    person: Person
    visible: bool
    churn_risk: float | None = None
    note: str = ""
    bug_fix_share: float | None = None
    at_risk: bool = False


def team_members(*, user: User, team: Team, month: date | None) -> list[Member]:
    """The team's members, those `user` may see with their numbers of `month` (the latest
    complete month), most at risk first; the rest by name, without numbers."""
    people = list(team.members.order_by("name", "email"))
    allowed = engineer_emails_visible(user=user)
    seen = (
        {p.email for p in people}
        if allowed is None
        else set(
            allowed.filter(email__in=[p.email for p in people]).values_list("email", flat=True)
        )
    )
    values: dict[tuple[str, str], tuple[float | None, str]] = {}
    if month is not None and seen:
        rows = metric_rows_visible(user=user).filter(
            scope="engineer",
            scope_key__in=seen,
            granularity="month",
            period_start=month,
            metric__in=["churn_risk", "bug_fix_share"],
        )
        for metric, email, value, note in rows.values_list("metric", "scope_key", "value", "note"):
            values[(metric, email)] = (value, note)
    out = []
    for p in people:
        if p.email not in seen:
            out.append(Member(p, False))
            continue
        risk, note = values.get(("churn_risk", p.email), (None, NO_DATA))
        share = values.get(("bug_fix_share", p.email), (None, ""))[0]
        at_risk = risk is not None and risk >= AT_RISK
        out.append(Member(p, True, risk, note or "", share, at_risk))
    return sorted(out, key=lambda m: (not m.visible, -(m.churn_risk or -1.0)))


def latest_complete_month(today: date) -> date:
    return (today.replace(day=1) - timedelta(days=1)).replace(day=1)
