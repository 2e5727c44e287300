"""Pure cost computations (spec §5.6, §7). Frames in, frames out; no I/O.

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
from apps.metrics.frames import frame_fill_gaps
from apps.metrics.registry import FRAME_COLUMNS

# Spec §5.6: buckets by FOCUS ServiceCategory; everything else is cost_other. EC2 data transfer
# is Compute in FOCUS (AWS bills it under AmazonEC2), so Keel counts it in cost_compute.
BUCKETS: dict[str, str] = {"Compute": "cost_compute", "Storage": "cost_storage",
                           "Networking": "cost_network"}  # fmt: skip
OTHER = "cost_other"
SUM_METRICS: tuple[str, ...] = ("cost", "cost_compute", "cost_storage", "cost_network", OTHER)
SPLIT_COLUMNS = ["period_start", "team", "bucket", "cost", "lines"]


def cost_split(groups: pd.DataFrame, granularity: Granularity, tz: str) -> pd.DataFrame:
    """Each group's cost placed in the periods its charge period covers, in proportion to time
    (spec §5.6); a zero-length charge period counts wholly in the period of its start.

    Returns columns period_start (local date), team, bucket (one of BUCKETS' values or
    cost_other), cost (float), lines (int: lines touching the period; a split line counts in
    each of its periods).
    """
    if groups.empty:
        return pd.DataFrame(columns=SPLIT_COLUMNS)
    first = _periods(groups["start"], granularity, tz)
    last_instant = groups["end"].where(groups["end"] <= groups["start"],
                                       groups["end"] - pd.Timedelta(microseconds=1))  # fmt: skip
    last = _periods(last_instant, granularity, tz)
    bucket = groups["service_category"].map(BUCKETS).fillna(OTHER)
    whole = first == last
    parts = [pd.DataFrame({"period_start": first[whole], "team": groups["team"][whole],
                           "bucket": bucket[whole], "cost": groups["cost"][whole],
                           "lines": groups["lines"][whole]})]  # fmt: skip
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
    split: pd.DataFrame, *, scope: str, scope_key: str, granularity: str,
    first: date | None = None,
) -> pd.DataFrame:
    """Registry-format rows of the five cost sums for one scope (its rows of `split`), every
    period from its first cost data (or `first`, when earlier: a since-recompute reading only
    recent lines) to its last filled with 0 (spec §7)."""
    if split.empty:
        return pd.DataFrame(columns=list(FRAME_COLUMNS))
    frames = []
    for metric in SUM_METRICS:
        rows = split if metric == "cost" else split[split["bucket"] == metric]
        sums = rows.groupby("period_start")[["cost", "lines"]].sum()
        frames.append(pd.DataFrame({
            "metric": metric, "scope": scope, "scope_key": scope_key, "granularity": granularity,
            "period_start": sums.index, "value": sums["cost"].to_numpy(dtype=float),
            "sample_size": sums["lines"].to_numpy(dtype=int), "note": "",
        }))  # fmt: skip
    out = pd.concat(frames, ignore_index=True)
    start = min(split["period_start"]) if first is None else min(first, *split["period_start"])
    out = _fill_span(out, first=start, last=max(split["period_start"]))
    return out


def _fill_span(frame: pd.DataFrame, *, first: date, last: date) -> pd.DataFrame:
    """Gap-fill every series of `frame` over the scope's whole span [first, last]."""
    key = frame.iloc[0]
    edges = [(metric, key.scope, key.scope_key, key.granularity, day, 0.0, 0, "")
             for metric in SUM_METRICS for day in (first, last)]  # fmt: skip
    frame = pd.concat([frame, pd.DataFrame(edges, columns=list(FRAME_COLUMNS))], ignore_index=True)
    frame = frame.groupby(["metric", "scope", "scope_key", "granularity", "period_start"],
                          as_index=False).agg(value=("value", "sum"),
                                              sample_size=("sample_size", "sum"),
                                              note=("note", "first"))  # fmt: skip
    return frame_fill_gaps(frame[list(FRAME_COLUMNS)])


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
    sample_size is the denominator's (spec §7: for a ratio, those of its denominator)."""
    out = costs[costs["metric"] == "cost"].copy()
    out["metric"] = metric
    counts = [np.nan if denominators is None else denominators.get(p, 0.0)
              for p in out["period_start"]]  # fmt: skip
    out["value"] = [v / n if n and not np.isnan(n) else np.nan
                    for v, n in zip(out["value"], counts, strict=True)]  # fmt: skip
    out["sample_size"] = [0 if np.isnan(n) else int(n) for n in counts]
    out["note"] = [missing_note if np.isnan(n) else (zero_note if not n else "") for n in counts]
    return out.reset_index(drop=True)


def releases_per_period(released_at: pd.Series, granularity: Granularity, tz: str) -> dict:
    """{period_start: release count} of aware release instants."""
    if released_at.empty:
        return {}
    return _periods(released_at, granularity, tz).value_counts().to_dict()


def live_customers_at(live_at: pd.Series, period_starts, granularity: Granularity, tz: str) -> dict:
    """{period_start: customers live at the period's end} (go-live < period_end, spec §7)."""
    known = live_at.dropna()
    return {p: float((known < local_midnight(next_period_start(p, granularity), tz)).sum())
            for p in period_starts}  # fmt: skip
