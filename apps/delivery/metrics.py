"""The delivery metric family: `release_frequency` and `delivery_points` (docs/metrics.md#delivery),
for the org and each team, weekly and monthly, and the records behind each number."""

from datetime import datetime
from functools import partial

import pandas as pd

from apps.core.periods import GRANULARITIES, Granularity
from apps.delivery.bands import DEPLOYMENT_FREQUENCY, DORA_2024
from apps.delivery.computations import (
    changes_shipped,
    count_series,
    events_span,
    periods_column,
)
from apps.delivery.selectors import (
    merged_pulls_frame,
    pulls_mentioning,
    releases_frame,
    shipped_after,
)
from apps.delivery.story_points import pulls_with_issue_points
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

RELEASE_FREQUENCY = MetricDefinition(
    name="release_frequency",
    unit="releases",
    kind="count",
    scopes=("org", "team"),
    description="Releases in the period (GitHub releases, production deployments or tags, "
    "per each repo's release_source). DORA's deployment frequency when releases come from "
    "production deployments (release_source: deployments).",
    doc_anchor="release_frequency",
    label="Release frequency",
    better="up",
    bands=DEPLOYMENT_FREQUENCY,
    bands_source=DORA_2024,
    bands_per_day=True,
)
DELIVERY_POINTS = MetricDefinition(
    name="delivery_points",
    unit="points",
    kind="sum",
    scopes=("org", "team"),
    description="Releases pro-rated for complexity: the points of the changes each release "
    "ships (story points, else size buckets 1/2/3/5/8 by lines changed).",
    doc_anchor="delivery_points",
    label="Delivery points",
    better="up",
)


def _pulls(releases: pd.DataFrame | None = None, since_at: datetime | None = None) -> pd.DataFrame:
    """Merged PRs with their Jira issue and its story points (story points first, else the size
    bucket).

    With `since_at` (a since-recompute), only the PRs that releases at or after it ship, plus
    the earlier PRs mentioning the same Jira issues: an issue's points count with the first
    release shipping a PR of it, so those decide whether a recent PR still adds them."""
    if since_at is None:
        return pulls_with_issue_points(merged_pulls_frame())
    window = shipped_after(releases, since_at)
    recent = merged_pulls_frame(where=window)
    keys = set(pulls_with_issue_points(recent)["issue_key"]) - {""}
    earlier = merged_pulls_frame(where=~window & pulls_mentioning(keys)) if keys else recent[:0]
    return pulls_with_issue_points(pd.concat([recent, earlier], ignore_index=True))


def release_points(releases: pd.DataFrame, shipped: pd.DataFrame) -> pd.DataFrame:
    """`releases` plus changes (PRs shipped), points (their sum) and unsized (PRs without size)."""
    keys = ["repo_id", "release"]
    if releases.empty or shipped.empty:
        # Nothing to join: an empty frame's key columns have no common dtype (object on one
        # side, float64 from an empty COPY on the other), which pandas refuses to merge.
        return releases.assign(changes=0, points=0.0, unsized=0).astype(
            {"changes": "int64", "unsized": "int64", "points": "float64"}
        )
    grouped = (
        shipped.groupby(keys)
        .agg(
            changes=("number", "count"),
            points=("points", lambda s: s.sum(min_count=0)),
            unsized=("points", lambda s: int(s.isna().sum())),
        )
        .reset_index()
    )
    out = releases.merge(grouped, on=keys, how="left")
    return out.fillna({"changes": 0, "points": 0.0, "unsized": 0}).astype(
        {"changes": "int64", "unsized": "int64", "points": "float64"}
    )


def _scopes(frame: pd.DataFrame) -> list[tuple[str, str, pd.DataFrame]]:
    scopes = [("org", "", frame)]
    for team, rows in frame[frame["team"] != ""].groupby("team"):
        scopes.append(("team", str(team), rows))
    return scopes


def _unsized_notes(
    rows: pd.DataFrame, scoped: pd.DataFrame, ctx: ComputeContext, granularity: Granularity
):
    if scoped.empty or not scoped["unsized"].any():
        return rows
    missing = scoped.groupby(periods_column(scoped["released_at"], granularity, ctx.tz))[
        "unsized"
    ].sum()
    rows["note"] = [
        f"{int(missing.get(p, 0))} shipped PR(s) without a size yet are not counted"
        if missing.get(p, 0)
        else ""
        for p in rows["period_start"]
    ]
    return rows


