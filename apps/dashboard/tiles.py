"""Tiles: the headline of one metric series, computed from its rows (pure, no I/O).

A series frame has one row per period, sorted or not, with the columns

    period_start (datetime.date), period_end (datetime.date, exclusive),
    value (float, NaN = null), smoothed (float, NaN = none), anomaly (bool), note (str)

`tile_summarise` picks the latest *complete* period (period_end <= today, in the organisation's
time zone) and compares it with the period just before it and with its smoothed trend.
"""

import math
from dataclasses import dataclass, field
from datetime import date

import pandas as pd

SPARK_PERIODS = 12
SPARK_WIDTH, SPARK_HEIGHT, SPARK_PAD = 120.0, 32.0, 3.0


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
    SPARK_PERIODS complete periods, oldest first."""

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


def tile_summarise(series: pd.DataFrame, *, today: date) -> Tile:
    """The tile of `series` (columns above) as of `today`. An empty series, or one with no
    complete period yet, gives `Tile()` (value None, no note: the caller explains why)."""
    if series.empty:
        return Tile()
    ordered = series.sort_values("period_start")
    complete = ordered[ordered["period_end"] <= today]
    if complete.empty:
        return Tile()
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
    )


@dataclass(frozen=True)
class Sparkline:
    """SVG geometry in a SPARK_WIDTH × SPARK_HEIGHT box: `lines` are polyline point strings
    (a null value breaks the line), `dots` (x, y) of every value, `anomalies` those flagged."""

    lines: list[str]
    dots: list[tuple[float, float]]
    anomalies: list[tuple[float, float]]


def sparkline(spark: list[tuple[date, float | None, bool]]) -> Sparkline:
    """Scale `spark` values to the box: x evenly spaced, y from min (bottom) to max (top); a
    flat series is drawn in the middle."""
    values = [v for _, v, _ in spark if v is not None]
    if not values:
        return Sparkline([], [], [])
    low, high = min(values), max(values)
    step = (SPARK_WIDTH - 2 * SPARK_PAD) / max(len(spark) - 1, 1)
    span = SPARK_HEIGHT - 2 * SPARK_PAD
    lines, current, dots, anomalies = [], [], [], []
    for i, (_, value, anomaly) in enumerate(spark):
        if value is None:
            lines, current = lines + ([" ".join(current)] if current else []), []
            continue
        frac = (value - low) / (high - low) if high > low else 0.5
        x, y = round(SPARK_PAD + i * step, 1), round(SPARK_PAD + span * (1 - frac), 1)
        current.append(f"{x},{y}")
        dots.append((x, y))
        if anomaly:
            anomalies.append((x, y))
    if current:
        lines.append(" ".join(current))
    return Sparkline(lines, dots, anomalies)
