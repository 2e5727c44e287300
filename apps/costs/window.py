"""The cost metrics over arbitrary windows (a month to date, the same days of the month
before, the last 30 days; docs/dashboard.md#to-date), by the rules of the periods: a charge
period spanning a window's edge counts in proportion to the time inside it
(docs/metrics.md#cost-metrics).

Cost exports lag: when the lines end before the first window does, every window is shortened
by the same time, so a month to date is compared with the same days of the month before and not
with more of them ("cost data through YYYY-MM-DD" in the note)."""

from datetime import datetime, timedelta

import pandas as pd

from apps.costs import computations as c
from apps.costs import selectors
from apps.delivery.selectors import releases_frame, repos_configured
from apps.metrics.registry import WindowQuery, WindowValue, WindowValues

NO_RELEASES = "no releases in the window"
NO_CUSTOMERS = "no customers live at the window's end"


def share_inside(groups: pd.DataFrame, start: datetime, end: datetime) -> pd.Series:
    """The share (0..1) of each group's charge period `[start, end)` inside the window; a
    zero-length charge period counts wholly where it starts."""
    length = (groups["end"] - groups["start"]).dt.total_seconds()
    inside = (groups["end"].clip(upper=end) - groups["start"].clip(lower=start)).dt.total_seconds()
    point = ((groups["start"] >= start) & (groups["start"] < end)).astype(float)
    spread = inside.clip(lower=0) / length.where(length > 0, 1.0)
    return spread.where(length > 0, point)


def _shortened(query: WindowQuery, covered: pd.Timestamp | None) -> tuple[list, str]:
    """The windows cut by the export lag of the first one, and the note that says so."""
    if covered is None or covered >= query.windows[0][1]:
        return list(query.windows), ""
    lag = query.windows[0][1] - covered.to_pydatetime()
    cut = [(start, max(start, end - lag)) for start, end in query.windows]
    day = (covered - timedelta(microseconds=1)).tz_convert(query.tz).date()
    return cut, f"cost data through {day:%Y-%m-%d}: every window compared over the same days"


def _sums(groups: pd.DataFrame, start: datetime, end: datetime, note: str) -> dict:
    share = share_inside(groups, start, end)
    cost = groups["cost"] * share
    touching = share > 0
    bucket = groups["service_category"].map(c.BUCKETS).fillna(c.OTHER)
    out = {"cost": WindowValue(float(cost.sum()), int(groups["lines"][touching].sum()), note)}
    for metric in c.SUM_METRICS[1:]:
        mine = bucket == metric
        lines = int(groups["lines"][touching & mine].sum())
        out[metric] = WindowValue(float(cost[mine].sum()), lines, note)
    return out


def _ratio(cost: WindowValue, count: float | None, zero_note: str) -> WindowValue:
    if not count:
        return WindowValue(None, 0, zero_note)
    return WindowValue((cost.value or 0.0) / count, int(count), cost.note)


def costs_window(query: WindowQuery) -> WindowValues:
    """cost, its four buckets and cost_per_release (org, team), cost_per_customer (org) over
    each window; not cost_to_revenue (revenue is recorded per month)."""
    groups = selectors.cost_groups_frame(ends_since=query.first_start)
    if query.scope == "team":
        groups = groups[groups["team"] == query.scope_key]
    covered = groups["end"].max() if len(groups) else None
    windows, note = _shortened(query, covered)
    releases = releases_frame() if repos_configured() else None
    if releases is not None and query.scope == "team":
        releases = releases[releases["team"] == query.scope_key]
    live = selectors.customers_live_frame() if query.scope == "org" else None
    out = []
    for start, end in windows:
        values = _sums(groups, start, end, note)
        if releases is not None:
            at = releases["released_at"]
            count = float(((at >= start) & (at < end)).sum())
            values["cost_per_release"] = _ratio(values["cost"], count, NO_RELEASES)
        if query.scope == "org":
            known = live["live_at"].dropna() if live is not None else pd.Series(dtype=object)
            count = float((known < end).sum())
            values["cost_per_customer"] = _ratio(values["cost"], count, NO_CUSTOMERS)
        out.append(values)
    return out
