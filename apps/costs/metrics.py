"""The cost metric family (docs/metrics.md#cost-metrics): cost and its four buckets (team, org),
cost_per_release (team, org), cost_per_customer and cost_to_revenue (org), weekly and monthly
(cost_to_revenue: monthly), and the cost lines behind each number."""

import pandas as pd
from django.db.models import Q

from apps.core.periods import GRANULARITIES, Granularity
from apps.costs import computations as c
from apps.costs import selectors
from apps.costs.window import costs_window
from apps.delivery.selectors import releases_frame, repos_configured
from apps.metrics.registry import (
    CURRENCY_UNIT,
    ComputeContext,
    MetricDefinition,
    MetricFamily,
    RecordsQuery,
    register_family,
)

_SUMS = {  # name: (label, description)
    "cost": (
        "Cost",
        "Effective cost of the cost lines in the period (spanning lines split by time).",
    ),
    "cost_compute": (
        "Compute cost",
        "Cost of lines with FOCUS ServiceCategory Compute (incl. EC2 data transfer).",
    ),
    "cost_storage": ("Storage cost", "Cost of lines with FOCUS ServiceCategory Storage."),
    "cost_network": ("Network cost", "Cost of lines with FOCUS ServiceCategory Networking."),
    "cost_other": ("Other cost", "Cost of lines in every other ServiceCategory."),
}
METRICS = (
    *(
        MetricDefinition(
            name=name,
            unit=CURRENCY_UNIT,
            kind="sum",
            scopes=("org", "team"),
            description=text,
            doc_anchor=name,
            label=label,
            better="down",
        )
        for name, (label, text) in _SUMS.items()
    ),
    MetricDefinition(
        name="cost_per_release",
        unit=CURRENCY_UNIT,
        kind="ratio",
        scopes=("org", "team"),
        description="cost / release_frequency.",
        doc_anchor="cost_per_release",
        label="Cost per release",
        better="down",
    ),
    MetricDefinition(
        name="cost_per_customer",
        unit=CURRENCY_UNIT,
        kind="ratio",
        scopes=("org",),
        description="cost / customers live at the period's end.",
        doc_anchor="cost_per_customer",
        label="Cost per customer",
        better="down",
    ),
    MetricDefinition(
        name="cost_to_revenue",
        unit="ratio",
        kind="ratio",
        scopes=("org",),
        description="cost / revenue of the month (monthly only).",
        doc_anchor="cost_to_revenue",
        label="Cost to revenue",
        better="down",
        anomaly_model="lognormal",  # money over money, not a share of counted items
        smoothing_weight="equal",  # its sample_size is one revenue record
    ),
)
NO_RELEASES = "no releases in period"
NO_CUSTOMERS = "no customers live at period end"
NO_REVENUE = "no revenue recorded for the month"
ZERO_REVENUE = "revenue of the month is zero"


