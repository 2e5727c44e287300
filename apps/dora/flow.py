"""Pure pull-request flow computations (docs/metrics.md#pull-request-flow): each shipped change's
instants and stages, lead_time_for_changes_hours, coding_hours, pickup_hours, review_hours,
deploy_hours, and reviews_given. Frames in, frames out; no I/O.

Inputs:
- `changes`: shipped merged PRs (apps.delivery.computations.changes_shipped over the columns of
  apps.dora.selectors.flow_pulls): pull_id, repo_id, repo, team, number, title, user_login,
  user_type, created_at, ready_for_review_at, merged_at, url, release, released_at.
- `first_commits`: {pull_id: earliest author date of its commits}.
- `reviews`: apps.dora.selectors.REVIEW_COLUMNS.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import GRANULARITIES, Granularity, periods_of
from apps.delivery.links import bot_mask
from apps.metrics.frames import scope_periods
from apps.metrics.registry import FRAME_COLUMNS, frame_empty

# Reviews that count (GitHub review states): an approval or a change request, also when later
# dismissed. A COMMENTED review is comments alone, not a review; PENDING ones are never stored.
# https://docs.github.com/en/graphql/reference/enums#pullrequestreviewstate
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "DISMISSED")
STAGES = ("coding_hours", "pickup_hours", "review_hours", "deploy_hours")
FLOW_METRICS = ("lead_time_for_changes_hours", *STAGES)
NO_CHANGES = "no changes shipped in period"
HOUR = pd.Timedelta(hours=1)


def _hours(later: pd.Series, earlier: pd.Series) -> pd.Series:
    """(later − earlier) in hours, never below 0; NaN where either is missing."""
    return ((later - earlier) / HOUR).clip(lower=0.0)


def first_reviews(changes: pd.DataFrame, reviews: pd.DataFrame) -> pd.DataFrame:
    """Per pull_id: the first review (REVIEW_STATES) at or before the merge by someone other
    than the PR's author and not a bot: first_review_at, first_reviewer."""
    columns = ["pull_id", "first_review_at", "first_reviewer"]
    if reviews.empty or changes.empty:
        return pd.DataFrame(
            {
                "pull_id": pd.Series(dtype="int64"),
                "first_review_at": pd.Series(dtype="datetime64[us, UTC]"),
                "first_reviewer": pd.Series(dtype=object),
            }
        )
    r = reviews[reviews["state"].isin(REVIEW_STATES)].astype({"pull_id": "int64"})
    r = r[~bot_mask(r["author_login"], r["author_type"]).to_numpy()]
    r = r.merge(changes[["pull_id", "user_login", "merged_at"]], on="pull_id", how="inner")
    other = r["author_login"].fillna("").str.lower() != r["user_login"].fillna("").str.lower()
    r = r[other.to_numpy() & (r["submitted_at"] <= r["merged_at"]).to_numpy()]
    first = r.sort_values(["pull_id", "submitted_at"], kind="stable").drop_duplicates("pull_id")
    return first.rename(
        columns={"submitted_at": "first_review_at", "author_login": "first_reviewer"}
    )[columns]


