"""Pure reliability computations (docs/metrics.md#uptime-and-incidents). Frames in, frames out;
no I/O.

Frames (from apps.reliability.selectors):
- `incidents`: pd_id (str), service_key (PagerDuty service id), created_at and resolved_at
  (datetime64[ns, UTC]; resolved_at NaT while open), urgency (str).
- `services`: service_key, team (slug or ""), slo (float, NaN when none).
Output: registry rows (apps.metrics.registry FRAME_COLUMNS).
"""

from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import (
    GRANULARITIES,
    Granularity,
    period_bounds,
)
from apps.metrics.frames import period_starts
from apps.metrics.registry import FRAME_COLUMNS, frame_empty

NO_RESOLVED = "no incidents resolved in period"


def union_seconds(starts: np.ndarray, ends: np.ndarray, lo: float, hi: float) -> float:
    """Length in seconds of the union of intervals [starts[i], ends[i]) clipped to [lo, hi).

    Epoch seconds in, seconds out; overlapping intervals count once."""
    if hi <= lo or len(starts) == 0:
        return 0.0
    s, e = np.clip(starts, lo, hi), np.clip(ends, lo, hi)
    order = np.argsort(s, kind="stable")
    total, cur_s, cur_e = 0.0, None, None
    for a, b in zip(s[order], e[order], strict=True):
        if cur_e is None or a > cur_e:
            total += 0.0 if cur_e is None else cur_e - cur_s
            cur_s, cur_e = a, b
        else:
            cur_e = max(cur_e, b)
    return float(total + (cur_e - cur_s if cur_e is not None else 0.0))


@dataclass
class PeriodStats:
    """One service in one period: downtime seconds, period length seconds (to date when
    current), outages overlapping it, incidents created, repair hours of those resolved."""

    downtime: float = 0.0
    length: float = 0.0
    outages: int = 0
    created: int = 0
    repairs: list[float] = field(default_factory=list)


@dataclass(frozen=True)
class ServiceArrays:
    """One service's incidents as epoch seconds: created, resolved (NaN while open), and
    whether each is an outage."""

    created: np.ndarray
    resolved: np.ndarray
    outage: np.ndarray

    @classmethod
    def of(cls, incidents: pd.DataFrame, outage_urgencies: Collection[str]) -> "ServiceArrays":
        epoch = pd.Timestamp(0, tz="UTC")
        return cls(
            created=(incidents["created_at"] - epoch).dt.total_seconds().to_numpy(float),
            resolved=(incidents["resolved_at"] - epoch).dt.total_seconds().to_numpy(float),
            outage=incidents["urgency"].isin(outage_urgencies).to_numpy(bool),
        )


def service_period_stats(arrays: ServiceArrays, *, lo: float, hi: float, now: float) -> PeriodStats:
    """Stats of one service in the period [lo, hi) (epoch seconds), cut at `now` (the current
    period is measured to date). An open outage lasts until `now`."""
    end = min(hi, now)
    created, resolved_raw = arrays.created, arrays.resolved
    is_resolved = ~np.isnan(resolved_raw)
    resolved = np.where(is_resolved, resolved_raw, now)
    overlap = arrays.outage & (created < end) & (resolved > lo)
    repaired = is_resolved & (resolved >= lo) & (resolved < hi)
    return PeriodStats(
        downtime=union_seconds(created[overlap], resolved[overlap], lo, end),
        length=max(end - lo, 0.0),
        outages=int(overlap.sum()),
        created=int(((created >= lo) & (created < hi)).sum()),
        repairs=[float(h) for h in (resolved[repaired] - created[repaired]) / 3600.0],
    )


def _row(
    metric: str, scope: str, key: str, g: str, start, value: float, n: int, note: str = ""
) -> tuple:
    return (metric, scope, key, g, start, value, n, note)


def _service_rows(key: str, g: str, start, st: PeriodStats, slo: float) -> list[tuple]:
    uptime = 1.0 - st.downtime / st.length if st.length else np.nan
    rows = [
        _row(
            "uptime",
            "service",
            key,
            g,
            start,
            uptime,
            st.outages,
            "" if st.length else "period has not started",
        ),
        _row("downtime_minutes", "service", key, g, start, st.downtime / 60.0, st.outages),
        _row("incidents", "service", key, g, start, float(st.created), st.created),
        _mttr("service", key, g, start, st.repairs),
    ]
    if not np.isnan(slo):
        budget = st.length * (1.0 - slo)
        rows.append(
            _row(
                "error_budget_remaining",
                "service",
                key,
                g,
                start,
                1.0 - st.downtime / budget if budget else np.nan,
                st.outages,
                "" if budget else "period has not started",
            )
        )
    return rows


def _mttr(scope: str, key: str, g: str, start, repairs: list[float]) -> tuple:
    if not repairs:
        return _row("mttr_hours", scope, key, g, start, np.nan, 0, NO_RESOLVED)
    return _row("mttr_hours", scope, key, g, start, float(np.median(repairs)), len(repairs))


