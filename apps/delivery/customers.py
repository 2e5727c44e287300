"""Time to a new customer (docs/metrics.md#time-to-a-new-customer): go-live selectors, the pure
computation and the `customers` metric family (`time_to_new_customer_days`,
`customers_onboarding`).

A customer goes live at the earliest instant at or after its onboarding start of: the first
success of a GitHub deployment (of a configured, enabled repo) whose environment matches its
`environment` regex, and the resolution of its `jira_issue` (of a configured, enabled project).
Periods: live by a period's end means go-live < period_end (docs/metrics.md).
"""

import re
from collections.abc import Callable, Mapping
from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import (
    GRANULARITIES,
    Granularity,
    local_midnight,
    period_bounds,
    period_of,
)
from apps.delivery.models import Deployment
from apps.metrics.frames import scope_periods
from apps.metrics.registry import (
    FRAME_COLUMNS,
    ComputeContext,
    MetricDefinition,
    MetricFamily,
    RecordsQuery,
    WindowQuery,
    WindowValue,
    WindowValues,
    frame_empty,
    register_family,
)
from apps.organization.models import Customer
from apps.organization.selectors import organization_get, repos_counted

NONE_LIVE = "no customer went live in period"

# Delivery does not sync Jira: the app that does (quality) registers, from its
# AppConfig.ready(), how to find when an issue of a counted project was resolved, so delivery
# never imports it. A lookup takes an issue key and returns an aware instant or None.
IssueResolvedLookup = Callable[[str], datetime | None]
_RESOLVED_LOOKUPS: dict[str, IssueResolvedLookup] = {}


def issue_resolved_register(*, name: str, lookup: IssueResolvedLookup) -> None:
    """Add (or replace) the issue-resolution lookup called `name`."""
    _RESOLVED_LOOKUPS[name] = lookup


def deployment_go_live(*, environment: str, after: datetime | None = None) -> datetime | None:
    """Earliest `first_success_at` at or after `after` (the onboarding start: an earlier
    deployment cannot be this onboarding's go-live) of a deployment of a counted repo
    (configured and enabled) whose environment matches the regex (re.search); None when none
    matched or no regex."""
    if not environment:
        return None
    pattern = re.compile(environment)
    deployments = Deployment.objects.filter(
        repo__in=repos_counted(), first_success_at__isnull=False
    )
    if after is not None:
        deployments = deployments.filter(first_success_at__gte=after)
    rows = deployments.values_list("environment", "first_success_at")
    times = [at for env, at in rows if at is not None and pattern.search(env)]
    return min(times, default=None)


def jira_go_live(*, issue_key: str) -> datetime | None:
    """When the Jira issue `issue_key` was resolved, by the registered lookups (quality's:
    an issue of a counted project, resolved at its resolutiondate or when it entered a done
    status without one); None when there is no key, no lookup knows it, or it is unresolved."""
    return _issue_resolved(issue_key)[0]


def _issue_resolved(issue_key: str) -> tuple[datetime | None, str]:
    """(earliest resolution of `issue_key` by the registered lookups, the lookup's name)."""
    if not issue_key:
        return None, ""
    found = [(at, name) for name, lookup in _RESOLVED_LOOKUPS.items() if (at := lookup(issue_key))]
    return min(found, default=(None, ""))


def _go_live(customer: Customer, start: datetime) -> tuple[datetime | None, str, str]:
    """(go-live, via, note): the earliest of the deployment and Jira instants at or after
    `start` (docs/metrics.md#time-to-a-new-customer). A Jira issue resolved before `start` is
    not a go-live (an issue of an earlier trial, or reused): the note says so."""
    # `via` is the name the lookup was registered with: "jira" (apps.quality.apps).
    resolved, resolved_via = _issue_resolved(customer.jira_issue)
    note = ""
    if resolved is not None and resolved < start:
        note = (
            f"{customer.jira_issue} was resolved on {resolved:%Y-%m-%d}, before "
            "onboarding_start: not a go-live"
        )
        resolved = None
    options = [
        (at, via)
        for at, via in (
            (deployment_go_live(environment=customer.environment, after=start), "deployment"),
            (resolved, resolved_via),
        )
        if at is not None
    ]
    live, via = min(options, default=(None, ""))
    return live, via, note


