"""The monthly cost drivers of one scope (docs/metrics.md#cost-growth-model), and the registry
rows of the cost growth metrics from its fits. Pure: frames in, frames out, no I/O.

Inputs (from apps.economics.selectors and the apps they read):
- monthly_cost: period_start (date), team (slug, "" unallocated), cost (float);
- customers: key, team, start, live_at (aware UTC; NaT while onboarding);
- releases: team, released_at (aware UTC);
- usage: name, unit, period_start (date), value (float).
"""

import math
from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import local_midnight, next_period_start, periods_of
from apps.economics.growth import USAGE_PREFIX, GrowthFit, NoFit

ELASTICITY = "cost_elasticity_customers"
MARGINAL = "cost_marginal_per_customer"
PROJECTED = "cost_projected_2x"
GROWTH_METRICS = (ELASTICITY, MARGINAL, PROJECTED)
NO_CUSTOMERS = "no customers live at the month's end"
NO_PROJECTION = "a driver of the model is 0 this month: no projection"


def drivers_frame(
    *,
    monthly_cost: pd.DataFrame,
    customers: pd.DataFrame,
    releases: pd.DataFrame,
    usage: pd.DataFrame | None,
    months: list[date],
    tz: str,
    covered: datetime | None,
    now: datetime,
) -> pd.DataFrame:
    """The drivers frame of apps.economics.growth for `months`, from one scope's inputs (the
    caller filters them by team; usage is the org's only). A month is complete when it has
    ended at `now` and the cost data covers it to its end (`covered`)."""
    ends = [local_midnight(next_period_start(m, "month"), tz) for m in months]
    cost = monthly_cost.groupby("period_start")["cost"].sum()
    live = np.sort(customers["live_at"].dropna().to_numpy())
    bounds = pd.DatetimeIndex(ends, tz=tz).tz_convert("UTC").to_numpy()
    released = periods_of(releases["released_at"], "month", tz).value_counts()
    frame = pd.DataFrame(
        {
            "period_start": months,
            "complete": [e <= now and covered is not None and e <= covered for e in ends],
            "cost": cost.reindex(months, fill_value=0.0).to_numpy(float),
            "customers": np.searchsorted(live, bounds, side="left").astype(float),
            "releases": released.reindex(months, fill_value=0).to_numpy(float),
        }
    )
    if usage is not None and len(usage):
        wide = usage.pivot_table(index="period_start", columns="name", values="value")
        for name in wide.columns:
            frame[f"{USAGE_PREFIX}{name}"] = wide[name].reindex(months).to_numpy(float)
    return frame


def growth_rows(
    fits: dict[date, GrowthFit | NoFit], drivers: pd.DataFrame, *, scope: str, key: str
) -> pd.DataFrame:
    """Registry rows of the three growth metrics for one scope: the elasticity, the marginal
    cost per customer (elasticity × cost / customers of the month) and the projected monthly
    cost at twice the customers. sample_size = months fitted; a month without a fit is null
    with the reason as its note."""
    customers = dict(zip(drivers["period_start"], drivers["customers"], strict=True))
    rows = []
    for month, fit in fits.items():
        if isinstance(fit, NoFit):
            rows += [(m, month, math.nan, fit.n, fit.reason) for m in GROWTH_METRICS]
            continue
        note = fit.note()
        rows.append((ELASTICITY, month, fit.elasticity, fit.n, note))
        marginal = fit.marginal_per_customer if customers.get(month, 0) > 0 else math.nan
        rows.append(
            (MARGINAL, month, marginal, fit.n, NO_CUSTOMERS if math.isnan(marginal) else note)
        )
        rows.append((PROJECTED, month, *_projected(fit, note)))
    frame = pd.DataFrame(rows, columns=["metric", "period_start", "value", "sample_size", "note"])
    return frame.assign(scope=scope, scope_key=key, granularity="month")


def _projected(fit: GrowthFit, note: str) -> tuple[float, int, str]:
    doubled = fit.projection(2.0)
    if doubled is None or math.isnan(doubled.cost):
        return math.nan, fit.n, NO_PROJECTION
    interval = f"90% interval {doubled.low:,.0f} to {doubled.high:,.0f}"
    return doubled.cost, fit.n, f"{interval}; {note}"
