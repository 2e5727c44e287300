"""The pull-request flow family (docs/metrics.md#pull-request-flow): lead_time_for_changes_hours
and where a change waits (coding_hours, pickup_hours, review_hours, deploy_hours) for the org
and each team, and reviews_given per engineer, team and org, weekly and monthly, with each
change's instants (or each counted review) as the records behind every number."""

from datetime import datetime

import numpy as np
import pandas as pd
from django.db.models import Q

from apps.delivery.bands import DORA_2024, LEAD_TIME
from apps.delivery.computations import changes_shipped
from apps.delivery.selectors import releases_frame, shipped_after
from apps.dora.flow import (
    NO_CHANGES,
    STAGES,
    change_stages,
    counted_reviews,
    flow_rows,
    reviews_given_rows,
)
from apps.dora.selectors import first_commits, flow_pulls, reviews_frame
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
from apps.quality.selectors import code_host_people, people_teams

ORG_TEAM = ("org", "team")


def _stage(name: str, label: str, description: str) -> MetricDefinition:
    return MetricDefinition(
        name=name,
        unit="hours",
        kind="median",
        scopes=ORG_TEAM,
        description=description,
        doc_anchor=name,
        label=label,
        better="down",
    )


METRICS = (
    MetricDefinition(
        name="lead_time_for_changes_hours",
        unit="hours",
        kind="median",
        scopes=ORG_TEAM,
        description="Median, over the changes (merged PRs) shipped by releases in the period, "
        "of release instant − first commit.",
        doc_anchor="lead_time_for_changes_hours",
        label="Lead time for changes",
        better="down",
        bands=LEAD_TIME,
        bands_source=DORA_2024,
    ),
    _stage(
        "coding_hours",
        "Coding time",
        "Median over the same changes of first commit → PR created.",
    ),
    _stage(
        "pickup_hours",
        "Pickup time",
        "Median over the same changes of PR created (or marked ready for review) → first "
        "review by someone else; changes merged without review are left out.",
    ),
    _stage(
        "review_hours",
        "Review time",
        "Median over the same changes of first review → merge; changes merged without review "
        "are left out.",
    ),
    _stage("deploy_hours", "Deploy time", "Median over the same changes of merge → release."),
    MetricDefinition(
        name="reviews_given",
        unit="reviews",
        kind="count",
        scopes=("engineer", "team", "org"),
        description="Reviews (approvals, change requests) submitted in the period on other "
        "people's PRs, one per PR, reviewer and day; team and org: the sum over their people.",
        doc_anchor="reviews_given",
        label="Reviews given",
        better="none",
    ),
)


def stages_frame(releases: pd.DataFrame, where: Q | None = None) -> pd.DataFrame:
    """Each shipped change (of the PRs matching `where`) with its instants and stages."""
    shipped = changes_shipped(releases, flow_pulls(where))
    ids = [int(i) for i in shipped["pull_id"]]
    return change_stages(shipped, first_commits(ids), reviews_frame(pull_ids=ids))


