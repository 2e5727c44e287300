"""Tiles: the headline of one metric series, computed from its rows (pure, no I/O).

A series frame has one row per period, sorted or not, with the columns

    period_start (datetime.date), period_end (datetime.date, exclusive),
    value (float, NaN = null), smoothed (float, NaN = none), anomaly (bool), note (str)

`tile_summarise` picks the latest *complete* period (period_end <= today, in the organisation's
time zone) and compares it with the period just before it and with its smoothed trend; the
running period (period_start <= today < period_end) is kept apart as `partial`, to be drawn as
"to date" and never compared with a whole period.
"""

import math
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import TYPE_CHECKING

import pandas as pd

from apps.metrics.display import change_verdict
from apps.metrics.registry import MetricDefinition

if TYPE_CHECKING:
    from apps.dashboard.windows import Comparison

SPARK_PERIODS = 12
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 200.0, 36.0, 4.0


def _num(value: object) -> float | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    return float(value)  # type: ignore[arg-type]


@dataclass(frozen=True)
class Tile:
    """One series' headline. `value` None means null or no row; `note` says why (or carries the
    row's note, e.g. the churn-risk components, when there is a value). `change` is value −
    previous, `change_pct` the same relative to |previous| (None on a zero or null previous),
    `vs_smoothed` value − smoothed. `spark` holds (period_start, value, anomaly) of up to
    SPARK_PERIODS complete periods, oldest first; `partial` (period_start, value) the running
    period to date, or None."""

    period_start: date | None = None
    value: float | None = None
    previous: float | None = None
    smoothed: float | None = None
    change: float | None = None
    change_pct: float | None = None
    vs_smoothed: float | None = None
    anomaly: bool = False
    note: str = ""
    spark: list[tuple[date, float | None, bool]] = field(default_factory=list)
    partial: tuple[date, float | None] | None = None


def _partial(ordered: pd.DataFrame, today: date) -> tuple[date, float | None] | None:
    running = ordered[(ordered["period_start"] <= today) & (ordered["period_end"] > today)]
    if running.empty:
        return None
    row = running.iloc[-1]
    return row["period_start"], _num(row["value"])


def tile_summarise(series: pd.DataFrame, *, today: date) -> Tile:
    """The tile of `series` (columns above) as of `today`. An empty series, or one with no
    complete period yet, gives `Tile()` (value None, no note: the caller explains why)."""
    if series.empty:
        return Tile()
    ordered = series.sort_values("period_start")
    complete = ordered[ordered["period_end"] <= today]
    if complete.empty:
        return Tile(partial=_partial(ordered, today))
    latest = complete.iloc[-1]
    before = complete[complete["period_end"] == latest["period_start"]]
    value, smoothed = _num(latest["value"]), _num(latest["smoothed"])
    previous = _num(before.iloc[-1]["value"]) if len(before) else None
    change = value - previous if value is not None and previous is not None else None
    pct = change / abs(previous) if change is not None and previous else None
    return Tile(
        period_start=latest["period_start"],
        value=value,
        previous=previous,
        smoothed=smoothed,
        change=change,
        change_pct=pct,
        vs_smoothed=value - smoothed if value is not None and smoothed is not None else None,
        anomaly=bool(latest["anomaly"]),
        note=str(latest["note"] or ""),
        spark=[
            (r.period_start, _num(r.value), bool(r.anomaly))
            for r in complete.tail(SPARK_PERIODS).itertuples()
        ],
        partial=_partial(ordered, today),
    )


@dataclass(frozen=True)
class Sparkline:
    """SVG geometry in a SPARK_WIDTH × SPARK_HEIGHT box: `lines` are polyline point strings
    (a null value breaks the line), `dots` (x, y) of every value, `anomalies` those flagged;
    `partial` the running period's point (drawn hollow) and `partial_line` the dotted segment
    to it from the last complete value ("" when there is none)."""

    lines: list[str]
    dots: list[tuple[float, float]]
    anomalies: list[tuple[float, float]]
    partial: tuple[float, float] | None = None
    partial_line: str = ""


