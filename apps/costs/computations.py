"""Pure cost computations (docs/metrics.md#cost-metrics). Frames in, frames out; no I/O.

Frames: `groups` as documented in apps.costs.selectors.cost_groups_frame (start, end, team,
service_category, cost, lines); `split` as returned by `cost_split`.
"""

from collections.abc import Mapping
from datetime import date

import numpy as np
import pandas as pd

from apps.core.periods import (
    Granularity,
    iter_periods,
    local_midnight,
    next_period_start,
    period_of,
    periods_of,
)
from apps.metrics.frames import scope_periods
from apps.metrics.registry import frame_empty

# Buckets by FOCUS ServiceCategory; everything else is cost_other. EC2 data transfer
# is Compute in FOCUS (AWS bills it under AmazonEC2), so Keel counts it in cost_compute.
BUCKETS: dict[str, str] = {
    "Compute": "cost_compute",
    "Storage": "cost_storage",
    "Networking": "cost_network",
}
OTHER = "cost_other"
SUM_METRICS: tuple[str, ...] = ("cost", "cost_compute", "cost_storage", "cost_network", OTHER)
SPLIT_COLUMNS = ["period_start", "team", "bucket", "cost", "lines"]


def cost_split(groups: pd.DataFrame, granularity: Granularity, tz: str) -> pd.DataFrame:
    """Each group's cost placed in the periods its charge period covers, in proportion to time
    (docs/metrics.md#cost-metrics); a zero-length charge period counts wholly in the period of its
    start.

    Returns columns period_start (local date), team, bucket (one of BUCKETS' values or
    cost_other), cost (float), lines (int: lines touching the period; a split line counts in
    each of its periods).
    """
    if groups.empty:
        return pd.DataFrame(columns=SPLIT_COLUMNS)
    first = _periods(groups["start"], granularity, tz)
    last_instant = groups["end"].where(
        groups["end"] <= groups["start"], groups["end"] - pd.Timedelta(microseconds=1)
    )
    last = _periods(last_instant, granularity, tz)
    bucket = groups["service_category"].map(BUCKETS).fillna(OTHER)
    whole = first == last
    parts = [
        pd.DataFrame(
            {
                "period_start": first[whole],
                "team": groups["team"][whole],
                "bucket": bucket[whole],
                "cost": groups["cost"][whole],
                "lines": groups["lines"][whole],
            }
        )
    ]
    spanning = groups[~whole].assign(bucket=bucket[~whole])
    parts.append(_spread(spanning, granularity, tz))
    split = pd.concat([p for p in parts if not p.empty] or [parts[0]], ignore_index=True)
    return split.groupby(["period_start", "team", "bucket"], as_index=False)[
        ["cost", "lines"]
    ].sum()


def _periods(instants: pd.Series, granularity: Granularity, tz: str) -> pd.Series:
    return periods_of(instants, granularity, tz)


def _spread(spanning: pd.DataFrame, granularity: Granularity, tz: str) -> pd.DataFrame:
    """Rows spanning several periods, cut at the period boundaries (share = overlap / length)."""
    rows = []
    for g in spanning.itertuples(index=False):
        start, end = g.start.to_pydatetime(), g.end.to_pydatetime()
        length = (end - start).total_seconds()
        first, last = period_of(start, granularity, tz), period_of(end, granularity, tz)
        for period in iter_periods(first, last, granularity):
            p_start = local_midnight(period, tz)
            p_end = local_midnight(next_period_start(period, granularity), tz)
            overlap = (min(end, p_end) - max(start, p_start)).total_seconds()
            if overlap > 0:
                rows.append((period, g.team, g.bucket, g.cost * overlap / length, g.lines))
    return pd.DataFrame(rows, columns=SPLIT_COLUMNS)


def cost_series(
    split: pd.DataFrame,
    *,
    granularity: Granularity,
    firsts: Mapping[tuple[str, str], date | None] | None = None,
) -> pd.DataFrame:
    """Registry-format rows of the five cost sums for the org and every team of `split`, each
    scope's series running from its first cost data (or `firsts[(scope, key)]`, when earlier: a
    since-recompute reading only recent lines) to its last, gaps filled with 0
    (docs/metrics.md#rows). One group-by over all scopes and a merge on the full grid: no loop per
    scope or metric."""
    if split.empty:
        return frame_empty()
    teams = split[split["team"] != ""]
    scoped = pd.concat(
        [
            split.assign(scope="org", scope_key=""),
            teams.assign(scope="team", scope_key=teams["team"]),
        ],
        ignore_index=True,
    )
    keys = ["scope", "scope_key", "period_start"]
    total = scoped.groupby(keys, as_index=False)[["cost", "lines"]].sum().assign(metric="cost")
    buckets = scoped.groupby([*keys, "bucket"], as_index=False)[["cost", "lines"]].sum()
    sums = pd.concat([total, buckets.rename(columns={"bucket": "metric"})], ignore_index=True)
    grid = _span_grid(scoped, granularity, firsts or {})
    out = grid.merge(sums, on=["metric", *keys], how="left").fillna({"cost": 0.0, "lines": 0})
    return pd.DataFrame(
        {
            "metric": out["metric"],
            "scope": out["scope"],
            "scope_key": out["scope_key"],
            "granularity": granularity,
            "period_start": out["period_start"],
            "value": out["cost"].astype(float),
            "sample_size": out["lines"].astype(int),
            "note": "",
        }
    )


