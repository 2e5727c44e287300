"""Goals (docs/metrics.md#goals): a target per metric for the organisation or one team, judged on
complete periods by the metric's direction (`better` in the catalog).

A goal without a team is the organisation's: it applies to the org row and to every team that
has no goal of its own for that metric; a team's goal applies to that team only. A goal is met
in a period when the value is at least the target (`better: up`) or at most the target
(`better: down`); a null value is neither met nor missed. The target of a count or a sum is per
month: such goals are judged on months only.
"""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.core.periods import Granularity, next_period_start
from apps.metrics.models import MetricRow
from apps.metrics.registry import MetricDefinition, definition
from apps.organization.models import Goal, Team
from apps.organization.selectors import organization_get

GOAL_SCOPES = ("org", "team")
# (metric, team slug or None for the organisation) -> target
GoalIndex = dict[tuple[str, str | None], float]


@dataclass(frozen=True)
class ScopeGoal:
    """One goal judged for one scope key on its latest complete period."""

    metric: str
    scope: str
    scope_key: str
    granularity: str
    target: float
    team_goal: bool  # the team's own goal (else the organisation's)
    period_start: date | None
    period_end: date | None
    value: float | None
    met: bool | None
    missed_in_a_row: int


def goals_index() -> GoalIndex:
    """Every configured goal: {(metric, team slug or None): target}."""
    return {
        (g.metric, g.team.slug if g.team else None): g.target
        for g in Goal.objects.select_related("team")
    }


def goal_target(
    index: GoalIndex, *, metric: str, scope: str, scope_key: str
) -> tuple[float, bool] | None:
    """The target that applies to a series and whether it is the team's own goal, or None (no
    goal, or a scope goals do not apply to)."""
    if scope == "team" and (metric, scope_key) in index:
        return index[(metric, scope_key)], True
    if scope in GOAL_SCOPES and (metric, None) in index:
        return index[(metric, None)], False
    return None


def goal_judged_at(metric: MetricDefinition, granularity: str) -> bool:
    """Whether a goal of `metric` is judged at `granularity`: a count's or a sum's target is per
    month (8 releases a month is not 8 a week), so those are judged on months only; ratios,
    medians and means at both granularities."""
    return granularity == "month" or metric.kind not in ("count", "sum")


def goal_met(value: float | None, *, target: float, better: str) -> bool | None:
    """Whether `value` meets `target` given the metric's direction; None for a null value or a
    metric without direction."""
    if value is None or better not in ("up", "down"):
        return None
    return value >= target if better == "up" else value <= target


def complete_before(granularity: Granularity, period_start: date, today: date) -> bool:
    """Whether the period starting `period_start` has ended by local date `today`."""
    return next_period_start(period_start, granularity) <= today


def today_local(now: datetime | None = None) -> date:
    """Today in the organisation's time zone."""
    now = now or timezone.now()
    return now.astimezone(ZoneInfo(organization_get().timezone)).date()


def missed_streak(values: list[float | None], *, target: float, better: str) -> int:
    """How many periods in a row, ending with the last of `values`, missed the target."""
    streak = 0
    for value in reversed(values):
        if goal_met(value, target=target, better=better) is not False:
            break
        streak += 1
    return streak


def goals_judge(
    *,
    granularity: Granularity = "month",
    today: date | None = None,
    metrics: list[str] | None = None,
    scope: str | None = None,
    scope_keys: list[str] | None = None,
) -> list[ScopeGoal]:
    """Every goal for every scope key it applies to, judged on the latest complete period of
    `granularity` (ordered by metric, scope, scope key). Scope keys without complete rows are
    listed with no period."""
    index = goals_index()
    if metrics is not None:
        index = {key: target for key, target in index.items() if key[0] in metrics}
    today = today or today_local()
    names = sorted({metric for metric, _team in index})
    wanted: list[tuple[str, str, str]] = []
    teams = list(Team.objects.values_list("slug", flat=True))
    for metric in names:
        known = definition(metric)
        if known is None or not goal_judged_at(known, granularity):
            continue
        for sc in GOAL_SCOPES:
            if sc not in known.scopes or (scope and sc != scope):
                continue
            for key in [""] if sc == "org" else teams:
                if scope_keys is not None and key not in scope_keys:
                    continue
                if goal_target(index, metric=metric, scope=sc, scope_key=key) is not None:
                    wanted.append((metric, sc, key))
    series: dict[tuple[str, str, str], list[tuple[date, date, float | None]]] = defaultdict(list)
    rows = MetricRow.objects.filter(
        metric__in=names, scope__in=GOAL_SCOPES, granularity=granularity
    ).order_by("period_start")
    for metric, sc, key, start, end, value in rows.values_list(
        "metric", "scope", "scope_key", "period_start", "period_end", "value"
    ):
        if complete_before(granularity, start, today):
            series[(metric, sc, key)].append((start, end, value))
    out = []
    for metric, sc, key in wanted:
        known = definition(metric)
        assert known is not None
        target, own = goal_target(index, metric=metric, scope=sc, scope_key=key) or (0.0, False)
        points = series.get((metric, sc, key), [])
        last = points[-1] if points else None
        out.append(
            ScopeGoal(
                metric=metric,
                scope=sc,
                scope_key=key,
                granularity=granularity,
                target=target,
                team_goal=own,
                period_start=last[0] if last else None,
                period_end=last[1] if last else None,
                value=last[2] if last else None,
                met=goal_met(last[2], target=target, better=known.better) if last else None,
                missed_in_a_row=missed_streak(
                    [p[2] for p in points], target=target, better=known.better
                ),
            )
        )
    return out