ALL_WEIGHT_ZERO = "every service has weight 0"


def _weighted_uptime(stats: list[PeriodStats], weights: list[float]) -> tuple[float, str]:
    """The mean of the services' uptimes weighted by their `weight` (docs/metrics.md#uptime),
    over the services whose period has started; (NaN, why) when there is none or every weight
    is 0."""
    started = [
        (1.0 - s.downtime / s.length, w) for s, w in zip(stats, weights, strict=True) if s.length
    ]
    if not started:
        return np.nan, "period has not started"
    total = sum(w for _, w in started)
    if total <= 0:
        return np.nan, ALL_WEIGHT_ZERO
    return float(sum(u * w for u, w in started) / total), ""


def _group_rows(
    scope: str, key: str, g: str, start, stats: list[PeriodStats], weights: list[float]
) -> list[tuple]:
    """Team / org: uptime = mean over services weighted by `weights`, downtime and incidents
    summed, MTTR pooled."""
    uptime, note = _weighted_uptime(stats, weights)
    outages = sum(s.outages for s in stats)
    created = sum(s.created for s in stats)
    return [
        _row("uptime", scope, key, g, start, uptime, outages, note),
        _row(
            "downtime_minutes", scope, key, g, start, sum(s.downtime for s in stats) / 60.0, outages
        ),
        _row("incidents", scope, key, g, start, float(created), created),
        _mttr(scope, key, g, start, [h for s in stats for h in s.repairs]),
    ]


def service_weights(services: pd.DataFrame) -> dict[str, float]:
    """{service_key: weight} in `services` order; weight 1 when the frame has no weight column
    (or the value is missing)."""
    if "weight" not in services.columns:
        return dict.fromkeys(services["service_key"], 1.0)
    weights = pd.to_numeric(services["weight"], errors="coerce").fillna(1.0).astype(float)
    return dict(zip(services["service_key"], weights, strict=True))


def reliability_rows(
    incidents: pd.DataFrame,
    services: pd.DataFrame,
    *,
    tz: str,
    now: datetime,
    outage_urgencies: Collection[str],
    granularities: tuple[Granularity, ...] = GRANULARITIES,
    first: date | None = None,
    cutoff: date | None = None,
) -> pd.DataFrame:
    """Registry rows of uptime, downtime_minutes, incidents, mttr_hours, error_budget_remaining
    for every configured service, each team with services, and the org, for every period from
    the first incident of any configured service (or `first`, when earlier) through the
    current one (to date). With `cutoff` (a since-recompute's first day), periods ending before
    it are not computed."""
    if (incidents.empty and first is None) or services.empty:
        return frame_empty()
    now_s = now.timestamp()
    arrays = {
        key: ServiceArrays.of(incidents[incidents["service_key"] == key], outage_urgencies)
        for key in services["service_key"]
    }
    if not incidents.empty:
        data_first = incidents["created_at"].min().tz_convert(tz).date()
        first = data_first if first is None else min(first, data_first)
    weight = service_weights(services)
    rows: list[tuple] = []
    for g in granularities:
        # Every service, team and the org share the org's periods.
        for start in period_starts(g, first=first, now=now, tz=tz, since=cutoff):
            lo, hi = (t.timestamp() for t in period_bounds(start, g, tz))
            stats = {}
            for svc in services.itertuples():
                st = service_period_stats(arrays[svc.service_key], lo=lo, hi=hi, now=now_s)
                stats[svc.service_key] = st
                rows += _service_rows(svc.service_key, g, start, st, float(svc.slo))
            for team, members in services[services["team"] != ""].groupby("team"):
                keys = members["service_key"]
                rows += _group_rows(
                    "team", str(team), g, start, [stats[k] for k in keys], [weight[k] for k in keys]
                )
            rows += _group_rows("org", "", g, start, list(stats.values()), list(weight.values()))
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def window_rows(
    incidents: pd.DataFrame,
    services: pd.DataFrame,
    *,
    scope: str,
    key: str,
    windows: tuple[tuple[datetime, datetime], ...],
    now: datetime,
    outage_urgencies: Collection[str],
) -> list[list[tuple]]:
    """Rows (registry tuples, granularity "" and period_start None) of `scope`/`key` for each
    aware window `[start, end)`, by the same rules as a period: `services` are those of the
    scope (one service, a team's, or all)."""
    arrays = {
        k: ServiceArrays.of(incidents[incidents["service_key"] == k], outage_urgencies)
        for k in services["service_key"]
    }
    out = []
    for start, end in windows:
        lo, hi = start.timestamp(), end.timestamp()
        stats = [
            service_period_stats(arrays[k], lo=lo, hi=hi, now=now.timestamp())
            for k in services["service_key"]
        ]
        if scope == "service":
            slo = float(services["slo"].iloc[0]) if len(services) else float("nan")
            out.append(_service_rows(key, "", None, stats[0], slo) if stats else [])
        else:
            weights = list(service_weights(services).values())
            out.append(_group_rows(scope, key, "", None, stats, weights) if stats else [])
    return out
