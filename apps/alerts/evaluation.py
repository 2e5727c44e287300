"""Judging a rule's periods (docs/alerts.md#rules). Pure: no I/O.

Each complete period on or after the rule's `since` is judged on its own:

- `below` / `above`: the value is below / above the rule's `value`;
- `below_slo`: a service's uptime is below that service's SLO;
- `goal_missed`: the goal that applies (docs/metrics.md#goals) is missed in this period and in
  the `periods - 1` periods before it;
- `anomaly`: the row is flagged as an anomaly.

A period that fires gets one "fired" message. The first later period that no longer fires
gets one "resolved" message. A null value neither fires nor resolves.
"""

from dataclasses import dataclass
from datetime import date

from apps.alerts.selectors import Point
from apps.metrics.goals import goal_met


@dataclass(frozen=True)
class Verdict:
    """A message a rule owes: fired or resolved, for one scope key and period."""

    scope_key: str
    point: Point
    kind: str  # "fired" | "resolved"
    threshold: float | None
    history: tuple[float | None, ...]  # values of the periods up to this one (for the text bar)


@dataclass(frozen=True)
class RuleSpec:
    """What judging needs of a rule (so the judgement stays free of the database)."""

    when: str
    value: float | None
    periods: int
    since: date | None
    better: str


def fires(
    spec: RuleSpec, points: list[Point], index: int, *, threshold: float | None
) -> bool | None:
    """Whether period `points[index]` fires; None when it cannot be judged (null value, no
    threshold or goal)."""
    point = points[index]
    if spec.when == "anomaly":
        return None if point.value is None else bool(point.anomaly)
    if point.value is None or threshold is None:
        return None
    if spec.when in ("below", "below_slo"):
        return point.value < threshold
    if spec.when == "above":
        return point.value > threshold
    if spec.when == "goal_missed":
        if index + 1 < spec.periods:
            return False
        window = points[index + 1 - spec.periods : index + 1]
        return all(goal_met(p.value, target=threshold, better=spec.better) is False for p in window)
    raise ValueError(f"unknown condition {spec.when!r}")


def verdicts(
    spec: RuleSpec, scope_key: str, points: list[Point], *, threshold: float | None
) -> list[Verdict]:
    """The messages a rule owes for one scope key's complete periods, oldest first."""
    out: list[Verdict] = []
    firing = False
    for index, point in enumerate(points):
        if spec.since is not None and point.period_start < spec.since:
            continue
        verdict = fires(spec, points, index, threshold=threshold)
        if verdict is None:
            continue
        history = tuple(p.value for p in points[max(0, index - 11) : index + 1])
        if verdict:
            out.append(Verdict(scope_key, point, "fired", threshold, history))
            firing = True
        elif firing:
            out.append(Verdict(scope_key, point, "resolved", threshold, history))
            firing = False
    return out
