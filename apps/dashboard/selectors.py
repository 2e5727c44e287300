"""Reads of the dashboard: series frames, tiles per funnel stage, sources with their runs.
Every read goes through `apps.metrics.selectors.metric_rows_visible`, so engineer rows reach
only superusers and the managers of the engineer's team (spec §4)."""

from dataclasses import dataclass
from datetime import date
from zoneinfo import ZoneInfo

import pandas as pd
from django.utils import timezone

from apps.costs.models import CostImport
from apps.ingestion.models import SyncRun
from apps.metrics.registry import MetricDefinition
from apps.metrics.selectors import User, metric_rows_visible
from apps.organization.models import Source
from apps.organization.selectors import organization_get

from .funnel import Stage, stages_with_families
from .status import NO_DATA, FamilyStatus, family_statuses
from .tiles import Tile, tile_summarise

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
    null), periods starting in [start, end] when given, oldest first."""
    rows = metric_rows_visible(user=user).filter(
        metric=metric, scope=scope, scope_key=scope_key, granularity=granularity
    )
    if start:
        rows = rows.filter(period_start__gte=start)
    if end:
        rows = rows.filter(period_start__lte=end)
    frame = pd.DataFrame(
        list(rows.order_by("period_start").values(*SERIES_COLUMNS)), columns=SERIES_COLUMNS
    )
    return frame.astype({"value": float, "smoothed": float})


@dataclass(frozen=True)
class TileView:
    """A tile ready for the template: the metric, its tile, and the words for an empty or
    null number (`why`) or a warning next to a number (`warning`)."""

    metric: MetricDefinition
    tile: Tile
    why: str
    warning: str


def _tile_view(
    metric: MetricDefinition, frame: pd.DataFrame, status: FamilyStatus, today: date
) -> TileView:
    tile = tile_summarise(frame, today=today)
    if frame.empty or tile.period_start is None:
        return TileView(metric, tile, status.empty_reason(), "")
    why = (tile.note or NO_DATA) if tile.value is None else ""
    return TileView(metric, tile, why, status.failed)


def tiles_get(*, user: User, scope: str, scope_key: str = "") -> list[tuple[Stage, list[TileView]]]:
    """Monthly tiles of every metric that has `scope`, grouped by funnel stage in order."""
    frames = _month_frames(user, scope, scope_key)
    statuses, today = family_statuses(scope=scope, scope_key=scope_key), today_local()
    out = []
    for stage, families in stages_with_families():
        views = [
            _tile_view(
                metric,
                frames.get(metric.name, _empty()),
                statuses.get(family.name, FamilyStatus()),
                today,
            )
            for family in families
            for metric in family.metrics
            if scope in metric.scopes
        ]
        if views:
            out.append((stage, views))
    return out


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