def _span_grid(
    scoped: pd.DataFrame, granularity: Granularity, firsts: Mapping[tuple[str, str], date | None]
) -> pd.DataFrame:
    """Every (metric, scope, scope_key, period_start) of each scope's span, for SUM_METRICS."""
    spans = scoped.groupby(["scope", "scope_key"])["period_start"].agg(["min", "max"])
    data_firsts, lasts = spans["min"].to_dict(), spans["max"].to_dict()
    starts = {
        key: min(d for d in (first, firsts.get(key)) if d is not None)
        for key, first in data_firsts.items()
    }
    # Through each scope's last cost data, not the current period: exports lag.
    grid = scope_periods(granularity, firsts=starts, lasts=lasts, now=None)
    rows = [(m, s, k, p) for (s, k), periods in grid.items() for m in SUM_METRICS for p in periods]
    return pd.DataFrame(rows, columns=["metric", "scope", "scope_key", "period_start"])


def ratio_rows(
    costs: pd.DataFrame,
    *,
    metric: str,
    denominators: Mapping[date, float] | None,
    zero_note: str,
    missing_note: str,
) -> pd.DataFrame:
    """`cost` rows divided by a per-period denominator; null + note on a zero denominator
    (`zero_note`) or when the denominator is unknown (`missing_note`, denominators None).
    sample_size is the denominator's (docs/metrics.md#rows: for a ratio, those of its denominator).
    """
    out = costs[costs["metric"] == "cost"].copy()
    out["metric"] = metric
    counts = [
        np.nan if denominators is None else denominators.get(p, 0.0) for p in out["period_start"]
    ]
    out["value"] = [
        v / n if n and not np.isnan(n) else np.nan
        for v, n in zip(out["value"], counts, strict=True)
    ]
    out["sample_size"] = [0 if np.isnan(n) else int(n) for n in counts]
    out["note"] = [missing_note if np.isnan(n) else (zero_note if not n else "") for n in counts]
    return out.reset_index(drop=True)


def releases_per_period(released_at: pd.Series, granularity: Granularity, tz: str) -> dict:
    """{period_start: release count} of aware release instants."""
    if released_at.empty:
        return {}
    return _periods(released_at, granularity, tz).value_counts().to_dict()


def live_customers_at(live_at: pd.Series, period_starts, granularity: Granularity, tz: str) -> dict:
    """{period_start: customers live at the period's end} (go-live < period_end)."""
    known = live_at.dropna()
    return {
        p: float((known < local_midnight(next_period_start(p, granularity), tz)).sum())
        for p in period_starts
    }


COVERAGE_NOTE = "cost data through {day}"


def coverage_notes(
    groups: pd.DataFrame, starts: list[date], granularity: Granularity, tz: str
) -> dict[date, str]:
    """{period_start: note} of the periods of `starts` that the cost lines do not cover to
    their end (docs/metrics.md#cost-coverage): `cost data through YYYY-MM-DD`, the last local
    day with data. A period is covered when some line starting before its end runs to its end;
    otherwise its data ends at the latest end of those lines, or at its own start when none
    reaches into it (no data in the period). Export lag is not a drop in cost.

    One sort of the lines by start and a running maximum of their ends, read at each period
    end: O(lines log lines + periods)."""
    if groups.empty or not starts:
        return {}
    order = np.argsort(groups["start"].to_numpy("datetime64[ns]"), kind="stable")
    begin = groups["start"].to_numpy("datetime64[ns]")[order]
    reach = np.maximum.accumulate(groups["end"].to_numpy("datetime64[ns]")[order])
    notes = {}
    for start in starts:
        lo = np.datetime64(pd.Timestamp(local_midnight(start, tz)).tz_convert(None), "ns")
        hi = local_midnight(next_period_start(start, granularity), tz)
        hi64 = np.datetime64(pd.Timestamp(hi).tz_convert(None), "ns")
        at = int(np.searchsorted(begin, hi64, side="left")) - 1
        last = reach[at] if at >= 0 else lo
        if last >= hi64:
            continue
        through = pd.Timestamp(max(last, lo), tz="UTC") - pd.Timedelta(microseconds=1)
        notes[start] = COVERAGE_NOTE.format(day=through.tz_convert(tz).date().isoformat())
    return notes


def notes_add(frame: pd.DataFrame, notes: Mapping[date, str]) -> pd.DataFrame:
    """`frame` (registry rows) with each period's note of `notes` appended to its own."""
    if not notes or frame.empty:
        return frame
    extra = frame["period_start"].map(notes).fillna("")
    joined = [
        f"{own}; {more}" if own and more else own or more
        for own, more in zip(frame["note"], extra, strict=True)
    ]
    return frame.assign(note=joined)