def sparkline(
    spark: list[tuple[date, float | None, bool]], partial: float | None = None
) -> Sparkline:
    """Scale `spark` values (and the running period's `partial` value, placed one step after
    them) to the box: x evenly spaced, y from min (bottom) to max (top); a flat series is drawn
    in the middle."""
    values = [v for _, v, _ in spark if v is not None] + ([partial] if partial is not None else [])
    if not values:
        return Sparkline([], [], [])
    low, high = min(values), max(values)
    steps = len(spark) - 1 + (partial is not None)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(steps, 1)
    span = SPARK_HEIGHT - 2 * SPARK_PAD

    def point(i: int, value: float) -> tuple[float, float]:
        frac = (value - low) / (high - low) if high > low else 0.5
        return round(SPARK_PAD + i * step, 1), round(SPARK_PAD + span * (1 - frac), 1)

    lines: list[str] = []
    current: list[str] = []
    dots: list[tuple[float, float]] = []
    anomalies: list[tuple[float, float]] = []
    for i, (_, value, anomaly) in enumerate(spark):
        if value is None:
            lines, current = lines + ([" ".join(current)] if current else []), []
            continue
        x, y = point(i, value)
        current.append(f"{x},{y}")
        dots.append((x, y))
        if anomaly:
            anomalies.append((x, y))
    if current:
        lines.append(" ".join(current))
    if partial is None:
        return Sparkline(lines, dots, anomalies)
    end = point(len(spark), partial)
    last = spark[-1][1] if spark else None
    segment = f"{current[-1]} {end[0]},{end[1]}" if current and last is not None else ""
    return Sparkline(lines, dots, anomalies, end, segment)


@dataclass(frozen=True)
class Delta:
    """One comparison on a tile: `label` ("vs Oct 2026", "vs trend", "vs 1–6 Nov 2026"), the
    signed `change` in the metric's unit, `pct` relative to the value compared with, and the
    `verdict` from the metric's direction ("better", "worse", "unchanged" or "")."""

    label: str
    change: float | None
    pct: float | None = None
    verdict: str = ""


def delta_of(
    label: str, value: float | None, against: float | None, metric: MetricDefinition
) -> Delta:
    """value − against, relative to |against| (None on a zero or null one), judged by `better`."""
    change = value - against if value is not None and against is not None else None
    pct = change / abs(against) if change is not None and against else None
    return Delta(label, change, pct, change_verdict(change, better=metric.better, unit=metric.unit))


@dataclass(frozen=True)
class ToDate:
    """The running period to date (`heading` "1–6 Dec 2026 to date"), compared with the same
    days of the period before (`delta`); `value` None with `note` when null."""

    heading: str
    value: float | None
    delta: Delta | None
    note: str = ""


@dataclass(frozen=True)
class Headline:
    """What a tile shows in one view: `heading` (the period or window), the value and its
    `note`, the comparisons (`deltas`), whether the value is an anomaly, the running period
    (`to_date`, in the month view) and the value the sparkline draws hollow (`spark_partial`)."""

    heading: str
    value: float | None
    note: str = ""
    deltas: list[Delta] = field(default_factory=list)
    anomaly: bool = False
    to_date: ToDate | None = None
    spark_partial: float | None = None


def _windowed(metric: MetricDefinition, comparison: "Comparison") -> ToDate | None:
    """The metric over the comparison's current window against its previous one, or None when
    the metric's family computes no such windows (a trailing score)."""
    current = comparison.current.get(metric.name)
    if current is None:
        return None
    previous = comparison.previous.get(metric.name)
    against = previous.value if previous is not None else None
    suffix = " to date" if comparison.key == "mtd" else ""
    return ToDate(
        heading=f"{comparison.label}{suffix}",
        value=current.value,
        delta=delta_of(f"vs {comparison.against}", current.value, against, metric),
        note=current.note,
    )


def headline_build(
    metric: MetricDefinition, tile: Tile, *, view: str, comparison: "Comparison | None"
) -> Headline:
    """The tile's headline in `view`: "month" (the latest complete month against the month
    before and its trend, with the month to date below), "mtd" or "t30" (the comparison's
    window against the one before; a metric without windows shows its running month to date)."""
    windowed = _windowed(metric, comparison) if comparison is not None else None
    stored_partial = tile.partial[1] if tile.partial else None
    spark_partial = (
        windowed.value if windowed and comparison and comparison.key == "mtd" else stored_partial
    )
    if view == "month":
        deltas = []
        if tile.period_start is not None:
            before = tile.period_start.replace(day=1) - timedelta(days=1)
            deltas = [
                delta_of(f"vs {before:%b %Y}", tile.value, tile.previous, metric),
                delta_of("vs trend", tile.value, tile.smoothed, metric),
            ]
        heading = f"{tile.period_start:%B %Y}" if tile.period_start else "no complete month"
        to_date = windowed if comparison is not None and comparison.key == "mtd" else None
        if to_date is None and tile.partial is not None:
            to_date = ToDate(f"{tile.partial[0]:%B %Y} to date", stored_partial, None)
        return Headline(
            heading, tile.value, tile.note, deltas, tile.anomaly, to_date, spark_partial
        )
    if windowed is not None:
        return Headline(
            windowed.heading,
            windowed.value,
            windowed.note,
            [windowed.delta] if windowed.delta else [],
            spark_partial=spark_partial,
        )
    if tile.partial is None:
        return Headline("nothing to date", None, spark_partial=None)
    note = "no comparison over other days for this metric: see its latest complete month"
    return Headline(
        f"{tile.partial[0]:%B %Y} to date", stored_partial, note, [], False, None, stored_partial
    )