def change_stages(
    changes: pd.DataFrame, first_commits: dict, reviews: pd.DataFrame
) -> pd.DataFrame:
    """`changes` plus first_commit_at, ready_at, first_review_at, first_reviewer, reviewed
    (bool), adjusted (why an instant was not taken as recorded, "" when none), lead_time_hours
    and the four stages in hours (docs/metrics.md#pull-request-flow). No duration is negative:

    - first commit: the earliest author date of its commits, else the PR's creation; a first
      commit after the merge (rebased or re-dated commits) is not believed: the creation is used;
    - coding = first commit → PR created (0 when the PR was opened before its first commit);
    - pickup = ready for review (the creation, or when a draft was marked ready, never after
      the merge) → first review; a review before that instant gives 0;
    - review = first review → merge; deploy = merge → release.
    """
    # Keys as integers: an empty frame read by COPY has float columns.
    out = changes.astype({"pull_id": "int64"})
    commits = out["pull_id"].map(first_commits)
    out["first_commit_at"] = pd.to_datetime(commits, utc=True).astype(out["created_at"].dtype)
    after_merge = out["first_commit_at"] > out["merged_at"]
    missing = out["first_commit_at"].isna()
    out.loc[after_merge | missing, "first_commit_at"] = out.loc[after_merge | missing, "created_at"]
    ready = out["ready_for_review_at"].where(
        out["ready_for_review_at"].notna() & (out["ready_for_review_at"] > out["created_at"]),
        out["created_at"],
    )
    out["ready_at"] = ready.where(ready <= out["merged_at"], out["merged_at"])
    first = first_reviews(out, reviews)
    out = out.merge(first, on="pull_id", how="left")
    out["first_review_at"] = pd.to_datetime(out["first_review_at"], utc=True).astype(
        out["created_at"].dtype
    )
    out["reviewed"] = out["first_review_at"].notna()
    early = out["reviewed"] & (out["first_review_at"] < out["ready_at"])
    adjusted = np.where(
        after_merge.to_numpy(), "first commit after the merge: PR creation used", ""
    )
    adjusted = np.where(
        early.to_numpy(),
        np.where(adjusted == "", "", adjusted + "; ") + "review before ready for review: pickup 0",
        adjusted,
    )
    out["adjusted"] = adjusted
    out["lead_time_hours"] = _hours(out["released_at"], out["first_commit_at"])
    out["coding_hours"] = _hours(out["created_at"], out["first_commit_at"])
    out["pickup_hours"] = _hours(out["first_review_at"], out["ready_at"])
    reviewed_from = out["first_review_at"].where(
        out["first_review_at"] >= out["ready_at"], out["ready_at"]
    )
    out["review_hours"] = _hours(out["merged_at"], reviewed_from.where(out["reviewed"]))
    out["deploy_hours"] = _hours(out["released_at"], out["merged_at"])
    return out


@dataclass(frozen=True)
class _Flow:
    lead: dict
    stages: dict
    count: dict
    unreviewed: dict


def _per_period(stages: pd.DataFrame, periods: pd.Series) -> _Flow:
    """Per period: (median, number of values) of lead time and of each stage, the changes, and
    those merged without review."""
    periods = pd.Series(periods.to_numpy(), index=stages.index)
    lead: dict = {}
    per_stage: dict = {s: {} for s in STAGES}
    for column, target in [("lead_time_hours", lead)] + [(s, per_stage[s]) for s in STAGES]:
        grouped = stages[column].astype(float).groupby(periods).agg(["median", "count"])
        for p, median, n in zip(grouped.index, grouped["median"], grouped["count"], strict=True):
            if n:
                target[p] = (float(median), int(n))
    count = periods.value_counts().to_dict()
    unreviewed = periods[~stages["reviewed"].to_numpy(bool)].value_counts().to_dict()
    return _Flow(lead, per_stage, count, unreviewed)


def _unreviewed_note(n_changes: int, n_unreviewed: int) -> str:
    if not n_unreviewed:
        return ""
    return f"{n_unreviewed} of {n_changes} changes merged without review"


def flow_rows(
    stages: pd.DataFrame,
    releases: pd.DataFrame,
    *,
    tz: str,
    now: datetime,
    granularities: tuple[Granularity, ...] = GRANULARITIES,
) -> pd.DataFrame:
    """Registry rows of lead_time_for_changes_hours and the four stages for the org and each team
    with releases, over the periods of their releases (a change belongs to the period of the
    release that ships it): medians over the changes shipped; null with "no changes shipped in
    period" when none was. The note of lead time, pickup and review says how many of the
    period's changes merged without review."""
    if releases.empty:
        return frame_empty()
    scoped_rel = {("org", ""): releases}
    scoped_changes = {("org", ""): stages}
    for team, rows in releases[releases["team"] != ""].groupby("team"):
        scoped_rel[("team", str(team))] = rows
        scoped_changes[("team", str(team))] = stages[stages["team"] == team]
    out: list[tuple] = []
    for g in granularities:
        spans = {k: periods_of(r["released_at"], g, tz) for k, r in scoped_rel.items()}
        grid = scope_periods(
            g,
            firsts={k: min(p) for k, p in spans.items()},
            lasts={k: max(p) for k, p in spans.items()},
            now=now,
            tz=tz,
        )
        for (scope, key), starts in grid.items():
            changes = scoped_changes[(scope, key)]
            flow = _per_period(changes, periods_of(changes["released_at"], g, tz))
            for start in starts:
                out += _period_rows(flow, scope, key, g, start)
    return pd.DataFrame(out, columns=list(FRAME_COLUMNS))