def costs_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Registry-format rows of every cost metric (see apps.metrics.registry). With
    `ctx.since`, only cost groups ending at or after the first replaced period are read.
    cost_per_release has no rows without a repo to release from
    (docs/metrics.md#any-subset-of-sources). Every row of a period the cost lines do not cover
    to its end carries `cost data through YYYY-MM-DD` (docs/metrics.md#cost-coverage)."""
    groups = selectors.cost_groups_frame(ends_since=ctx.since_at)
    releases = releases_frame() if repos_configured() else None
    live, revenue = selectors.customers_live_frame(), selectors.revenue_by_month()
    parts = []
    for granularity in GRANULARITIES:
        rows = _granularity_rows(
            groups, granularity, ctx, releases=releases, live=live, revenue=revenue
        )
        if rows:
            frame = pd.concat(rows, ignore_index=True)
            starts = sorted(set(frame["period_start"]))
            parts.append(c.notes_add(frame, c.coverage_notes(groups, starts, granularity, ctx.tz)))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _granularity_rows(
    groups: pd.DataFrame,
    granularity: Granularity,
    ctx: ComputeContext,
    *,
    releases: pd.DataFrame | None,
    live: pd.DataFrame | None,
    revenue: dict,
) -> list[pd.DataFrame]:
    """The non-empty row frames of every cost metric and scope at `granularity`."""
    split = c.cost_split(groups, granularity, ctx.tz)
    scopes = [("org", "")] + [("team", str(t)) for t in sorted(set(split["team"]) - {""})]
    firsts = {
        (scope, key): ctx.first_period("cost", scope, key, granularity, None)
        for scope, key in scopes
    }
    every = c.cost_series(split, granularity=granularity, firsts=firsts)
    parts = []
    for scope, key in scopes:
        sums = every[(every["scope"] == scope) & (every["scope_key"] == key)]
        if sums.empty:
            continue
        parts.append(sums)
        if releases is not None:
            released = releases if scope == "org" else releases[releases["team"] == key]
            per_release = c.releases_per_period(released["released_at"], granularity, ctx.tz)
            parts.append(
                c.ratio_rows(
                    sums,
                    metric="cost_per_release",
                    denominators=per_release,
                    zero_note=NO_RELEASES,
                    missing_note=NO_RELEASES,
                )
            )
        if scope == "org":
            parts += _org_ratios(sums, live, revenue, granularity, ctx.tz)
    return [p for p in parts if not p.empty]


def _org_ratios(sums, live, revenue, granularity, tz) -> list[pd.DataFrame]:
    starts = sorted(set(sums["period_start"]))
    customers = (
        None if live is None else c.live_customers_at(live["live_at"], starts, granularity, tz)
    )
    out = [
        c.ratio_rows(
            sums,
            metric="cost_per_customer",
            denominators=customers,
            zero_note=NO_CUSTOMERS,
            missing_note=selectors.CUSTOMERS_UNAVAILABLE,
        )
    ]
    if granularity == "month":
        rows = c.ratio_rows(
            sums,
            metric="cost_to_revenue",
            denominators=revenue,
            zero_note=ZERO_REVENUE,
            missing_note=NO_REVENUE,
        )
        missing = [p not in revenue for p in rows["period_start"]]
        rows.loc[missing, "note"] = NO_REVENUE
        rows["sample_size"] = [0 if gone else 1 for gone in missing]  # one revenue record
        out.append(rows)
    return out


def _categories(metric: str) -> Q | None:
    if metric in c.BUCKETS.values():
        return Q(service_category__in=[k for k, v in c.BUCKETS.items() if v == metric])
    if metric == c.OTHER:
        return ~Q(service_category__in=list(c.BUCKETS))
    return None


def costs_records(query: RecordsQuery) -> list[dict]:
    """The cost lines behind a number (for a ratio: those of its numerator, `cost`), largest
    |cost| first (at most selectors.RECORDS_LIMIT), each with the share inside the period."""
    team = query.scope_key if query.scope == "team" else None
    lines = selectors.cost_lines_between(
        start_at=query.start_at,
        end_at=query.end_at,
        team=team,
        categories=_categories(query.metric),
    )
    return [_record(line, query) for line in lines]


def _record(line, query: RecordsQuery) -> dict:
    """A cost line as a FinOps person reads it (docs/metrics.md#records): the day
    its charge starts, service, category, account, team, resource and the amount inside the
    period first; then the line's whole charge and where it came from (import and row, never a
    path on the server)."""
    start, end = line.charge_period_start, line.charge_period_end
    length = (end - start).total_seconds()
    inside = (min(end, query.end_at) - max(start, query.start_at)).total_seconds()
    share = 1.0 if length <= 0 else max(inside, 0) / length
    return {
        "kind": "cost_line",
        "date": start.date().isoformat(),
        "service": line.service_name,
        "category": line.service_category,
        "account": line.sub_account_id,
        "team": line.team.slug if line.team else "",
        "resource": line.resource_id,
        "amount": line.cost * share,
        "currency": line.currency,
        "charge_category": line.charge_category,
        "charge_period_start": start.isoformat(),
        "charge_period_end": end.isoformat(),
        "line_cost": line.cost,
        "billed_cost": line.billed_cost,
        "effective_cost": line.effective_cost,
        "share_in_period": share,
        "import": line.cost_import_id,
        "source_row": line.source_row,
    }


def register() -> None:
    """Called from CostsConfig.ready()."""
    register_family(
        MetricFamily(
            name="costs",
            metrics=METRICS,
            compute=costs_compute,
            records=costs_records,
            window=costs_window,
        )
    )
