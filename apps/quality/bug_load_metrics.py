"""The bug-load metric family (docs/metrics.md#bug-fix-load-per-engineer): `bug_fix_share`
(engineer, team, org), `churn_risk` (engineer) and `engineers_at_risk` (team, org), weekly and
monthly.

Engineer rows are keyed by the person's e-mail and are shown only to superusers and the
managers of the engineer's team (apps.metrics.selectors.metric_rows_visible)."""

from datetime import date, datetime, timedelta

import pandas as pd
from django.db.models import Q
from django.utils import timezone

from apps.core.periods import (
    GRANULARITIES,
    Granularity,
    period_bounds,
    period_of,
    periods_of,
)
from apps.delivery.selectors import merged_pulls_frame, pulls_mentioning
from apps.delivery.story_points import pulls_with_issue_points
from apps.metrics.frames import period_starts
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
from apps.organization.models import Person
from apps.organization.selectors import org_settings
from apps.quality.bug_load import (
    NO_ITEMS_NOTE,
    churn_grid,
    fix_components,
    in_window,
    work_items,
)
from apps.quality.bugs import jira_not_a_bug
from apps.quality.models import JiraIssue
from apps.quality.selectors import (
    fix_history,
    identities_map,
    jira_issues_frame,
    people_teams,
    pulls_detail_frame,
    repo_bug_issues,
    work_links,
)

BUG_FIX_SHARE = MetricDefinition(
    name="bug_fix_share",
    unit="ratio",
    kind="ratio",
    scopes=("engineer", "team", "org"),
    description="Bug work items / work items completed in the period (Jira issues resolved, "
    "PRs merged without a Jira issue); team and org pool their members' items.",
    doc_anchor="bug_fix_share",
    label="Bug-fix share",
    better="down",
)
CHURN_RISK = MetricDefinition(
    name="churn_risk",
    unit="score",
    kind="score",
    scopes=("engineer",),
    description="0..1 over churn.window_days to the period end: 0.4·bug share/threshold + "
    "0.2·its rise + 0.2·bugs reported by others + 0.2·small fixes that took long.",
    doc_anchor="churn_risk",
    label="Churn risk",
    better="down",
)
ENGINEERS_AT_RISK = MetricDefinition(
    name="engineers_at_risk",
    unit="engineers",
    kind="count",
    scopes=("team", "org"),
    description="Engineers whose churn_risk is at least 0.5.",
    doc_anchor="engineers_at_risk",
    label="Engineers at risk",
    better="down",
    anomaly_model="poisson",  # engineers at risk at the period's end, not events in it
    when_empty="null",  # nobody scored is not nobody at risk
)
AT_RISK = 0.5
NO_ENGINEERS = "no engineers configured"
# What work items read of the Jira issues (resolved ones only, filtered in SQL).
ITEM_JIRA_COLUMNS = (
    "key",
    "issue_type",
    "resolution",
    "subtask",
    "created_at",
    "resolved_at",
    "assignee_id",
    "reporter_id",
)


def load_items(*, since: datetime | None = None) -> tuple[pd.DataFrame, dict[str, str]]:
    """(work items of configured people, {email: team}); only items completed at or after
    `since` when given (filtered in SQL). A Jira bug's PR lines still come from every merged
    PR of that issue (found through PullRequest.issue_refs), so its small-slow flag is the
    same either way."""
    bugs = org_settings().bugs
    teams = people_teams()
    jira = jira_issues_frame(columns=ITEM_JIRA_COLUMNS, resolved_only=True, resolved_since=since)
    jira = jira[~jira_not_a_bug(jira, bugs)]  # closed as not a bug (or not done): no work
    if since is None:
        pulls, lines = pulls_detail_frame(), None
    else:  # recent PRs; the PRs of recent bug issues for their lines
        pulls = pulls_detail_frame(where=Q(merged_at__gte=since))
        bug_keys = set(jira["key"][jira["issue_type"].isin(bugs.jira_types)])
        lines = pulls_with_issue_points(merged_pulls_frame(where=pulls_mentioning(bug_keys)))
    items = work_items(
        jira,
        pulls,
        repo_bug_issues(tuple(bugs.github_labels)),
        jira_types=bugs.jira_types,
        github_labels=bugs.github_labels,
        people=identities_map(),
        teams=teams,
        since=since,
        lines_from=lines,
    )
    return fix_components(items, *_fix_pulls(items, pulls, lines)), teams


