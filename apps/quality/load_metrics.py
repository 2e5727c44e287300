"""The bug-load metric family (spec §5.4): `bug_fix_share` (engineer, team, org),
`churn_risk` (engineer) and `engineers_at_risk` (team, org), weekly and monthly.

Engineer rows are keyed by the person's e-mail and are shown only to superusers and the
managers of the engineer's team (apps.metrics.selectors.metric_rows_visible)."""

from datetime import date, timedelta

import pandas as pd
from django.utils import timezone

from apps.core.periods import GRANULARITIES, Granularity, iter_periods, period_bounds, period_of
from apps.metrics.registry import (
    FRAME_COLUMNS,
    ComputeContext,
    MetricDefinition,
    MetricFamily,
    RecordsQuery,
    register_family,
)
from apps.organization.selectors import org_settings
from apps.quality.load import NO_ITEMS_NOTE, churn_of, in_window, work_items
from apps.quality.selectors import (
    github_bug_issues,
    github_issues_frame,
    identities_map,
    jira_issues_frame,
    people_teams,
    pulls_detail_frame,
)

BUG_FIX_SHARE = MetricDefinition(
    name="bug_fix_share", unit="ratio", kind="ratio", scopes=("engineer", "team", "org"),
    description="Bug work items / work items completed in the period (Jira issues resolved, "
    "PRs merged without a Jira issue); team and org pool their members' items.",
    doc_anchor="bug_fix_share",
)
CHURN_RISK = MetricDefinition(
    name="churn_risk", unit="score", kind="score", scopes=("engineer",),
    description="0..1 over churn.window_days to the period end: 0.4·bug share/threshold + "
    "0.2·its rise + 0.2·bugs reported by others + 0.2·small fixes that took long.",
    doc_anchor="churn_risk",
)
ENGINEERS_AT_RISK = MetricDefinition(
    name="engineers_at_risk", unit="engineers", kind="count", scopes=("team", "org"),
    description="Engineers whose churn_risk is at least 0.5.", doc_anchor="engineers_at_risk",
)
AT_RISK = 0.5


def load_items() -> tuple[pd.DataFrame, dict[str, str]]:
    """(work items of configured people, {email: team})."""
    bugs = org_settings().bugs
    teams = people_teams()
    items = work_items(
        jira_issues_frame(), pulls_detail_frame(),
        github_bug_issues(github_issues_frame(), bugs.github_labels),
        jira_types=bugs.jira_types, github_labels=bugs.github_labels,
        people=identities_map(), teams=teams,
    )
    return items, teams


def _share_row(metric: str, scope: str, key: str, g: str, start: date, rows: pd.DataFrame):
    if rows.empty:
        return (metric, scope, key, g, start, float("nan"), 0, NO_ITEMS_NOTE)
    return (metric, scope, key, g, start, float(rows["bug"].mean()), len(rows), "")


def load_rows(items: pd.DataFrame, teams: dict[str, str], ctx: ComputeContext,
              granularity: Granularity) -> list[tuple]:
    """Rows of the three metrics for every period from the first item's to the current one."""
    churn = org_settings().churn
    first = period_of(items["completed_at"].min().to_pydatetime(), granularity, ctx.tz)
    out = []
    for start in iter_periods(first, period_of(ctx.now, granularity, ctx.tz), granularity):
        lo, hi = period_bounds(start, granularity, ctx.tz)
        inside = in_window(items, lo, hi)
        out.append(_share_row("bug_fix_share", "org", "", granularity, start, inside))
        at_risk: dict[str, int] = {}
        for email, team in sorted(teams.items()):
            mine = items[items["person"] == email]
            out.append(_share_row("bug_fix_share", "engineer", email, granularity, start,
                                  in_window(mine, lo, hi)))
            risk = churn_of(mine, end=min(hi, ctx.now), window_days=churn.window_days,
                            threshold=churn.bug_share_threshold, min_items=churn.min_items)
            value = float("nan") if risk.score is None else risk.score
            out.append(("churn_risk", "engineer", email, granularity, start, value, risk.items,
                        risk.note(churn.min_items)))
            hit = int(risk.score is not None and risk.score >= AT_RISK)
            at_risk[team] = at_risk.get(team, 0) + hit
        for team in sorted(t for t in set(teams.values()) if t):
            out.append(_share_row("bug_fix_share", "team", team, granularity, start,
                                  inside[inside["team"] == team]))
            out.append(("engineers_at_risk", "team", team, granularity, start,
                        float(at_risk.get(team, 0)), sum(1 for t in teams.values() if t == team),
                        ""))
        out.append(("engineers_at_risk", "org", "", granularity, start,
                    float(sum(at_risk.values())), len(teams), ""))
    return out


def load_compute_frame(items: pd.DataFrame, teams: dict[str, str],
                       ctx: ComputeContext) -> pd.DataFrame:
    if items.empty:
        return pd.DataFrame(columns=list(FRAME_COLUMNS))
    rows = [r for g in GRANULARITIES for r in load_rows(items, teams, ctx, g)]
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS))


def load_compute(ctx: ComputeContext) -> pd.DataFrame:
    return load_compute_frame(*load_items(), ctx)


def load_records(query: RecordsQuery) -> list[dict]:
    """The work items behind a number: completed in the period (bug_fix_share, and for
    engineers_at_risk the items of every engineer of the scope) or in the churn window ending at
    the period end (churn_risk). The API checks engineer visibility before calling this."""
    items, _ = load_items()
    start = query.start_at
    if query.metric in ("churn_risk", "engineers_at_risk"):
        end = min(query.end_at, timezone.now())
        start = end - timedelta(days=org_settings().churn.window_days)
    if query.scope == "engineer":
        items = items[items["person"] == query.scope_key]
    elif query.scope == "team":
        items = items[items["team"] == query.scope_key]
    rows = in_window(items, start, query.end_at).sort_values(["completed_at", "ref"])
    # Team and org numbers are visible to every user: their records name no engineer.
    return [
        {**({"person": r.person} if query.scope == "engineer" else {}), "kind": r.kind,
         "ref": r.ref, "bug": bool(r.bug), "completed_at": r.completed_at.isoformat(),
         "reported_by_other": None if pd.isna(r.by_other) else bool(r.by_other),
         "small_fix_that_took_long": bool(r.small_slow)}
        for r in rows.itertuples()
    ]


def register() -> None:
    """Called from QualityConfig.ready()."""
    register_family(MetricFamily(
        name="bug_load", metrics=(BUG_FIX_SHARE, CHURN_RISK, ENGINEERS_AT_RISK),
        compute=load_compute, records=load_records,
    ))

