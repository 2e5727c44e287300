"""The quality metric family: `bugs_new` and `bug_impact_days` (docs/metrics.md#unanticipated-bugs)
for the org and each team, weekly and monthly, and the bugs behind each number."""

from datetime import date, datetime

import pandas as pd

from apps.core.periods import GRANULARITIES, Granularity
from apps.delivery.computations import count_series, events_span
from apps.metrics.frames import scope_periods
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
from apps.quality.bugs import bugs_classify, impact_days_series, open_days_in
from apps.quality.selectors import jira_issues_frame, repo_issues_frame, work_links

BUGS_NEW = MetricDefinition(
    name="bugs_new",
    unit="bugs",
    kind="count",
    scopes=("org", "team"),
    description="Unanticipated bugs (Jira bug types, GitHub bug labels; not known/accepted) "
    "created in the period.",
    doc_anchor="bugs_new",
    label="New unanticipated bugs",
    better="down",
)
BUG_IMPACT_DAYS = MetricDefinition(
    name="bug_impact_days",
    unit="impact-days",
    kind="sum",
    scopes=("org", "team"),
    description="Sum over unanticipated bugs of impact weight × days the bug was open within "
    "the period.",
    doc_anchor="bug_impact_days",
    label="Bug impact",
    better="down",
)


# What bugs_classify reads of the Jira issues (only bug types are read, in SQL).
BUG_JIRA_COLUMNS = (
    "key",
    "team",
    "issue_type",
    "priority",
    "resolution",
    "labels",
    "created_at",
    "resolved_at",
    "assignee_id",
    "reporter_id",
)


def unanticipated_bugs(*, open_since: datetime | None = None) -> pd.DataFrame:
    """The unanticipated bugs of the configured projects and repos (apps.quality.bugs); only
    those created or still open at or after `open_since` when given (filtered in SQL)."""
    settings = org_settings().bugs
    jira = jira_issues_frame(
        columns=BUG_JIRA_COLUMNS, issue_types=tuple(settings.jira_types), open_since=open_since
    )
    bugs = bugs_classify(jira, repo_issues_frame(open_since=open_since), settings)
    return bugs[~bugs["known"]].reset_index(drop=True)


def _scopes(bugs: pd.DataFrame, ctx: ComputeContext) -> list[tuple[str, str, pd.DataFrame]]:
    """org, and every team with bugs read or with rows stored before the replaced periods."""
    teams = (
        set(bugs["team"][bugs["team"] != ""])
        | ctx.stored_keys("bugs_new", "team")
        | ctx.stored_keys("bug_impact_days", "team")
    )
    return [("org", "", bugs)] + [("team", t, bugs[bugs["team"] == t]) for t in sorted(teams)]


def _bugs_new_periods(
    scopes: dict[tuple[str, str], pd.DataFrame], ctx: ComputeContext, granularity: Granularity
) -> dict[tuple[str, str], list[date]]:
    """bugs_new's periods per scope: from its first bug read, or its first stored row when
    earlier (a since-recompute reads only recent bugs), through the current period."""
    firsts, lasts = {}, {}
    for (scope, key), rows in scopes.items():
        first, last = events_span(rows["created_at"], granularity, ctx.tz)
        stored = ctx.first_period("bugs_new", scope, key, granularity, None)
        firsts[(scope, key)] = min((d for d in (first, stored) if d is not None), default=None)
        lasts[(scope, key)] = last
    return scope_periods(granularity, firsts=firsts, lasts=lasts, now=ctx.now, tz=ctx.tz)


def bugs_compute_frame(bugs: pd.DataFrame, ctx: ComputeContext) -> pd.DataFrame:
    """Registry-format rows of both metrics over the given unanticipated `bugs`."""
    scopes = {(scope, key): rows for scope, key, rows in _scopes(bugs, ctx)}
    parts = []
    for g in GRANULARITIES:
        grid = _bugs_new_periods(scopes, ctx, g)
        for (scope, key), rows in scopes.items():
            parts.append(
                count_series(
                    rows,
                    time_column="created_at",
                    value_column=None,
                    metric="bugs_new",
                    scope=scope,
                    scope_key=key,
                    granularity=g,
                    tz=ctx.tz,
                    starts=grid.get((scope, key), []),
                )
            )
            parts.append(
                impact_days_series(
                    rows,
                    scope=scope,
                    scope_key=key,
                    granularity=g,
                    tz=ctx.tz,
                    now=ctx.now,
                    first=ctx.first_period("bug_impact_days", scope, key, g, None),
                )
            )
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def bugs_compute(ctx: ComputeContext) -> pd.DataFrame:
    """With `ctx.since`, only bugs created or open at or after the first replaced period are
    read: a bug closed before it cannot change a replaced number."""
    return bugs_compute_frame(unanticipated_bugs(open_since=ctx.since_at), ctx)


def bugs_records(query: RecordsQuery) -> list[dict]:
    """The bugs created in the period (bugs_new) or open during it (bug_impact_days)."""
    from django.utils import timezone

    bugs = unanticipated_bugs()
    if query.scope == "team":
        bugs = bugs[bugs["team"] == query.scope_key]
    days = open_days_in(bugs, query.start_at, query.end_at, timezone.now())
    if query.metric == "bugs_new":
        keep = (bugs["created_at"] >= query.start_at) & (bugs["created_at"] < query.end_at)
    else:
        keep = days > 0
    chosen = bugs[keep]
    links = work_links(zip(chosen["kind"], chosen["ref"], strict=True))
    return [
        {
            "kind": r.kind,
            "ref": r.ref,
            "title": links.get((r.kind, r.ref), ("", ""))[0],
            "team": r.team,
            "impact": r.impact,
            "weight": float(r.weight),
            "created_at": r.created_at.isoformat(),
            "resolved_at": None if pd.isna(r.resolved_at) else r.resolved_at.isoformat(),
            "open_days_in_period": round(float(d), 6),
            "impact_days": round(float(d * r.weight), 6),
            "url": links.get((r.kind, r.ref), ("", ""))[1],
        }
        for r, d in zip(chosen.itertuples(), days[keep], strict=True)
    ]


def bugs_window(query: WindowQuery) -> WindowValues:
    """bugs_new (created in the window) and bug_impact_days (weight × open days inside it, an
    open bug open until `query.now`) of each window; sample_size as in the periods."""
    bugs = unanticipated_bugs(open_since=query.first_start)
    if query.scope == "team":
        bugs = bugs[bugs["team"] == query.scope_key]
    out = []
    for start, end in query.windows:
        created = int(((bugs["created_at"] >= start) & (bugs["created_at"] < end)).sum())
        days = open_days_in(bugs, start, end, query.now)
        out.append(
            {
                "bugs_new": WindowValue(float(created), created),
                "bug_impact_days": WindowValue(
                    float((days * bugs["weight"]).sum()), int((days > 0).sum())
                ),
            }
        )
    return out


def register() -> None:
    """Called from QualityConfig.ready()."""
    register_family(
        MetricFamily(
            name="quality",
            metrics=(BUGS_NEW, BUG_IMPACT_DAYS),
            compute=bugs_compute,
            records=bugs_records,
            window=bugs_window,
        )
    )
