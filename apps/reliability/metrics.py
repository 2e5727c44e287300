"""The reliability metric family (docs/metrics.md#uptime-and-incidents): uptime, downtime_minutes,
incidents, mttr_hours and error_budget_remaining per service, team and org, weekly and monthly, and
the incidents behind each number."""

import pandas as pd

from apps.metrics.registry import (
    ComputeContext,
    MetricDefinition,
    MetricFamily,
    RecordsQuery,
    WindowQuery,
    WindowValue,
    WindowValues,
    register_family,
)
from apps.organization.selectors import org_settings
from apps.reliability.computations import reliability_rows, window_rows
from apps.reliability.selectors import incidents_frame, service_names, services_frame

ALL = ("service", "team", "org")
METRICS = (
    MetricDefinition(
        name="uptime",
        unit="ratio",
        description="1 − downtime / period length (to date in the current period); team and "
        "org: mean over their services.",
        scopes=ALL,
        kind="ratio",
        doc_anchor="uptime",
        label="Uptime",
        better="up",
        anomaly_model="binomial_minutes",
        smoothing_weight="period_length",
    ),
    MetricDefinition(
        name="downtime_minutes",
        unit="minutes",
        description="Union of outage intervals (incidents of an outage urgency) clipped to the "
        "period; team and org: sum.",
        scopes=ALL,
        kind="sum",
        doc_anchor="downtime_minutes",
        label="Downtime",
        better="down",
    ),
    MetricDefinition(
        name="incidents",
        unit="incidents",
        description="Incidents created in the period, any urgency.",
        scopes=ALL,
        kind="count",
        doc_anchor="incidents",
        label="Incidents",
        better="down",
    ),
    MetricDefinition(
        name="mttr_hours",
        unit="hours",
        description="Median of resolved − created over incidents resolved in the period (team "
        "and org: pooled).",
        scopes=ALL,
        kind="median",
        doc_anchor="mttr_hours",
        label="Mean time to restore",
        short_label="MTTR",
        better="down",
    ),
    MetricDefinition(
        name="error_budget_remaining",
        unit="ratio",
        description="1 − downtime / (period length × (1 − slo)), for services with an slo; may "
        "go negative.",
        scopes=("service",),
        kind="ratio",
        doc_anchor="error_budget_remaining",
        label="Error budget remaining",
        better="up",
        # For a fixed slo it is a linear function of downtime, so it is judged as uptime is.
        anomaly_model="as_uptime",
        smoothing_weight="period_length",
    ),
)


def reliability_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Registry-format rows of the family (see apps.metrics.registry). With `ctx.since`, only
    incidents created, open or resolved since the first replaced period are read, and only the
    replaced periods are computed."""
    urgencies = list(org_settings().incidents.outage_urgencies)
    first = None
    if ctx.since is not None:  # only incidents that can change a replaced period are read
        stored = [ctx.first_stored.get(("incidents", "org", "", g)) for g in ("week", "month")]
        first = min([d for d in stored if d is not None], default=None)
    return reliability_rows(
        incidents_frame(open_since=ctx.since_at),
        services_frame(),
        tz=ctx.tz,
        now=ctx.now,
        outage_urgencies=urgencies,
        first=first,
        cutoff=ctx.since,
    )


def reliability_records(query: RecordsQuery) -> list[dict]:
    """Incidents behind a number: created in the period (incidents), resolved in it
    (mttr_hours), or overlapping it (uptime, downtime, error budget)."""
    frame = incidents_frame()
    if query.scope == "service":
        frame = frame[frame["service_key"] == query.scope_key]
    elif query.scope == "team":
        frame = frame[frame["team"] == query.scope_key]
    start, end = pd.Timestamp(query.start_at), pd.Timestamp(query.end_at)
    if query.metric == "incidents":
        frame = frame[(frame["created_at"] >= start) & (frame["created_at"] < end)]
    elif query.metric == "mttr_hours":
        frame = frame[(frame["resolved_at"] >= start) & (frame["resolved_at"] < end)]
    else:
        urgencies = list(org_settings().incidents.outage_urgencies)
        still = frame["resolved_at"].isna() | (frame["resolved_at"] > start)
        frame = frame[frame["urgency"].isin(urgencies) & (frame["created_at"] < end) & still]
    names = service_names()
    return [
        {
            "kind": "incident",
            "id": r.pd_id,
            "title": r.title,
            "service": r.service_key,
            "service_name": names.get(r.service_key, r.service_key),
            "urgency": r.urgency,
            "status": r.status,
            "created_at": r.created_at.isoformat(),
            "resolved_at": None if pd.isna(r.resolved_at) else r.resolved_at.isoformat(),
            "url": r.html_url,
        }
        for r in frame.itertuples()
    ]


def reliability_window(query: WindowQuery) -> WindowValues:
    """The family's metrics over each window for one service, a team's services or all."""
    services = services_frame()
    if query.scope == "service":
        services = services[services["service_key"] == query.scope_key]
    elif query.scope == "team":
        services = services[services["team"] == query.scope_key]
    per_window = window_rows(
        incidents_frame(open_since=query.first_start),
        services,
        scope=query.scope,
        key=query.scope_key,
        windows=query.windows,
        now=query.now,
        outage_urgencies=list(org_settings().incidents.outage_urgencies),
    )
    return [
        {r[0]: WindowValue(None if pd.isna(r[5]) else float(r[5]), int(r[6]), r[7]) for r in rows}
        for rows in per_window
    ]


def register() -> None:
    """Called from ReliabilityConfig.ready()."""
    register_family(
        MetricFamily(
            name="reliability",
            metrics=METRICS,
            compute=reliability_compute,
            records=reliability_records,
            window=reliability_window,
        )
    )
