"""What the unit economics faces show (the API's extra endpoints, the dashboard's Unit
economics and customers pages, the digest), as plain dicts: the cost growth model of one scope
and month with its diagnostics, the releases around which unit cost moved, and onboarding as a
survival curve with go-live forecasts. Reads through the selectors; computes nothing of its own
(docs/metrics.md#unit-economics)."""

import math
from datetime import date, datetime, timedelta
from typing import Any

import numpy as np
import pandas as pd
from django.utils import timezone

from apps.core.periods import local_midnight, period_of
from apps.delivery.selectors import releases_frame
from apps.economics import inputs, selectors
from apps.economics.growth import GrowthFit
from apps.economics.inputs import months_before
from apps.economics.quality_cost import PARTS, parts_frame
from apps.economics.records import fit_records, growth_model
from apps.economics.release_cost import release_impacts, unit_costs_daily
from apps.economics.survival import Observations, golive_forecasts, km_median, survival_curve
from apps.metrics.registry import ComputeContext
from apps.organization.selectors import organization_get


def _tz() -> str:
    return organization_get().timezone


def _number(value: Any) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def latest_complete_month(*, now: datetime | None = None) -> date:
    """The month before the current one (the latest that can be complete)."""
    now = now or timezone.now()
    return months_before(period_of(now, "month", _tz()), 1)


def cost_model_report(
    *, scope: str = "org", scope_key: str = "", month: date | None = None
) -> dict:
    """The cost growth model of one scope and month (default: the latest complete month):
    status "fit" with its diagnostics, the fixed vs marginal split of the month's cost and the
    projections at 2× and 10× customers, or status "no_fit" with the reason."""
    month = month or latest_complete_month()
    fit, drivers = growth_model(scope=scope, scope_key=scope_key, month=month, tz=_tz())
    head, *points = fit_records(fit, drivers)
    report: dict[str, Any] = {"scope": scope, "scope_key": scope_key, "month": month}
    if not isinstance(fit, GrowthFit):
        return report | {"status": "no_fit", "reason": head["reason"], "months_fitted": fit.n}
    marginal = fit.elasticity * fit.cost
    return report | {
        "status": "fit",
        "months_fitted": fit.n,
        "r_squared": fit.r_squared,
        "elasticity": fit.elasticity,
        "elasticity_low_90": fit.interval[0],
        "elasticity_high_90": fit.interval[1],
        "drivers": list(fit.drivers),
        "left_out": fit.left_out,
        "coefficients": head["coefficients"],
        "cost": fit.cost,
        "customers": fit.customers,
        "marginal_per_customer": _number(fit.marginal_per_customer) if fit.customers else None,
        # A log-log model: at the margin, elasticity × cost moves with customers, the rest
        # behaves as fixed (docs/metrics.md#cost-growth-model); outside [0, 1] there is no
        # such split (above 1 every customer adds more than the average one costs).
        "split": (
            {"marginal": marginal, "fixed": fit.cost - marginal}
            if 0 <= fit.elasticity <= 1
            else None
        ),
        "projections": head["projections"],
        "points": points,
    }


def cost_covered_until(tz: str) -> date | None:
    """The last local day the cost data covers in full (None without cost)."""
    covered = selectors.cost_covered_until()
    if covered is None:
        return None
    local = pd.Timestamp(covered).tz_convert(tz)
    return (local.floor("D") - pd.Timedelta(days=1)).date()


PER_USAGE = 1000  # unit costs per usage are per thousand (cost per 1,000 requests)


def usage_daily_rate(values: dict[date, float], days: list[date]) -> np.ndarray:
    """A monthly series as a daily rate: each month's value / its days, placed at the middle of
    the month and interpolated linearly between months, so unit cost does not step at every
    month boundary; flat in the first and last half month; NaN in months without a value."""
    if not values:
        return np.full(len(days), np.nan)
    months = sorted(values)
    mids = [pd.Timestamp(m) + pd.Timedelta(days=pd.Timestamp(m).days_in_month / 2) for m in months]
    rates = [values[m] / pd.Timestamp(m).days_in_month for m in months]
    x = np.array([pd.Timestamp(d).value for d in days], dtype=float)
    daily = np.interp(x, [m.value for m in mids], rates)
    known = {m for m in months}
    return np.where([d.replace(day=1) in known for d in days], daily, np.nan)


def _usage_daily(days: list[date]) -> pd.DataFrame:
    """Each usage series per day (usage_daily_rate), in thousands, labelled "1,000 <unit>"."""
    usage = selectors.usage_frame()
    out = pd.DataFrame(index=days)
    for (name, unit), rows in usage.groupby(["name", "unit"]):
        values = dict(zip(rows["period_start"], rows["value"], strict=True))
        label = f"{PER_USAGE:,} {unit}"
        out[label if label not in out.columns else name] = (
            usage_daily_rate(values, days) / PER_USAGE
        )
    return out