def flow_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Registry-format rows of the family (apps.metrics.registry). A since-recompute reads the
    PRs releases from `since` on ship and the reviews submitted since."""
    releases = releases_frame()
    where = None if ctx.since_at is None else shipped_after(releases, ctx.since_at)
    rows = flow_rows(stages_frame(releases, where), releases, tz=ctx.tz, now=ctx.now)
    counted = counted_reviews(reviews_frame(since=ctx.since_at), code_host_people(), ctx.tz)
    extra = [
        (scope, key)
        for scope in ("engineer", "team", "org")
        for key in ctx.stored_keys("reviews_given", scope)
    ]
    given = reviews_given_rows(
        counted,
        people_teams(),
        tz=ctx.tz,
        now=ctx.now,
        extra_keys=extra,
        first_of=lambda scope, key, g, first: ctx.first_period(
            "reviews_given", scope, key, g, first
        ),
    )
    parts = [p for p in (rows, given) if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else rows


def _iso(value) -> str | None:
    return None if pd.isna(value) else pd.Timestamp(value).isoformat()


def _num(value) -> float | None:
    return None if pd.isna(value) else round(float(value), 3)


def _scoped_reviews(scope: str, key: str, since: datetime | None, tz: str) -> pd.DataFrame:
    counted = counted_reviews(reviews_frame(since=since), code_host_people(), tz)
    if scope == "engineer":
        return counted[counted["person"] == key]
    if scope == "team":
        teams = people_teams()
        return counted[counted["person"].map(teams) == key]
    return counted


def flow_records(query: RecordsQuery) -> list[dict]:
    """Each change shipped in the period with its first commit, PR created, ready for review,
    first review, merge and release instants and its stages (lead time and the stages), or each
    review counted (reviews_given)."""
    if query.metric == "reviews_given":
        counted = _scoped_reviews(query.scope, query.scope_key, query.start_at, query.tz)
        counted = counted[counted["submitted_at"] < query.end_at]
        return [
            {
                "kind": "review",
                "title": f"{r.repo}#{int(r.number)}",
                "pull_request": f"{r.repo}#{int(r.number)}",
                "reviewer": r.author_login,
                "person": r.person,
                "state": r.state,
                "submitted_at": r.submitted_at.isoformat(),
            }
            for r in counted.assign(repo=counted["repo_id"].map(_repo_names())).itertuples()
        ]
    changes = stages_frame(releases_frame())
    if query.scope == "team":
        changes = changes[changes["team"] == query.scope_key]
    at = changes["released_at"]
    changes = changes[(at >= query.start_at) & (at < query.end_at)]
    return [
        {
            "kind": "change",
            "pull_request": f"{r.repo}#{int(r.number)}",
            "title": r.title,
            "bot": bool(r.bot),
            "first_commit_at": _iso(r.first_commit_at),
            "created_at": _iso(r.created_at),
            "ready_at": _iso(r.ready_at),
            "first_review_at": _iso(r.first_review_at),
            "first_reviewer": r.first_reviewer if isinstance(r.first_reviewer, str) else None,
            "merged_at": _iso(r.merged_at),
            "release": r.release,
            "released_at": _iso(r.released_at),
            "lead_time_hours": _num(r.lead_time_hours),
            "coding_hours": _num(r.coding_hours),
            "pickup_hours": _num(r.pickup_hours),
            "review_hours": _num(r.review_hours),
            "deploy_hours": _num(r.deploy_hours),
            "adjusted": r.adjusted,
            "url": r.url,
        }
        for r in changes.sort_values(["released_at", "repo", "number"]).itertuples()
    ]


def _repo_names() -> dict[int, str]:
    from apps.delivery.selectors import repos_configured

    return {r.pk: r.full_name for r in repos_configured()}


def flow_window(query: WindowQuery) -> WindowValues:
    """The family's org and team metrics over each window, by the same rules as a period."""
    if query.scope not in ("org", "team"):
        return [{} for _ in query.windows]
    releases = releases_frame()
    changes = stages_frame(releases, shipped_after(releases, query.first_start))
    counted = _scoped_reviews(query.scope, query.scope_key, query.first_start, query.tz)
    if query.scope == "team":
        changes = changes[changes["team"] == query.scope_key]
    out = []
    for start, end in query.windows:
        inside = changes[(changes["released_at"] >= start) & (changes["released_at"] < end)]
        values: dict[str, WindowValue] = {}
        for metric, column in [("lead_time_for_changes_hours", "lead_time_hours")] + [
            (s, s) for s in STAGES
        ]:
            v = inside[column].dropna()
            values[metric] = (
                WindowValue(float(np.median(v)), len(v))
                if len(v)
                else WindowValue(None, 0, NO_CHANGES)
            )
        n = int(((counted["submitted_at"] >= start) & (counted["submitted_at"] < end)).sum())
        values["reviews_given"] = WindowValue(float(n), n)
        out.append(values)
    return out


def register() -> None:
    """Called from DoraConfig.ready()."""
    register_family(
        MetricFamily(
            name="flow",
            metrics=METRICS,
            compute=flow_compute,
            records=flow_records,
            window=flow_window,
        )
    )