def _fix_pulls(
    items: pd.DataFrame, pulls: pd.DataFrame, lines: pd.DataFrame | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The merged PRs behind the bug items (a PR item's own PR, a Jira bug's PRs) and their
    commit and file history (apps.quality.selectors.fix_history)."""
    frames = [pulls] if lines is None else [pulls, lines[pulls.columns.intersection(lines.columns)]]
    every = pd.concat(frames, ignore_index=True).drop_duplicates(["repo_id", "number"])
    bugs = items[items["bug"]]
    refs = set(bugs.loc[bugs["kind"] == "pull", "ref"])
    keys = set(bugs.loc[bugs["kind"] == JiraIssue.PROVIDER, "ref"])
    ref = every["repo"] + "#" + every["number"].astype(str)
    behind = every[ref.isin(refs).to_numpy() | every["issue_key"].isin(keys).to_numpy()]
    return behind, fix_history(behind)


def _share_row(
    metric: str, scope: str, key: str, g: str, start: date, counts: tuple[int, int] | None
) -> tuple:
    """A bug_fix_share row from (items, bug items) completed in the period (None: no items)."""
    if not counts:
        return (metric, scope, key, g, start, float("nan"), 0, NO_ITEMS_NOTE)
    n, bugs = counts
    return (metric, scope, key, g, start, bugs / n, n, "")


def _counts(items: pd.DataFrame, by: list[str]) -> dict[tuple, tuple[int, int]]:
    """{(*by values, period): (items, bug items)} of `items` (with a `period` column)."""
    grouped = items.groupby([*by, "period"], sort=False)["bug"].agg(["size", "sum"])
    return {
        (k if isinstance(k, tuple) else (k,)): (int(n), int(b))
        for k, n, b in zip(grouped.index, grouped["size"], grouped["sum"], strict=True)
    }


def load_rows(
    items: pd.DataFrame, teams: dict[str, str], ctx: ComputeContext, granularity: Granularity
) -> list[tuple]:
    """Rows of the three metrics for every period from the first item's to the current one.

    Counts come from one group-by per scope and churn from `churn_grid` (cumulative sums), so
    the cost grows with items + people × periods, not their product."""
    churn = org_settings().churn
    data_first = (
        None
        if items.empty
        else period_of(items["completed_at"].min().to_pydatetime(), granularity, ctx.tz)
    )
    first = ctx.first_period("bug_fix_share", "org", "", granularity, data_first)
    if first is None:
        return []
    # Every engineer, team and the org share the org's periods; a since-recompute computes
    # the replaced periods only.
    starts = period_starts(granularity, first=first, now=ctx.now, tz=ctx.tz, since=ctx.since)
    ends = [min(period_bounds(s, granularity, ctx.tz)[1], ctx.now) for s in starts]
    items = items.assign(period=periods_of(items["completed_at"], granularity, ctx.tz))
    org, person, team = (_counts(items, by) for by in ([], ["person"], ["team"]))
    people = sorted(teams.items())
    risks = churn_grid(
        items,
        people=[p for p, _ in people],
        ends=ends,
        window_days=churn.window_days,
        threshold=churn.bug_share_threshold,
        min_items=churn.min_items,
    )
    team_slugs = sorted(t for t in set(teams.values()) if t)
    sizes = {t: sum(1 for x in teams.values() if x == t) for t in team_slugs}
    out = []
    for i, start in enumerate(starts):
        out.append(_share_row("bug_fix_share", "org", "", granularity, start, org.get((start,))))
        at_risk: dict[str, int] = {}
        unscored: dict[str, int] = {}
        for email, slug in people:
            out.append(
                _share_row(
                    "bug_fix_share",
                    "engineer",
                    email,
                    granularity,
                    start,
                    person.get((email, start)),
                )
            )
            risk = risks[(email, i)]
            value = float("nan") if risk.score is None else risk.score
            out.append(
                (
                    "churn_risk",
                    "engineer",
                    email,
                    granularity,
                    start,
                    value,
                    risk.items,
                    risk.note(churn.min_items),
                )
            )
            hit = int(risk.score is not None and risk.score >= AT_RISK)
            at_risk[slug] = at_risk.get(slug, 0) + hit
            unscored[slug] = unscored.get(slug, 0) + int(risk.score is None)
        for slug in team_slugs:
            out.append(
                _share_row(
                    "bug_fix_share", "team", slug, granularity, start, team.get((slug, start))
                )
            )
            counts = (at_risk.get(slug, 0), unscored.get(slug, 0), sizes[slug])
            out.append(_at_risk_row("team", slug, granularity, start, counts, churn.min_items))
        counts = (sum(at_risk.values()), sum(unscored.values()), len(teams))
        out.append(_at_risk_row("org", "", granularity, start, counts, churn.min_items))
    return out


def _at_risk_row(
    scope: str, key: str, g: str, start: date, counts: tuple[int, int, int], min_items: int
) -> tuple:
    """An engineers_at_risk row from (engineers at risk, engineers not scored, engineers):
    the note says how many could not be scored, and the value is null when none could
    (docs/metrics.md#engineers_at_risk)."""
    hits, unscored, members = counts
    if not members:
        return ("engineers_at_risk", scope, key, g, start, float("nan"), 0, NO_ENGINEERS)
    note = (
        f"{unscored} of {members} engineers not scored: fewer than {min_items} items"
        if unscored
        else ""
    )
    value = float("nan") if unscored == members else float(hits)
    return ("engineers_at_risk", scope, key, g, start, value, members, note)


def load_compute_frame(
    items: pd.DataFrame, teams: dict[str, str], ctx: ComputeContext
) -> pd.DataFrame:
    rows = [r for g in GRANULARITIES for r in load_rows(items, teams, ctx, g)]
    return pd.DataFrame(rows, columns=list(FRAME_COLUMNS)) if rows else frame_empty()


def load_compute(ctx: ComputeContext) -> pd.DataFrame:
    """With `ctx.since`, only items completed since the first replaced period, or two churn
    windows before the end of the first replaced period (its churn reads back that far) when
    that is earlier, are read."""
    since, since_at = None, ctx.since_at
    cutoffs = [(c, g) for g in GRANULARITIES if (c := ctx.cutoff(g)) is not None]
    if since_at is not None and cutoffs:
        ends = [min(period_bounds(c, g, ctx.tz)[1], ctx.now) for c, g in cutoffs]
        window = timedelta(days=2 * org_settings().churn.window_days)
        since = min(since_at, min(ends) - window)
    return load_compute_frame(*load_items(since=since), ctx)


def load_records(query: RecordsQuery) -> list[dict]:
    """The work items behind a number: completed in the period (bug_fix_share, and for
    engineers_at_risk the items of every engineer of the scope) or in the churn window ending at
    the period end (churn_risk). The API checks engineer visibility before calling this."""
    items, teams = load_items()
    if query.metric == "engineers_at_risk" and query.engineers_named:
        return _at_risk_records(items, teams, query)
    start = query.start_at
    if query.metric in ("churn_risk", "engineers_at_risk"):
        end = min(query.end_at, timezone.now())
        start = end - timedelta(days=org_settings().churn.window_days)
    if query.scope == "engineer":
        items = items[items["person"] == query.scope_key]
    elif query.scope == "team":
        items = items[items["team"] == query.scope_key]
    rows = in_window(items, start, query.end_at).sort_values(["completed_at", "ref"])
    links = work_links(zip(rows["kind"], rows["ref"], strict=True))
    # Team and org numbers are visible to every user: their records name no engineer.
    return [
        {
            **({"person": r.person} if query.scope == "engineer" else {}),
            "kind": r.kind,
            "ref": r.ref,
            "title": links.get((r.kind, r.ref), ("", ""))[0],
            "bug": bool(r.bug),
            "completed_at": r.completed_at.isoformat(),
            "repairs_others_code": None if pd.isna(r.by_other) else bool(r.by_other),
            "small_fix_that_took_long": None if pd.isna(r.small_slow) else bool(r.small_slow),
            "url": links.get((r.kind, r.ref), ("", ""))[1],
        }
        for r in rows.itertuples()
    ]


def _at_risk_records(items: pd.DataFrame, teams: dict[str, str], query: RecordsQuery) -> list[dict]:
    """The engineers behind an engineers_at_risk number, for a viewer who may see them all
    (`query.engineers_named`): one record per engineer of the scope whose churn risk at the
    period end is at or above AT_RISK, most at risk first, with the score's components
    (docs/metrics.md#churn_risk), computed as the number was."""
    churn = org_settings().churn
    people = sorted(
        p for p, slug in teams.items() if query.scope == "org" or slug == query.scope_key
    )
    end = min(query.end_at, timezone.now())
    risks = churn_grid(
        items[items["person"].isin(people)],
        people=people,
        ends=[end],
        window_days=churn.window_days,
        threshold=churn.bug_share_threshold,
        min_items=churn.min_items,
    )
    at_risk = sorted(
        ((p, risks[(p, 0)]) for p in people),
        key=lambda pr: (-(pr[1].score or 0.0), pr[0]),
    )
    names = dict(Person.objects.filter(email__in=people).values_list("email", "name"))
    return [
        {
            "person": email,
            "name": names.get(email, ""),
            "team": teams[email],
            "churn_risk": round(risk.score, 4),
            "items": risk.items,
            "bug_share": round(risk.bug_share, 4),
            "previous_bug_share": (
                None if risk.previous_share is None else round(risk.previous_share, 4)
            ),
            "rise": round(risk.rise, 4),
            "repairs_others_code": None if risk.by_others is None else round(risk.by_others, 4),
            "small_fixes_that_took_long": (
                None if risk.small_slow is None else round(risk.small_slow, 4)
            ),
        }
        for email, risk in at_risk
        if risk.score is not None and risk.score >= AT_RISK
    ]


def load_window(query: WindowQuery) -> WindowValues:
    """bug_fix_share over each window (items completed in it, pooled for a team or the org).
    churn_risk and engineers_at_risk are scores over their own trailing window
    (`churn.window_days`): they have no value over another window."""
    items, _ = load_items(since=query.first_start)
    if query.scope == "team":
        items = items[items["team"] == query.scope_key]
    out = []
    for start, end in query.windows:
        inside = in_window(items, start, end)
        n = len(inside)
        share = WindowValue(float(inside["bug"].sum()) / n, n) if n else None
        out.append({"bug_fix_share": share or WindowValue(None, 0, NO_ITEMS_NOTE)})
    return out


def register() -> None:
    """Called from QualityConfig.ready()."""
    register_family(
        MetricFamily(
            name="bug_load",
            metrics=(BUG_FIX_SHARE, CHURN_RISK, ENGINEERS_AT_RISK),
            compute=load_compute,
            records=load_records,
            window=load_window,
        )
    )
