"""The teams side by side for one metric (docs/dashboard.md#compare-teams): one chart with a
line per team, and a table of each team's latest complete month against the month before,
judged by the metric's direction, and against the goal that applies to the team
(docs/metrics.md#goals), drawn as dotted lines on the chart."""

import json
from dataclasses import dataclass
from datetime import date, timedelta

from apps.metrics.display import value_text
from apps.metrics.goals import goal_met, goal_target, goals_index
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
class TeamGoal:
    """The goal that applies to a team and its verdict on the team's latest complete month."""

    target: float
    label: str  # "goal ≥ 4 releases"
    team_goal: bool  # the team's own goal (else the organisation's)
    met: bool | None  # None: no value to judge


@dataclass(frozen=True)
class TeamLine:
    team: Team
    period_start: date | None
    value: float | None
    note: str
    delta: Delta | None
    url: str
    goal: TeamGoal | None = None


def _goal_label(metric: MetricDefinition, target: float, currency: str) -> str:
    sign = "≥" if metric.better == "up" else "≤"
    return f"goal {sign} {value_text(target, unit=metric.unit, currency=currency)}"


def goal_lines(lines: list[TeamLine]) -> list[tuple[float, str]]:
    """The chart's goal lines: the organisation's goal once ("goal ≥ 4 releases") when a team
    follows it, and each team's own goal named after the team ("Payments goal ≥ 2 releases")."""
    out: dict[float, list[str]] = {}
    for line in lines:
        if line.goal is not None:
            name = f"{line.team.name} {line.goal.label}" if line.goal.team_goal else ""
            out.setdefault(line.goal.target, [])
            if name and name not in out[line.goal.target]:
                out[line.goal.target].append(name)
            elif not name and line.goal.label not in out[line.goal.target]:
                out[line.goal.target].insert(0, line.goal.label)
    return [(target, ", ".join(names)) for target, names in out.items()]


def compare_context(*, user: User, metric: MetricDefinition, currency: str, today: date) -> dict:
    start = (today - MONTHS_SHOWN).replace(day=1)
    frames, lines = {}, []
    goals = goals_index()
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
        goal = None
        found = goal_target(goals, metric=metric.name, scope="team", scope_key=team.slug)
        if found is not None:
            target, own = found
            met = goal_met(tile.value, target=target, better=metric.better)
            goal = TeamGoal(target, _goal_label(metric, target, currency), own, met)
        lines.append(TeamLine(team, tile.period_start, tile.value, tile.note, delta, url, goal))
    spec = ChartSpec.of(metric, currency=currency, granularity="month")
    figure = comparison_figure(frames, spec=spec, today=today, goals=goal_lines(lines))
    return {
        "metric": metric,
        "metrics": team_metrics(),
        "lines": lines,
        "figure": json.dumps(figure),
        "axis_title": spec.axis_title,
        "has_data": any(not f.empty for f in frames.values()),
        "has_goals": any(line.goal is not None for line in lines),
    }