def _period_rows(flow: _Flow, scope: str, key: str, g: str, start: date) -> list[tuple]:
    n = int(flow.count.get(start, 0))
    unreviewed = _unreviewed_note(n, int(flow.unreviewed.get(start, 0)))
    rows = []
    for metric, values in [("lead_time_for_changes_hours", flow.lead.get(start))] + [
        (s, flow.stages[s].get(start)) for s in STAGES
    ]:
        note = unreviewed if metric in ("lead_time_for_changes_hours", *STAGES[1:3]) else ""
        if values:
            rows.append((metric, scope, key, g, start, values[0], values[1], note))
        elif not n:
            rows.append((metric, scope, key, g, start, np.nan, 0, NO_CHANGES))
        else:  # pickup and review of a period whose changes all merged without review
            rows.append((metric, scope, key, g, start, np.nan, 0, note or NO_CHANGES))
    return rows


def counted_reviews(reviews: pd.DataFrame, people: dict[str, str], tz: str) -> pd.DataFrame:
    """The reviews reviews_given counts (docs/metrics.md#reviews_given): a review state in
    REVIEW_STATES, on someone else's PR, by a configured person (`people`: lower-case GitHub
    login → e-mail; bots are nobody), one per PR, reviewer and local day (the first). Adds
    person and day."""
    if reviews.empty:
        return reviews.assign(person=pd.Series(dtype=object), day=pd.Series(dtype=object))
    r = reviews[reviews["state"].isin(REVIEW_STATES)]
    login = r["author_login"].fillna("").str.lower()
    own = login == r["pull_author"].fillna("").str.lower()
    r = r.assign(person=login.map(people))
    bot = bot_mask(r["author_login"], r["author_type"])
    r = r[(~own & r["person"].notna() & ~bot).to_numpy()]
    r = r.assign(day=r["submitted_at"].dt.tz_convert(tz).dt.date)
    r = r.sort_values(["submitted_at"], kind="stable")
    return r.drop_duplicates(["pull_id", "person", "day"]).reset_index(drop=True)


def reviews_given_rows(
    counted: pd.DataFrame,
    teams: dict[str, str],
    *,
    tz: str,
    now: datetime,
    extra_keys: Iterable[tuple[str, str]] = (),
    first_of: Callable[[str, str, Granularity, date | None], date | None] | None = None,
    granularities: tuple[Granularity, ...] = GRANULARITIES,
) -> pd.DataFrame:
    """Registry rows of reviews_given per engineer, team (sum over its members) and org (sum
    over every configured person), 0 in periods without reviews. A since-recompute passes the
    scope keys with stored rows (`extra_keys`) and where each series starts (`first_of(scope,
    key, granularity, first period in the data)`, apps.metrics.registry.ComputeContext)."""
    out: list[tuple] = []
    counted = counted.assign(team=counted["person"].map(teams).fillna(""))
    groups: dict[tuple[str, str], pd.DataFrame] = {("org", ""): counted}
    for person, rows in counted.groupby("person"):
        groups[("engineer", str(person))] = rows
    for team, rows in counted[counted["team"] != ""].groupby("team"):
        groups[("team", str(team))] = rows
    for k in extra_keys:
        groups.setdefault(k, counted.iloc[0:0])
    for g in granularities:
        periods = {k: periods_of(rows["submitted_at"], g, tz) for k, rows in groups.items()}
        starts_of = {}
        for (scope, key), p in periods.items():
            data_first = min(p) if len(p) else None
            starts_of[(scope, key)] = (
                first_of(scope, key, g, data_first) if first_of is not None else data_first
            )
        grid = scope_periods(g, firsts=starts_of, now=now, tz=tz)
        for (scope, key), starts in grid.items():
            counts = periods[(scope, key)].value_counts().to_dict()
            for start in starts:
                n = int(counts.get(start, 0))
                out.append(("reviews_given", scope, key, g, start, float(n), n, ""))
    return pd.DataFrame(out, columns=list(FRAME_COLUMNS))
