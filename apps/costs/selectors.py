"""Read side of costs: imports, cost line groups for the metrics, the lines behind a number,
and the denominators of the unit costs (releases, customers live, revenue), as DataFrames for
the pure computations of apps.costs.computations."""

import importlib
from datetime import datetime

import pandas as pd
from django.db.models import F, Q, QuerySet, Sum
from django.db.models.functions import Abs

from apps.core.frames import run_cached
from apps.costs.models import CostGroup, CostImport, CostLine
from apps.organization.models import RevenueMonth

GROUP_COLUMNS = ["start", "end", "team", "service_category", "cost", "lines"]
CUSTOMERS_UNAVAILABLE = "customer go-live not available"
RECORDS_LIMIT = 1_000


def cost_imports_list() -> QuerySet[CostImport]:
    """Every import, newest first, with its export."""
    return CostImport.objects.select_related("export").order_by("-id")


def cost_lines_current() -> QuerySet[CostLine]:
    """Lines of successful imports (failed ones have none; replaced ones lost theirs)."""
    return CostLine.objects.filter(cost_import__status=CostImport.Status.SUCCEEDED)


@run_cached
def cost_groups_frame(*, ends_since: datetime | None = None) -> pd.DataFrame:
    """Cost lines summed by charge period, team and service category (from the CostGroup
    rollup written at import, so this reads thousands of rows, not millions).

    Columns: start, end (datetime64[ns, UTC], the charge period [start, end)), team (slug, ""
    = unallocated), service_category (FOCUS), cost (float, billing currency, effective cost),
    lines (int); only charge periods ending at or after `ends_since` when given. Grouping first
    keeps the frame small (hours × teams × categories) however
    many lines were imported. Read once per recompute (apps.core.frames.compute_cache: the
    cost and unit economics families share it); do not modify the frame.
    """
    groups = CostGroup.objects.filter(cost_import__status=CostImport.Status.SUCCEEDED)
    if ends_since is not None:  # a charge period ending before it cannot reach a later period
        groups = groups.filter(charge_period_end__gte=ends_since)
    rows = (
        groups.values("charge_period_start", "charge_period_end", "team__slug", "service_category")
        .annotate(cost=Sum("cost"), lines=Sum("lines"))
        .order_by()
        .values_list(
            "charge_period_start",
            "charge_period_end",
            "team__slug",
            "service_category",
            "cost",
            "lines",
        )
    )
    frame = pd.DataFrame(list(rows), columns=GROUP_COLUMNS)
    frame["team"] = frame["team"].fillna("").astype(str)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    frame["end"] = pd.to_datetime(frame["end"], utc=True)
    return frame.astype({"cost": "float64", "lines": "int64"})


def cost_lines_between(
    *, start_at: datetime, end_at: datetime, team: str | None, categories: Q | None
) -> list[CostLine]:
    """Lines whose charge period overlaps `[start_at, end_at)` (of `team` when given; `""` for
    unallocated), largest |cost| first, at most RECORDS_LIMIT."""
    # a zero-length line (start == end) belongs to the period of its start
    overlaps = Q(charge_period_end__gt=start_at) | Q(
        charge_period_end=F("charge_period_start"), charge_period_start__gte=start_at
    )
    lines = cost_lines_current().filter(overlaps, charge_period_start__lt=end_at)
    if team is not None:
        lines = lines.filter(team__slug=team) if team else lines.filter(team__isnull=True)
    if categories is not None:
        lines = lines.filter(categories)
    ordered = lines.select_related("team", "cost_import").order_by(Abs("cost").desc(), "id")
    return list(ordered[:RECORDS_LIMIT])


def revenue_by_month() -> dict:
    """RevenueMonth amounts as {first day of month (date): float}."""
    return {r.month: float(r.amount) for r in RevenueMonth.objects.all()}


def customers_live_frame() -> pd.DataFrame | None:
    """Customer go-live instants from apps.delivery.customers (built by the customers work).

    Expects `apps.delivery.customers.customers_go_live_frame()` returning columns key (str) and
    live_at (datetime64[ns, UTC], NaT while onboarding). None when that is not available yet.
    """
    try:
        module = importlib.import_module("apps.delivery.customers")
        frame = module.customers_go_live_frame()
    except (ImportError, AttributeError):
        return None
    return frame[["key", "live_at"]]