def release_costs_frame(*, tz: str | None = None) -> pd.DataFrame:
    """Every release's unit cost around it (apps.economics.release_cost.release_impacts)."""
    tz = tz or _tz()
    daily = selectors.cost_daily_frame(tz=tz)
    last_day = cost_covered_until(tz)
    if daily.empty or last_day is None:
        return release_impacts(pd.DataFrame(), pd.DataFrame(), tz=tz, last_day=None)
    days = list(pd.date_range(daily["day"].min(), daily["day"].max(), freq="D").date)
    ends = pd.DatetimeIndex([local_midnight(d + timedelta(days=1), tz) for d in days])
    live = np.sort(inputs.customers(tz)["live_at"].dropna().to_numpy())
    customers = pd.Series(np.searchsorted(live, ends.tz_convert("UTC").to_numpy()), index=days)
    units = unit_costs_daily(daily, customers.astype(float), _usage_daily(days))
    return release_impacts(units, releases_frame(), tz=tz, last_day=last_day)


def release_costs_report(
    *, start: date | None = None, end: date | None = None, outside_only: bool = False
) -> list[dict]:
    """Release impacts with the release day in [start, end), newest first."""
    frame = release_costs_frame()
    if frame.empty:
        return []
    if start is not None:
        frame = frame[frame["day"] >= start]
    if end is not None:
        frame = frame[frame["day"] < end]
    if outside_only:
        frame = frame[frame["outside"].astype(bool)]
    frame = frame.sort_values(["released_at", "repo", "unit"], ascending=[False, True, True])
    return [
        {
            "repo": r.repo,
            "team": r.team,
            "release": r.release,
            "released_at": r.released_at.to_pydatetime(),
            "url": r.url,
            "unit": r.unit,
            "baseline": _number(float(r.baseline)),
            "after": _number(float(r.after)),
            "change": _number(float(r.change)),
            "band_low": _number(float(r.band_low)),
            "band_high": _number(float(r.band_high)),
            "outside": bool(r.outside),
            "status": r.status,
        }
        for r in frame.itertuples()
    ]


def onboarding_report(*, team: str = "", now: datetime | None = None) -> dict:
    """The Kaplan–Meier curve of time to live (org, or one team's customers), its median and
    a go-live forecast per onboarding customer."""
    now = now or timezone.now()
    customers = inputs.customers(_tz())
    if team:
        customers = customers[customers["team"] == team]
    obs = Observations.at(customers, pd.Timestamp(now))
    curve = survival_curve(customers, now=now)
    return {
        "team": team,
        "customers": len(obs.days),
        "live": int(obs.live.sum()),
        "onboarding": int((~obs.live).sum()),
        "median_days": _number(km_median(obs)),
        "curve": curve.to_dict("records"),
        "forecasts": [
            {
                "customer": f.key,
                "team": f.team,
                "onboarding_start": f.start,
                "elapsed_days": f.elapsed_days,
                "median": f.median,
                "low_80": f.low,
                "high_80": f.high,
            }
            for f in golive_forecasts(customers, now=now)
        ],
    }


def quality_cost_report(
    *, scope: str = "org", scope_key: str = "", months: int = 12, last: date | None = None
) -> list[dict]:
    """The cost of poor quality of `months` months ending with `last` (default: the current
    month, to date), oldest first: each month's three parts (None when not valued), total and
    notes."""
    now = timezone.now()
    tz = _tz()
    last = last or period_of(now, "month", tz)
    ctx = ComputeContext(tz=tz, now=now, since=months_before(last, months - 1))
    parts = parts_frame(inputs.quality_inputs(ctx))
    mine = parts[
        (parts["scope"] == scope)
        & (parts["scope_key"] == scope_key)
        & (parts["period_start"] <= last)
    ]
    out = []
    for row in mine.sort_values("period_start").to_dict("records"):
        values = {part: _number(float(row[part])) for part in PARTS}
        known = [v for v in values.values() if v is not None]
        notes = list(dict.fromkeys(row["notes"].values()))
        total = sum(known) if known else None
        out.append({"month": row["period_start"], **values, "total": total, "notes": notes})
    return out


def customers_table(*, team: str = "", now: datetime | None = None) -> list[dict]:
    """Every configured customer (of `team` when given), newest start first: key, team,
    onboarding start, go-live (None while onboarding), days to live or days so far, status."""
    now = now or timezone.now()
    frame = inputs.customers(_tz())
    if team:
        frame = frame[frame["team"] == team]
    instant = pd.Timestamp(now)
    out = []
    for c in frame.sort_values("start", ascending=False).itertuples():
        live = pd.notna(c.live_at) and c.live_at < instant
        if c.start >= instant:
            continue  # not started yet
        until = c.live_at if live else instant
        out.append(
            {
                "key": c.key,
                "team": c.team,
                "onboarding_start": c.start.to_pydatetime(),
                "live_at": c.live_at.to_pydatetime() if live else None,
                "days": (until - c.start).total_seconds() / 86400.0,
                "live": bool(live),
                "via": c.via,
            }
        )
    return out