def delivery_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Registry-format rows of release_frequency and delivery_points (see apps.metrics.registry).
    A since-recompute reads every release (they are few) but only the PRs recent ones ship."""
    releases = releases_frame()
    shipped = changes_shipped(releases, _pulls(releases, ctx.since_at))
    per_release = release_points(releases, shipped)
    scopes = {(scope, key): scoped for scope, key, scoped in _scopes(per_release)}
    parts = []
    for granularity in GRANULARITIES:
        spans = {k: events_span(s["released_at"], granularity, ctx.tz) for k, s in scopes.items()}
        grid = scope_periods(
            granularity,
            firsts={k: first for k, (first, _) in spans.items()},
            lasts={k: last for k, (_, last) in spans.items()},
            now=ctx.now,
            tz=ctx.tz,
        )
        for (scope, key), starts in grid.items():
            scoped = scopes[(scope, key)]
            series = partial(
                count_series,
                scoped,
                time_column="released_at",
                scope=scope,
                scope_key=key,
                granularity=granularity,
                tz=ctx.tz,
                starts=starts,
            )
            parts.append(series(value_column=None, metric="release_frequency"))
            points = series(
                value_column="points", sample_column="changes", metric="delivery_points"
            )
            parts.append(_unsized_notes(points, scoped, ctx, granularity))
    parts = [p for p in parts if not p.empty]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def _in_scope(frame: pd.DataFrame, query: RecordsQuery) -> pd.DataFrame:
    if query.scope == "team":
        frame = frame[frame["team"] == query.scope_key]
    inside = (frame["released_at"] >= query.start_at) & (frame["released_at"] < query.end_at)
    return frame[inside]


def delivery_records(query: RecordsQuery) -> list[dict]:
    """The releases (release_frequency) or the shipped PRs (delivery_points) behind a number."""
    releases = releases_frame()
    shipped = changes_shipped(releases, _pulls())
    if query.metric == "release_frequency":
        rows = _in_scope(release_points(releases, shipped), query)
        return [
            {
                "kind": "release",
                "repo": r.repo,
                "release": r.release,
                "title": f"{r.repo} {r.release}",
                "released_at": r.released_at.isoformat(),
                "changes": int(r.changes),
                "points": float(r.points),
                "url": r.url,
            }
            for r in rows.itertuples()
        ]
    rows = _in_scope(shipped, query)
    return [
        {
            "kind": "pull_request",
            "repo": r.repo,
            "number": int(r.number),
            "title": r.title,
            "merged_at": r.merged_at.isoformat(),
            "release": r.release,
            "released_at": r.released_at.isoformat(),
            "changed_lines": None if pd.isna(r.changed_lines) else int(r.changed_lines),
            "points": None if pd.isna(r.points) else float(r.points),
            "bot": bool(r.bot),
            "jira_issue": r.issue_key or None,
            "url": r.url,
        }
        for r in rows.itertuples()
    ]


def delivery_window(query: WindowQuery) -> WindowValues:
    """Releases and their points in each window (same rules as the periods; only the PRs that
    releases from the first window on ship are read)."""
    releases = releases_frame()
    per_release = release_points(
        releases, changes_shipped(releases, _pulls(releases, query.first_start))
    )
    if query.scope == "team":
        per_release = per_release[per_release["team"] == query.scope_key]
    out = []
    for start, end in query.windows:
        at = per_release["released_at"]
        inside = per_release[(at >= start) & (at < end)]
        count = len(inside)
        out.append(
            {
                "release_frequency": WindowValue(float(count), count),
                "delivery_points": WindowValue(
                    float(inside["points"].sum()), int(inside["changes"].sum())
                ),
            }
        )
    return out


def register() -> None:
    """Called from DeliveryConfig.ready()."""
    register_family(
        MetricFamily(
            name="delivery",
            metrics=(RELEASE_FREQUENCY, DELIVERY_POINTS),
            compute=delivery_compute,
            records=delivery_records,
            window=delivery_window,
        )
    )
