"""The records behind each unit economics number (GET /api/v1/metrics/{metric}/records/): for
the cost growth metrics the fit (coefficients and 90 % intervals, R², projections) and the
months it fitted; for cost_of_poor_quality its three parts; for the Kaplan–Meier median the
customers of the estimate, live or censored."""

import math
from datetime import date

import pandas as pd
from django.utils import timezone

from apps.core.periods import local_midnight, next_period_start
from apps.economics import inputs
from apps.economics.drivers import GROWTH_METRICS
from apps.economics.growth import (
    USAGE_PREFIX,
    GrowthFit,
    NoFit,
    growth_fit,
    usable_months,
    usage_columns,
)
from apps.economics.quality_cost import PARTS, parts_frame
from apps.economics.survival import DAY_SECONDS
from apps.metrics.registry import ComputeContext, RecordsQuery

PART_HOW = {
    "bug_work": "bug_fix_share × costs.engineering of the team (the org: sum over its teams)",
    "downtime": "downtime_minutes × revenue of the month / minutes of the month",
    "cloud_during_outages": "cost lines of the affected services' accounts during outages",
}


def _number(value: float) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def growth_model(
    *, scope: str, scope_key: str, month: date, tz: str
) -> tuple[GrowthFit | NoFit, pd.DataFrame]:
    """The fit of one scope and month, and the scope's drivers frame (for the page and API)."""
    now = timezone.now()
    ctx = ComputeContext(tz=tz, now=now, since=month)
    data = inputs.growth_inputs(ctx)
    first = inputs.months_before(month, 24)
    months = [m for m in pd.period_range(first, month, freq="M").start_time.date]
    drivers = data.drivers(scope=scope, key=scope_key, months=months, now=now)
    return growth_fit(drivers, month), drivers


def fit_records(fit: GrowthFit | NoFit, drivers: pd.DataFrame) -> list[dict]:
    """The fit (kind "fit") then each month fitted (kind "month") with its drivers, the cost
    the fit gives and the residual (log scale)."""
    if isinstance(fit, NoFit):
        return [{"kind": "no_fit", "month": fit.month, "reason": fit.reason, "months": fit.n}]
    points = usable_months(drivers, fit.month)
    head = {
        "kind": "fit",
        "month": fit.month,
        "months_fitted": fit.n,
        "r_squared": fit.r_squared,
        "drivers": list(fit.drivers),
        "left_out": fit.left_out,
        "coefficients": {
            name: {"estimate": value, "low_90": fit.low[name], "high_90": fit.high[name]}
            for name, value in fit.coefficients.items()
        },
        "projections": [
            {
                "customers_x": p.factor,
                "cost": _number(p.cost),
                "low_90": _number(p.low),
                "high_90": _number(p.high),
            }
            for p in fit.projections
        ],
    }
    rows = [head]
    usage = usage_columns(points)
    for row, fitted in zip(points.to_dict("records"), fit.fitted, strict=True):
        rows.append(
            {
                "kind": "month",
                "month": row["period_start"],
                "cost": row["cost"],
                "customers": row["customers"],
                "releases": row["releases"],
                **{c.removeprefix(USAGE_PREFIX): _number(row[c]) for c in usage},
                "fitted_cost": fitted,
                "residual": math.log(row["cost"] / fitted),
            }
        )
    return rows


def _quality_records(query: RecordsQuery) -> list[dict]:
    ctx = ComputeContext(tz=query.tz, now=timezone.now(), since=query.period_start)
    parts = parts_frame(inputs.quality_inputs(ctx))
    mine = parts[
        (parts["scope"] == query.scope)
        & (parts["scope_key"] == query.scope_key)
        & (parts["period_start"] == query.period_start)
    ]
    if mine.empty:
        return []
    row = mine.iloc[0]
    inputs_of = {
        "bug_work": {
            "bug_fix_share": row["bug_fix_share"],
            "engineering_cost": row["engineering_cost"],
        },
        "downtime": {
            "downtime_minutes": row["downtime_minutes"],
            "revenue": row["revenue"],
            "month_minutes": row["month_minutes"],
        },
        "cloud_during_outages": {},
    }
    return [
        {
            "kind": "part",
            "part": part,
            "value": _number(float(row[part])),
            "how": PART_HOW[part],
            "inputs": {k: _number(float(v)) for k, v in inputs_of[part].items()},
            "note": row["notes"].get(part, ""),
        }
        for part in PARTS
    ]


def _survival_records(query: RecordsQuery) -> list[dict]:
    customers = inputs.customers(query.tz)
    if query.scope == "team":
        customers = customers[customers["team"] == query.scope_key]
    end = min(
        local_midnight(next_period_start(query.period_start, "month"), query.tz), timezone.now()
    )
    at = pd.Timestamp(end)
    started = customers[customers["start"] < at]
    out = []
    for c in started.itertuples():
        live = pd.notna(c.live_at) and c.live_at < at
        until = c.live_at if live else at
        out.append(
            {
                "kind": "customer",
                "key": c.key,
                "team": c.team,
                "onboarding_start": c.start.isoformat(),
                "live_at": c.live_at.isoformat() if live else None,
                "days": (until - c.start).total_seconds() / DAY_SECONDS,
                "status": "live" if live else "censored (still onboarding)",
            }
        )
    return out


def economics_records(query: RecordsQuery) -> list[dict]:
    """Records of one number of the family (see the module docstring)."""
    if query.metric in GROWTH_METRICS:
        fit, drivers = growth_model(
            scope=query.scope, scope_key=query.scope_key, month=query.period_start, tz=query.tz
        )
        return fit_records(fit, drivers)
    if query.metric == "cost_of_poor_quality":
        return _quality_records(query)
    return _survival_records(query)
