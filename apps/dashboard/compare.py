"""The teams side by side for one metric (docs/dashboard.md#compare-teams): one chart with a
line per team, and a table of each team's latest complete month against the month before,
judged by the metric's direction."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from apps.metrics.registry import MetricDefinition, all_definitions
from apps.metrics.selectors import User
from apps.organization.models import Team

from . import selectors
from .charts import ChartSpec, comparison_figure
from .tiles import Delta, delta_of, tile_summarise

DEFAULT_METRIC = "release_frequency"
MONTHS_SHOWN = timedelta(days=366)


def team_metrics() -> list[MetricDefinition]:
    """Every metric with a team scope, by label."""
    return sorted((m for m in all_definitions() if "team" in m.scopes), key=lambda m: m.title)


@dataclass(frozen=True)
class TeamLine:
    team: Team
    period_start: date | None
    value: float | None
    note: str
    delta: Delta | None
    url: str


def compare_context(*, user: User, metric: MetricDefinition, currency: str, today: date) -> dict:
    start = (today - MONTHS_SHOWN).replace(day=1)
    frames, lines = {}, []
    for team in Team.objects.order_by("name"):
        frame = selectors.series_frame(
            user=user,
            metric=metric.name,
            scope="team",
            scope_key=team.slug,
            granularity="month",
            start=start,
        )
        frames[team.name] = frame
        tile = tile_summarise(frame, today=today)
        delta = None
        if tile.period_start is not None:
            before = tile.period_start.replace(day=1) - timedelta(days=1)
            delta = delta_of(f"vs {before:%b %Y}", tile.value, tile.previous, metric)
        url = f"/metrics/{metric.name}/?scope=team&scope_key={team.slug}"
        lines.append(TeamLine(team, tile.period_start, tile.value, tile.note, delta, url))
    spec = ChartSpec.of(metric, currency=currency, granularity="month")
    figure = comparison_figure(frames, spec=spec, today=today)
    return {
        "metric": metric,
        "metrics": team_metrics(),
        "lines": lines,
        "figure": json.dumps(figure),
        "axis_title": spec.axis_title,
        "has_data": any(not f.empty for f in frames.values()),
    }
