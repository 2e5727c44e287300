"""The cost of poor quality (docs/metrics.md#cost_of_poor_quality), monthly, per team and org.
Pure: frames in, frames out, no I/O.

    cost_of_poor_quality = bug work + downtime + cloud during outages
    bug work   = bug_fix_share × the team's monthly engineering cost (`costs.engineering`)
    downtime   = downtime_minutes × revenue of the month / minutes of the month
    cloud      = cost of the lines in the affected services' accounts, during their outages

A part that cannot be valued (no engineering cost configured for the team, no PagerDuty service,
no revenue for the month, no cost line tagged with a service) is left out and named in the
note; the value is null only when no part can be valued. The org's bug work is the sum of its
teams' (each share weighs its own team's cost); its downtime and cloud parts cover every
configured service.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import local_midnight, next_period_start
from apps.costs.allocation import tag_key_variants

METRIC = "cost_of_poor_quality"
PARTS = ("bug_work", "downtime", "cloud_during_outages")
NO_ENGINEERING = "bug work not valued: no costs.engineering amount for the team"
NO_ITEMS = "bug work not valued: no work items completed"
NO_REVENUE = "downtime not valued: no revenue recorded for the month"
NO_TAGS = "cloud spend during outages not valued: no cost line is tagged with a PagerDuty service"
NO_SERVICE = "downtime and cloud spend during outages not valued: no PagerDuty service"
OUTAGE_COLUMNS = ["service_key", "service_name", "team", "start", "end"]


@dataclass(frozen=True)
class Inputs:
    """Everything the metric reads, for the months being computed.

    shares, downtime: {(scope, scope_key, period_start): value} (NaN = null row).
    revenue: {period_start: amount}; engineering: {team: monthly amount}.
    cloud: {(scope, scope_key, period_start): cost, or None when not valued} (cloud_costs)."""

    months: list[date]
    teams: list[str]
    shares: Mapping[tuple[str, str, date], float]
    downtime: Mapping[tuple[str, str, date], float]
    revenue: Mapping[date, float]
    engineering: Mapping[str, float]
    cloud: Mapping[tuple[str, str, date], float | None]
    tz: str
    now: datetime


def _elapsed(month: date, tz: str, now: datetime) -> tuple[float, float]:
    """(share of the month elapsed at `now`, 0..1; minutes in the whole month)."""
    start, end = local_midnight(month, tz), local_midnight(next_period_start(month, "month"), tz)
    length = (end - start).total_seconds()
    return min(max((now - start).total_seconds() / length, 0.0), 1.0), length / 60


PART_COLUMNS = [
    "scope",
    "scope_key",
    "period_start",
    *PARTS,
    "notes",  # {part: why it is not valued}
    "bug_fix_share",
    "engineering_cost",  # the month's, pro-rated when current
    "downtime_minutes",
    "revenue",
    "month_minutes",
]


def parts_frame(inputs: Inputs) -> pd.DataFrame:
    """One row per scope and month (PART_COLUMNS): the three PARTS (NaN when not valued), why a
    part is not valued, and the inputs of each. Bug work of the current month counts the share
    of the month elapsed (the month is reported to date)."""
    rows = []
    for month in inputs.months:
        elapsed, minutes = _elapsed(month, inputs.tz, inputs.now)
        revenue = inputs.revenue.get(month)
        teams = [_bug_work(inputs, team, month, elapsed) for team in inputs.teams]
        for team, (work, why, share, cost) in zip(inputs.teams, teams, strict=True):
            notes = {"bug_work": why} if why else {}
            rows.append(
                _row(inputs, ("team", team, month), work, notes, share, cost, revenue, minutes)
            )
        known = [t[0] for t in teams if not np.isnan(t[0])]
        work = float(sum(known)) if known else np.nan
        notes = {} if known else {"bug_work": NO_ENGINEERING.replace("the team", "any team")}
        shares = inputs.shares.get(("org", "", month), np.nan)
        cost = sum(inputs.engineering.values()) * elapsed
        rows.append(_row(inputs, ("org", "", month), work, notes, shares, cost, revenue, minutes))
    return pd.DataFrame(rows, columns=PART_COLUMNS)


def _bug_work(inputs: Inputs, team: str, month: date, elapsed: float) -> tuple:
    """(bug work, why not valued, share, engineering cost of the month to date)."""
    share = inputs.shares.get(("team", team, month), np.nan)
    if team not in inputs.engineering:
        return np.nan, NO_ENGINEERING, share, np.nan
    cost = inputs.engineering[team] * elapsed
    if np.isnan(share):
        return np.nan, NO_ITEMS, share, cost
    return share * cost, "", share, cost


def _row(inputs, where, work, notes, share, cost, revenue, minutes) -> tuple:
    """The row of one scope and month. Downtime and cloud spend are valued only for a scope
    with PagerDuty services (a downtime_minutes row for the month)."""
    down_minutes = inputs.downtime.get(where, np.nan)
    downtime = cloud = np.nan
    if np.isnan(down_minutes):
        notes["downtime"] = notes["cloud_during_outages"] = NO_SERVICE
    else:
        if revenue is None:
            notes["downtime"] = NO_REVENUE
        else:
            downtime = down_minutes * revenue / minutes
        cloud = inputs.cloud.get(where, 0.0)
        if cloud is None:
            cloud = np.nan
            notes["cloud_during_outages"] = NO_TAGS
    revenue = np.nan if revenue is None else revenue
    return (*where, work, downtime, cloud, notes, share, cost, down_minutes, revenue, minutes)


def quality_cost_rows(parts: pd.DataFrame) -> pd.DataFrame:
    """Registry rows (apps.metrics.registry FRAME_COLUMNS) of the metric from `parts_frame`:
    the sum of the parts valued (sample_size: how many), null when none is."""
    values = parts[list(PARTS)]
    known = values.notna().sum(axis=1)
    notes = ["; ".join(dict.fromkeys(n.values())) for n in parts["notes"]]
    return pd.DataFrame(
        {
            "metric": METRIC,
            "scope": parts["scope"],
            "scope_key": parts["scope_key"],
            "granularity": "month",
            "period_start": parts["period_start"],
            "value": values.sum(axis=1, min_count=1).astype(float),
            "sample_size": known.astype(int),
            "note": notes,
        }
    )


def line_services(lines: pd.DataFrame, outages: pd.DataFrame, *, tag_keys: list[str]) -> np.ndarray:
    """The PagerDuty service each line's tags name ("" for none): the value of the first of
    `tag_keys` (with AWS's `user:` spelling) present, matched to a service's id or name
    (case-insensitive)."""
    keys = tag_key_variants(tag_keys)
    labels: dict[str, str] = {}
    for key, name in zip(outages["service_key"], outages["service_name"], strict=True):
        labels.setdefault(key.lower(), key)
        if name:
            labels.setdefault(name.lower(), key)
    values = (
        next((str(t[k]).strip().lower() for k in keys if t.get(k)), "") for t in lines["tags"]
    )
    return np.array([labels.get(v, "") for v in values], dtype=object)


def union(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Disjoint sorted intervals covering the same instants as [starts[i], ends[i])."""
    if len(starts) == 0:
        return starts, ends
    order = np.argsort(starts, kind="stable")
    s, e = starts[order], ends[order]
    firsts = np.flatnonzero(np.r_[True, s[1:] > np.maximum.accumulate(e)[:-1]])
    return s[firsts], np.maximum.reduceat(e, firsts)


def covered(lo: np.ndarray, hi: np.ndarray, u_start: np.ndarray, u_end: np.ndarray) -> np.ndarray:
    """Length of each [lo[i], hi[i]) inside the disjoint sorted intervals [u_start, u_end)."""
    if len(u_start) == 0:
        return np.zeros(len(lo))
    lengths = u_end - u_start
    before = np.r_[0.0, np.cumsum(lengths)]

    def upto(t: np.ndarray) -> np.ndarray:  # covered length before instant t
        k = np.searchsorted(u_start, t, side="right") - 1
        j = np.maximum(k, 0)
        return np.where(k >= 0, before[j] + np.clip(t - u_start[j], 0, lengths[j]), 0.0)

    return np.maximum(upto(hi) - upto(np.minimum(lo, hi)), 0.0)


def _seconds(instants: pd.Series) -> np.ndarray:
    return (instants - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy(float)


def cloud_costs(
    lines: pd.DataFrame,
    outages: pd.DataFrame,
    *,
    tag_keys: list[str],
    scopes: Iterable[tuple[str, str]],
    months: list[date],
    tz: str,
) -> dict[tuple[str, str, date], float | None]:
    """{(scope, key, month): cost of the lines in the accounts of the scope's services during
    the union of those services' outages in the month}: absent for a month without outages,
    None when the month had outages but none of its lines is tagged with a service (the part
    cannot be valued). An account is a service's in a month when one of its lines during the
    month's outages is tagged with the service (line_services). A line counts for the share of
    its charge period inside the outages (a zero-length line for nothing); outages overlapping
    in one account count once. Lines: columns sub_account_id, tags, start, end (UTC), cost."""
    line = _Lines.of(lines, outages, tag_keys=tag_keys)
    o_start, o_end = _seconds(outages["start"]), _seconds(outages["end"])
    o_service = outages["service_key"].to_numpy(object)
    o_team = outages["team"].to_numpy(object)
    # Accounts as integer codes, so each month's lines split by account once (comparing
    # object arrays per month, scope and account was most of a recompute at scale).
    codes, names = pd.factorize(pd.Series(line.account, dtype=object), sort=True)
    out: dict[tuple[str, str, date], float | None] = {}
    for month in months:
        lo = local_midnight(month, tz).timestamp()
        hi = local_midnight(next_period_start(month, "month"), tz).timestamp()
        down = (o_start < hi) & (o_end > lo)
        if not down.any():
            continue
        here = np.flatnonzero(line.during(lo, hi, *union(o_start[down], o_end[down])))
        accounts = _accounts(line.account[here], line.service[here])
        # Per account: its lines here (ascending, as a mask would select them) and its
        # services' outages of the month.
        split = {
            account: (
                here[codes[here] == names.get_loc(account)],
                down & np.isin(o_service, list(services)),
            )
            for account, services in sorted(accounts.items())
        }
        for scope, key in scopes:
            scoped = down if scope == "org" else down & (o_team == key)
            if not scoped.any():
                continue
            if not accounts:
                out[(scope, key, month)] = None
                continue
            total = 0.0
            for account in accounts:
                mine, served = split[account]
                hit = scoped & served
                if hit.any():
                    total += line.cost_inside(mine, lo, hi, *union(o_start[hit], o_end[hit]))
            out[(scope, key, month)] = total
    return out


def _accounts(accounts: np.ndarray, services: np.ndarray) -> dict[str, set[str]]:
    """{account: the services its (tagged) lines name}."""
    out: dict[str, set[str]] = {}
    for account, service in zip(accounts, services, strict=True):
        if service:
            out.setdefault(account, set()).add(service)
    return out


class _Lines:
    """Cost lines as arrays: start and end (epoch seconds), cost, account, named service."""

    def __init__(self, start, end, cost, account, service) -> None:
        self.start, self.end, self.cost = start, end, cost
        self.account, self.service = account, service
        self.length = end - start

    @classmethod
    def of(cls, lines: pd.DataFrame, outages: pd.DataFrame, *, tag_keys: list[str]) -> "_Lines":
        return cls(
            _seconds(lines["start"]),
            _seconds(lines["end"]),
            lines["cost"].to_numpy(float),
            lines["sub_account_id"].to_numpy(object),
            line_services(lines, outages, tag_keys=tag_keys),
        )

    def _inside(self, mask, lo: float, hi: float, u_start, u_end) -> np.ndarray:
        a = np.maximum(self.start[mask], lo)
        b = np.minimum(self.end[mask], hi)
        return covered(a, b, u_start, u_end)

    def during(self, lo: float, hi: float, u_start, u_end) -> np.ndarray:
        """Mask of the lines with time inside the intervals and [lo, hi)."""
        return self._inside(slice(None), lo, hi, u_start, u_end) > 0

    def cost_inside(self, mask, lo: float, hi: float, u_start, u_end) -> float:
        """Cost of the lines of `mask` for the share of their charge period inside."""
        inside = self._inside(mask, lo, hi, u_start, u_end)
        length = self.length[mask]
        share = np.divide(inside, length, out=np.zeros_like(inside), where=length > 0)
        return float((self.cost[mask] * share).sum())
