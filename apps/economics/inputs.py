"""What each unit economics computation reads, assembled from the selectors for one recompute
(apps.metrics.registry.ComputeContext): the pure computations get frames and mappings only."""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

import pandas as pd

from apps.core.frames import run_cached
from apps.core.periods import local_midnight, next_period_start, period_of
from apps.costs.selectors import revenue_by_month
from apps.delivery.customers import customers_frame
from apps.delivery.selectors import releases_frame
from apps.economics import selectors
from apps.economics.drivers import drivers_frame
from apps.economics.growth import MAX_MONTHS
from apps.economics.quality_cost import Inputs, cloud_costs, union
from apps.metrics.registry import ComputeContext
from apps.organization.models import Team

QUALITY_INPUTS = ("bug_fix_share", "downtime_minutes")


def months_before(month: date, count: int) -> date:
    """The first day of the month `count` months before `month` (a first day)."""
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


@dataclass(frozen=True)
class GrowthInputs:
    """Monthly cost (period_start, team, cost), the instant the cost data covers to, customers,
    releases and usage (frames of apps.economics.drivers)."""

    monthly_cost: pd.DataFrame
    covered: datetime | None
    customers: pd.DataFrame
    releases: pd.DataFrame
    usage: pd.DataFrame
    tz: str

    @property
    def first_month(self) -> date | None:
        return min(self.monthly_cost["period_start"], default=None)

    @property
    def last_month(self) -> date | None:
        """The month of the last instant the cost data covers."""
        if self.covered is None:
            return None
        return period_of(self.covered - timedelta(microseconds=1), "month", self.tz)

    def scopes(self, *, stored: set[str]) -> list[tuple[str, str]]:
        """The org and every team with allocated cost (or rows stored before a since-cutoff)."""
        teams = (set(self.monthly_cost["team"]) - {""}) | stored
        return [("org", ""), *(("team", t) for t in sorted(teams))]

    def drivers(self, *, scope: str, key: str, months: list[date], now: datetime) -> pd.DataFrame:
        """The scope's drivers frame: a team's cost, customers and releases; usage for the org."""
        mine = (lambda f: f) if scope == "org" else (lambda f: f[f["team"] == key])
        return drivers_frame(
            monthly_cost=mine(self.monthly_cost),
            customers=mine(self.customers),
            releases=mine(self.releases),
            usage=self.usage if scope == "org" else None,
            months=months,
            tz=self.tz,
            covered=self.covered,
            now=now,
        )


def growth_inputs(ctx: ComputeContext) -> GrowthInputs:
    """With `ctx.since`, cost is read from MAX_MONTHS months before the first replaced month
    (all a replaced month's fit can reach) when a replaced month is complete; otherwise (the
    usual hourly recompute: only the running month is replaced, and it gets no fit) from the
    first replaced month only."""
    cutoff = ctx.cutoff("month")
    first_read = None
    if cutoff is not None:
        covered_until = selectors.cost_covered_until()
        cutoff_end = local_midnight(next_period_start(cutoff, "month"), ctx.tz)
        fits = covered_until is not None and cutoff_end <= min(covered_until, ctx.now)
        first_read = months_before(cutoff, MAX_MONTHS) if fits else cutoff
    since = None if first_read is None else local_midnight(first_read, ctx.tz)
    monthly, covered = selectors.cost_monthly_frame(tz=ctx.tz, since=since)
    if first_read is not None:
        monthly = monthly[monthly["period_start"] >= first_read]
    return GrowthInputs(
        monthly_cost=monthly,
        covered=None if covered is None else covered.to_pydatetime(),
        customers=customers(ctx.tz),
        releases=releases_frame(),
        usage=selectors.usage_frame(),
        tz=ctx.tz,
    )


@run_cached
def customers(tz: str) -> pd.DataFrame:
    """Configured customers and their go-live (apps.delivery.customers.customers_frame), read
    once per recompute (apps.core.frames.compute_cache). Do not modify the frame."""
    return customers_frame(tz=tz)


def quality_inputs(ctx: ComputeContext) -> Inputs:
    """The months of the org's bug_fix_share or downtime_minutes rows (from the first replaced
    one with `ctx.since`), every configured team, and what each part reads."""
    rows = selectors.metric_values_frame(metrics=list(QUALITY_INPUTS), since=ctx.cutoff("month"))
    months = sorted(set(rows.loc[rows["scope"] == "org", "period_start"]))
    teams = list(Team.objects.order_by("slug").values_list("slug", flat=True))
    values = {
        metric: {
            (s, k, p): v
            for s, k, p, v in rows.loc[
                rows["metric"] == metric, ["scope", "scope_key", "period_start", "value"]
            ].itertuples(index=False)
        }
        for metric in QUALITY_INPUTS
    }
    outages = selectors.outages_frame(now=ctx.now, since=ctx.since_at)
    return Inputs(
        months=months,
        teams=teams,
        shares=values["bug_fix_share"],
        downtime=values["downtime_minutes"],
        revenue=revenue_by_month(),
        engineering=selectors.engineering_costs(),
        cloud=_cloud(outages, teams=teams, months=months, tz=ctx.tz),
        tz=ctx.tz,
        now=ctx.now,
    )


READ_GAP_SECONDS = 86_400.0  # outages less than a day apart are read in one range


def _cloud(outages: pd.DataFrame, *, teams: list[str], months: list[date], tz: str) -> dict:
    """The cloud spend part (quality_cost.cloud_costs) over the lines read around the outages:
    outages less than a day apart share one read range (fewer, wider ranges read faster, and
    cloud_costs keeps only the lines that overlap an outage); only within `months` (which is
    all cloud_costs values: an outage open for years reads no line before the first month a
    since-recompute replaces)."""
    if outages.empty or not months:
        return {}
    epoch = pd.Timestamp(0, tz="UTC")
    first = (pd.Timestamp(local_midnight(min(months), tz)) - epoch).total_seconds()
    after = local_midnight(next_period_start(max(months), "month"), tz)
    last = (pd.Timestamp(after) - epoch).total_seconds()
    starts, ends = union(
        (outages["start"] - epoch).dt.total_seconds().to_numpy().clip(first, last),
        (outages["end"] - epoch).dt.total_seconds().to_numpy().clip(first, last),
    )
    keep = ends > starts
    starts, ends = union(starts[keep], ends[keep] + READ_GAP_SECONDS)
    intervals = [
        (
            (epoch + pd.Timedelta(seconds=a)).to_pydatetime(),
            (epoch + pd.Timedelta(seconds=b - READ_GAP_SECONDS)).to_pydatetime(),
        )
        for a, b in zip(starts, ends, strict=True)
    ]
    return cloud_costs(
        selectors.lines_during_frame(intervals),
        outages,
        tag_keys=selectors.service_tag_keys(),
        scopes=[("org", ""), *(("team", t) for t in teams)],
        months=months,
        tz=tz,
    )