def customers_frame(*, tz: str) -> pd.DataFrame:
    """Configured customers: key, team ("" none), start (aware local midnight of
    onboarding_start), live_at (aware UTC go-live, NaT when not live), via ("deployment",
    "jira" or ""), note (why a Jira resolution did not count, else "")."""
    rows = []
    for c in Customer.objects.select_related("team").order_by("key"):
        start = local_midnight(c.onboarding_start, tz)
        live, via, note = _go_live(c, start)
        rows.append((c.key, c.team.slug if c.team else "", start, live, via, note))
    frame = pd.DataFrame(rows, columns=["key", "team", "start", "live_at", "via", "note"])
    for column in ("start", "live_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def customers_go_live_frame() -> pd.DataFrame:
    """Each configured customer's go-live: columns key (str) and live_at (datetime64[ns, UTC],
    NaT while onboarding). Used by cost_per_customer (apps.costs)."""
    return customers_frame(tz=organization_get().timezone)[["key", "live_at"]]


def customer_rows(
    customers: pd.DataFrame,
    *,
    scope: str,
    key: str,
    tz: str,
    starts: Mapping[Granularity, list[date]],
) -> pd.DataFrame:
    """Rows of time_to_new_customer_days (median days of customers live in the period, null
    with a note when none) and customers_onboarding (started < end, not live by end) for one
    org/team scope, over `starts` ({granularity: the scope's period starts})."""
    days = (customers["live_at"] - customers["start"]).dt.total_seconds() / 86400.0
    rows = []
    for g, periods in starts.items():
        for start in periods:
            lo, hi = (pd.Timestamp(t) for t in period_bounds(start, g, tz))
            for metric, found in _between(customers, days, lo, hi).items():
                value = np.nan if found.value is None else found.value
                rows.append((metric, scope, key, g, start, value, found.sample_size, found.note))
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def _between(
    customers: pd.DataFrame, days: pd.Series, lo: pd.Timestamp, hi: pd.Timestamp
) -> dict[str, WindowValue]:
    """Both metrics over `[lo, hi)`: the median days of customers live in it, and customers
    started before its end and not live by then."""
    live = customers["live_at"].notna()
    went = live & (customers["live_at"] >= lo) & (customers["live_at"] < hi)
    onboarding = int(((customers["start"] < hi) & ~(live & (customers["live_at"] < hi))).sum())
    n = int(went.sum())
    return {
        "time_to_new_customer_days": WindowValue(float(np.median(days[went])), n)
        if n
        else WindowValue(None, 0, NONE_LIVE),
        "customers_onboarding": WindowValue(float(onboarding), onboarding),
    }


def customers_window(query: WindowQuery) -> WindowValues:
    """Both metrics over each window, for the org or a team."""
    customers = customers_frame(tz=query.tz)
    if query.scope == "team":
        customers = customers[customers["team"] == query.scope_key]
    days = (customers["live_at"] - customers["start"]).dt.total_seconds() / 86400.0
    return [
        _between(customers, days, pd.Timestamp(start), pd.Timestamp(end))
        for start, end in query.windows
    ]


def own_days_rows(customers: pd.DataFrame, *, tz: str) -> pd.DataFrame:
    """Customer scope: each live customer's own days, in the period it went live."""
    rows = []
    for c in customers[customers["live_at"].notna()].itertuples():
        days = (c.live_at - c.start).total_seconds() / 86400.0
        for g in GRANULARITIES:
            rows.append(
                (
                    "time_to_new_customer_days",
                    "customer",
                    c.key,
                    g,
                    period_of(c.live_at.to_pydatetime(), g, tz),
                    days,
                    1,
                    "",
                )
            )
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def customers_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Registry rows of the family for org, each team with customers, and each customer."""
    customers = customers_frame(tz=ctx.tz)
    scopes = {("org", ""): customers} | {
        ("team", str(team)): members
        for team, members in customers[customers["team"] != ""].groupby("team")
    }
    # Each scope's series runs from its first onboarding_start through the current period.
    firsts = {k: c["start"].min().tz_convert(ctx.tz).date() for k, c in scopes.items() if len(c)}
    grids = {
        g: scope_periods(g, firsts=firsts, now=ctx.now, tz=ctx.tz, since=ctx.since)
        for g in GRANULARITIES
    }
    parts = [
        customer_rows(
            members,
            scope=scope,
            key=key,
            tz=ctx.tz,
            starts={g: grid[(scope, key)] for g, grid in grids.items() if (scope, key) in grid},
        )
        for (scope, key), members in scopes.items()
    ]
    parts.append(own_days_rows(customers, tz=ctx.tz))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else frame_empty()


def customers_records(query: RecordsQuery) -> list[dict]:
    """The customers behind a number: those live in the period, or onboarding at its end."""
    frame = customers_frame(tz=query.tz)
    if query.scope == "team":
        frame = frame[frame["team"] == query.scope_key]
    elif query.scope == "customer":
        frame = frame[frame["key"] == query.scope_key]
    lo, hi = pd.Timestamp(query.start_at), pd.Timestamp(query.end_at)
    live = frame["live_at"].notna()
    if query.metric == "customers_onboarding":
        frame = frame[(frame["start"] < hi) & ~(live & (frame["live_at"] < hi))]
    else:
        frame = frame[live & (frame["live_at"] >= lo) & (frame["live_at"] < hi)]
    return [
        {
            "kind": "customer",
            "key": c.key,
            "team": c.team,
            "onboarding_start": c.start.isoformat(),
            "live_at": None if pd.isna(c.live_at) else c.live_at.isoformat(),
            "via": c.via,
            "note": c.note,
        }
        for c in frame.itertuples()
    ]


TIME_TO_NEW_CUSTOMER = MetricDefinition(
    "time_to_new_customer_days",
    "days",
    "Median of go-live − onboarding_start over customers "
    "that went live in the period (customer scope: its own days).",
    ("org", "team", "customer"),
    "median",
    "time_to_new_customer_days",
    label="Time to a new customer",
    better="down",
)
CUSTOMERS_ONBOARDING = MetricDefinition(
    "customers_onboarding",
    "customers",
    "Customers started but not live at the period's end.",
    ("org", "team"),
    "count",
    "customers_onboarding",
    label="Customers onboarding",
    better="none",
    anomaly_model="poisson",  # customers present at the period's end, not events in it
)


def register() -> None:
    """Called from DeliveryConfig.ready()."""
    register_family(
        MetricFamily(
            name="customers",
            metrics=(TIME_TO_NEW_CUSTOMER, CUSTOMERS_ONBOARDING),
            compute=customers_compute,
            records=customers_records,
            window=customers_window,
        )
    )
