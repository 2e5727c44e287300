"""The unit economics metric family (docs/metrics.md#unit-economics), monthly: the cost growth
model (`cost_elasticity_customers`, `cost_marginal_per_customer`, `cost_projected_2x`; org and
teams with allocated cost), `cost_of_poor_quality` (org, teams) and
`time_to_new_customer_km_days` (org, teams with customers).

Registered after the quality and reliability families (INSTALLED_APPS order), whose stored
`bug_fix_share` and `downtime_minutes` rows the cost of poor quality reads.
"""

import pandas as pd

from apps.core.periods import period_of
from apps.economics import inputs
from apps.economics.drivers import ELASTICITY, growth_rows
from apps.economics.growth import growth_fits
from apps.economics.quality_cost import parts_frame, quality_cost_rows
from apps.economics.survival import METRIC as KM_METRIC
from apps.economics.survival import km_rows
from apps.metrics.frames import period_starts
from apps.metrics.registry import (
    CURRENCY_UNIT,
    FRAME_COLUMNS,
    ComputeContext,
    MetricDefinition,
    MetricFamily,
    frame_empty,
    register_family,
)

METRICS = (
    MetricDefinition(
        name=ELASTICITY,
        unit="elasticity",  # % change in cost per % change in customers: a bare number
        kind="score",
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
        when_empty="null",  # a model's projection: without a fit there is none
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


def growth_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Rows of the three growth metrics, org and every team with allocated cost, from the first
    month with cost through the last the cost data reaches (like `cost`: an export's lag is
    not a month without cost): one fit per scope and month (of the months a since-recompute
    replaces)."""
    data = inputs.growth_inputs(ctx)
    first = ctx.first_period(ELASTICITY, "org", "", "month", data.first_month)
    wanted = period_starts("month", first=first, now=None, tz=ctx.tz, last=data.last_month)
    if not wanted:
        return frame_empty()
    history = period_starts("month", first=data.first_month or first, now=None, last=wanted[-1])
    parts = []
    for scope, key in data.scopes(stored=ctx.stored_keys(ELASTICITY, "team")):
        drivers = data.drivers(scope=scope, key=key, months=history, now=ctx.now)
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
        return frame_empty()
    data_first = period_of(customers["start"].min().to_pydatetime(), "month", ctx.tz)
    teams = (set(customers["team"]) - {""}) | ctx.stored_keys(KM_METRIC, "team")
    parts = []
    for scope, key in [("org", ""), *(("team", t) for t in sorted(teams))]:
        first = ctx.first_period(KM_METRIC, scope, key, "month", data_first)
        mine = customers if scope == "org" else customers[customers["team"] == key]
        months = period_starts("month", first=first, now=ctx.now, tz=ctx.tz)
        parts.append(km_rows(mine, scope=scope, key=key, months=months, tz=ctx.tz, now=ctx.now))
    return _frame(parts)


def _frame(parts: list[pd.DataFrame]) -> pd.DataFrame:
    parts = [p for p in parts if not p.empty]
    if not parts:
        return frame_empty()
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
