"""Reads for unit economics (docs/metrics.md#unit-economics), as DataFrames for the pure
computations of this app: cost by month and by day, usage series, the metric rows the cost of
poor quality builds on, outages, and the cost lines that overlap them."""

import json
from datetime import date, datetime, timedelta

import pandas as pd
from django.db.models import Max, Q, Sum

from apps.core.frames import Kind, queryset_frame
from apps.costs.computations import cost_split
from apps.costs.models import CostGroup, CostImport
from apps.costs.selectors import cost_groups_frame, cost_lines_current
from apps.metrics.models import MetricRow
from apps.organization.models import PagerDutyService, UsageMonth
from apps.organization.selectors import org_settings
from apps.reliability.selectors import incidents_frame

DAY = pd.Timedelta(days=1)
INTERVAL_CHUNK = 100


def cost_monthly_frame(
    *, tz: str, since: datetime | None = None
) -> tuple[pd.DataFrame, pd.Timestamp | None]:
    """Cost per month and team (lines spanning months split by time, docs/metrics.md#cost),
    and the instant the cost data covers to (the latest charge period end; None without cost).

    Columns: period_start (date), team (slug, "" unallocated), cost (float). With `since`,
    only charge periods ending at or after it are read."""
    groups = cost_groups_frame(ends_since=since)
    covered = groups["end"].max() if len(groups) else None
    split = cost_split(groups, "month", tz)
    monthly = split.groupby(["period_start", "team"], as_index=False)["cost"].sum()
    return monthly, covered


def cost_daily_frame(*, tz: str) -> pd.DataFrame:
    """Org cost per local day: columns day (date), cost (float). A line within one day (the
    usual hourly or daily grain) counts on that day; a longer one is spread over its days in
    proportion to time."""
    groups = cost_groups_frame()
    start, end = groups["start"].dt.tz_convert(tz), groups["end"].dt.tz_convert(tz)
    inside = (end - DAY <= start.dt.floor("D")) | (end <= start)
    placed = pd.DataFrame({"day": start[inside].dt.date, "cost": groups["cost"][inside]})
    rows = []
    for s, e, cost in zip(start[~inside], end[~inside], groups["cost"][~inside], strict=True):
        day = s.floor("D")
        while day < e:
            overlap = (min(e, day + DAY) - max(s, day)).total_seconds()
            rows.append((day.date(), cost * overlap / (e - s).total_seconds()))
            day += DAY
    spread = pd.DataFrame(rows, columns=["day", "cost"])
    daily = pd.concat([f for f in (placed, spread) if len(f)] or [placed], ignore_index=True)
    return daily.groupby("day", as_index=False)["cost"].sum()


def usage_frame() -> pd.DataFrame:
    """Usage series months: columns name, unit (str), period_start (date), value (float)."""
    rows = UsageMonth.objects.values_list("series__name", "series__unit", "month", "value")
    frame = pd.DataFrame(list(rows), columns=["name", "unit", "period_start", "value"])
    return frame.astype({"value": float})


def metric_values_frame(*, metrics: list[str], since: date | None = None) -> pd.DataFrame:
    """Stored monthly org and team rows of `metrics` (written by their own families earlier in
    the same recompute: the economics family is registered after them). Columns metric, scope,
    scope_key, period_start, value (NaN = null), sample_size, note."""
    rows = MetricRow.objects.filter(
        metric__in=metrics, granularity="month", scope__in=("org", "team")
    )
    if since is not None:
        rows = rows.filter(period_start__gte=since)
    columns = ["metric", "scope", "scope_key", "period_start", "value", "sample_size", "note"]
    frame = pd.DataFrame(list(rows.values_list(*columns)), columns=columns)
    return frame.astype({"value": float})


def outages_frame(*, now: datetime, since: datetime | None = None) -> pd.DataFrame:
    """Outages (incidents of an outage urgency, docs/metrics.md#uptime) of configured services,
    only those open at or after `since` when given. Columns service_key, service_name, team
    (slug or ""), start, end (UTC; an open outage lasts until `now`)."""
    urgencies = list(org_settings().incidents.outage_urgencies)
    incidents = incidents_frame(open_since=since)
    outages = incidents[incidents["urgency"].isin(urgencies)]
    names = dict(PagerDutyService.objects.values_list("service_id", "name"))
    frame = pd.DataFrame(
        {
            "service_key": outages["service_key"].astype(str),
            "service_name": outages["service_key"].map(names).fillna("").astype(str),
            "team": outages["team"].astype(str),
            "start": outages["created_at"],
            "end": outages["resolved_at"].fillna(pd.Timestamp(now)),
        }
    )
    return frame[frame["end"] > frame["start"]].reset_index(drop=True)


LINE_COLUMNS: dict[str, Kind] = {
    "sub_account_id": "str",
    "tags": "str",
    "charge_period_start": "datetime",
    "charge_period_end": "datetime",
    "total": "float",
}


def lines_during_frame(intervals: list[tuple[datetime, datetime]]) -> pd.DataFrame:
    """Cost lines whose charge period overlaps one of `intervals` (aware [start, end) pairs,
    e.g. the union of the outages being valued), summed by sub-account, tags and charge period
    (what the cloud part values a line by; at full size 5M lines make about a third as many
    rows): columns sub_account_id, tags (dict), start, end (UTC), cost (billing currency).
    Reads only those lines, INTERVAL_CHUNK intervals per query (docs/performance.md); a group
    overlaps the same intervals as each of its lines, so one read in two chunks is the same
    row twice and is kept once."""
    groups = cost_lines_current().values(
        "sub_account_id", "tags", "charge_period_start", "charge_period_end"
    )
    parts = []
    for i in range(0, len(intervals), INTERVAL_CHUNK):
        during = Q(pk__in=[])
        for start, end in intervals[i : i + INTERVAL_CHUNK]:
            during |= Q(charge_period_start__lt=end, charge_period_end__gt=start)
        summed = groups.filter(during).annotate(total=Sum("cost")).order_by()
        parts.append(queryset_frame(summed, LINE_COLUMNS))
    if not parts:
        empty = groups.none().annotate(total=Sum("cost")).order_by()
        parts.append(queryset_frame(empty, LINE_COLUMNS))
    keys = ["sub_account_id", "tags", "charge_period_start", "charge_period_end"]
    frame = pd.concat(parts, ignore_index=True).drop_duplicates(keys)
    frame = frame.rename(
        columns={"charge_period_start": "start", "charge_period_end": "end", "total": "cost"}
    )
    parsed = {text: json.loads(text or "{}") for text in set(frame["tags"])}  # few tag sets
    frame["tags"] = [parsed[text] for text in frame["tags"]]
    return frame.reset_index(drop=True)


def service_tag_keys() -> list[str]:
    """`costs.service_tag_keys`: tag keys whose value names a line's PagerDuty service."""
    return list(org_settings().costs.service_tag_keys)


def engineering_costs() -> dict[str, float]:
    """`costs.engineering`: each team's loaded engineering cost per month."""
    return dict(org_settings().costs.engineering)


def a_day_before(instant: datetime | None) -> datetime | None:
    return None if instant is None else instant - timedelta(days=1)


def cost_covered_until() -> datetime | None:
    """The latest charge period end of the successful imports: how far the cost data reaches
    (docs/metrics.md#cost)."""
    groups = CostGroup.objects.filter(cost_import__status=CostImport.Status.SUCCEEDED)
    return groups.aggregate(end=Max("charge_period_end"))["end"]
