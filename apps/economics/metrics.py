"""The unit economics metric family (docs/metrics.md#unit-economics), monthly: the cost growth
model (`cost_elasticity_customers`, `cost_marginal_per_customer`, `cost_projected_2x`; org and
teams with allocated cost), `cost_of_poor_quality` (org, teams) and
`time_to_new_customer_km_days` (org, teams with customers).

Registered after the quality and reliability families (INSTALLED_APPS order), whose stored
`bug_fix_share` and `downtime_minutes` rows the cost of poor quality reads.
"""

from datetime import date

import pandas as pd

from apps.core.periods import iter_periods, period_of
from apps.economics import inputs
from apps.economics.drivers import ELASTICITY, growth_rows
from apps.economics.growth import growth_fits
from apps.economics.quality_cost import parts_frame, quality_cost_rows
from apps.economics.survival import METRIC as KM_METRIC
from apps.economics.survival import km_rows
from apps.metrics.registry import (
    CURRENCY_UNIT,
    FRAME_COLUMNS,
    ComputeContext,
    MetricDefinition,
    MetricFamily,
    register_family,
)

METRICS = (
    MetricDefinition(
        name=ELASTICITY,
        unit="ratio",
        kind="ratio",
        scopes=("org", "team"),
        description="How monthly cost grows with customers: the % change in cost for 1 % more "
        "customers live, from a log-log regression on the customers, releases and usage of "
        "up to 24 complete months (null below 8).",
        doc_anchor=ELASTICITY,
        label="Cost elasticity to customers",
        better="down",
    ),
    MetricDefinition(
        name="cost_marginal_per_customer",
        unit=CURRENCY_UNIT,
        kind="ratio",
        scopes=("org", "team"),
        description="What one more customer adds to monthly cost: elasticity × cost / "
        "customers live.",
        doc_anchor="cost_marginal_per_customer",
        label="Marginal cost per customer",
        better="down",
    ),
    MetricDefinition(
        name="cost_projected_2x",
        unit=CURRENCY_UNIT,
        kind="sum",
        scopes=("org", "team"),
        description="The monthly cost the cost growth model predicts with twice the customers "
        "and the other drivers as they were this month.",
        doc_anchor="cost_projected_2x",
        label="Projected cost at 2× customers",
        better="down",
    ),
    MetricDefinition(
        name="cost_of_poor_quality",
        unit=CURRENCY_UNIT,
        kind="sum",
        scopes=("org", "team"),
        description="Bug work (bug-fix share × engineering cost) + downtime valued at revenue "
        "per minute + cloud spend of the affected accounts during outages.",
        doc_anchor="cost_of_poor_quality",
        label="Cost of poor quality",
        short_label="CoPQ",
        better="down",
    ),
    MetricDefinition(
        name=KM_METRIC,
        unit="days",
        kind="median",
        scopes=("org", "team"),
        description="Kaplan–Meier median of onboarding start → go-live over every customer "
        "started, those still onboarding censored at the month's end (null until half are "
        "live).",
        doc_anchor=KM_METRIC,
        label="Time to a new customer (Kaplan–Meier)",
        better="down",
    ),
)


def _months(first: date | None, ctx: ComputeContext) -> list[date]:
    """Every month from `first` to the current one (none without `first`)."""
    if first is None:
        return []
    return list(iter_periods(first, period_of(ctx.now, "month", ctx.tz), "month"))


def _replaced(months: list[date], ctx: ComputeContext) -> list[date]:
    cutoff = ctx.cutoff("month")
    return [m for m in months if cutoff is None or m >= cutoff]


def growth_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Rows of the three growth metrics, org and every team with allocated cost: one fit per
    scope and month (of the months a since-recompute replaces)."""
    data = inputs.growth_inputs(ctx)
    first = ctx.first_period(ELASTICITY, "org", "", "month", data.first_month)
    wanted = _replaced(_months(first, ctx), ctx)
    if not wanted:
        return pd.DataFrame(columns=list(FRAME_COLUMNS))
    span = _months(min(filter(None, (data.first_month, first)), default=None), ctx)
    parts = []
    for scope, key in data.scopes(stored=ctx.stored_keys(ELASTICITY, "team")):
        drivers = data.drivers(scope=scope, key=key, months=span, now=ctx.now)
        parts.append(growth_rows(growth_fits(drivers, wanted), drivers, scope=scope, key=key))
    return _frame(parts)


def quality_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Rows of cost_of_poor_quality for the org and every configured team."""
    return quality_cost_rows(parts_frame(inputs.quality_inputs(ctx)))


def survival_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Rows of time_to_new_customer_km_days for the org and every team with customers, from
    the month of the first onboarding start."""
    customers = inputs.customers(ctx.tz)
    if customers.empty:
        return pd.DataFrame(columns=list(FRAME_COLUMNS))
    data_first = period_of(customers["start"].min().to_pydatetime(), "month", ctx.tz)
    teams = (set(customers["team"]) - {""}) | ctx.stored_keys(KM_METRIC, "team")
    parts = []
    for scope, key in [("org", ""), *(("team", t) for t in sorted(teams))]:
        first = ctx.first_period(KM_METRIC, scope, key, "month", data_first)
        mine = customers if scope == "org" else customers[customers["team"] == key]
        months = _replaced(_months(first, ctx), ctx)
        parts.append(km_rows(mine, scope=scope, key=key, months=months, tz=ctx.tz, now=ctx.now))
    return _frame(parts)


def _frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        return pd.DataFrame(columns=list(FRAME_COLUMNS))
    return pd.concat(parts, ignore_index=True)[list(FRAME_COLUMNS)]


def economics_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Registry-format rows of every metric of the family (apps.metrics.registry)."""
    return _frame([growth_compute(ctx), quality_compute(ctx), survival_compute(ctx)])


def register() -> None:
    """Called from EconomicsConfig.ready()."""
    from apps.economics.records import economics_records

    register_family(
        MetricFamily(
            name="economics", metrics=METRICS, compute=economics_compute, records=economics_records
        )
    )
