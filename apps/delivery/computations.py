"""Pure delivery computations (docs/metrics.md#delivery). Frames in, frames out; no I/O.

Frames: `releases` and `pulls` as documented in apps.delivery.selectors.
"""

from datetime import date

import numpy as np
import pandas as pd

from apps.core.periods import Granularity, periods_of
from apps.delivery.links import bot_mask
from apps.metrics.registry import frame_empty

# docs/metrics.md#delivery_points: size buckets by additions + deletions → points.
SIZE_BUCKETS: tuple[tuple[int, int], ...] = ((10, 1), (50, 2), (250, 3), (1000, 5))
LARGEST_BUCKET_POINTS = 8


def size_points(changed_lines: float) -> float:
    """Points of a change by its size: <=10 → 1, <=50 → 2, <=250 → 3, <=1000 → 5, more → 8.
    NaN (size unknown) → NaN."""
    if pd.isna(changed_lines):
        return np.nan
    for limit, points in SIZE_BUCKETS:
        if changed_lines <= limit:
            return float(points)
    return float(LARGEST_BUCKET_POINTS)


def changes_shipped(releases: pd.DataFrame, pulls: pd.DataFrame) -> pd.DataFrame:
    """Each merged PR with the release that ships it: the repo's first release at or after its
    merge, i.e. `merged_at` in `(previous release, release]`. Two releases at one instant: the
    first (by name) ships the changes, the second ships none. PRs merged after a repo's latest
    release are dropped (not shipped yet).

    Optional `pulls` columns issue_key and story_points (apps.delivery.links): story points
    then come first (see `_story_points_first`), else the size bucket. A bot's PR (columns
    user_login, user_type; apps.delivery.links.is_bot) ships but earns 0 points.

    Returns `pulls` columns plus release, released_at, release_url, changed_lines, bot, points.
    """
    firsts = releases.drop_duplicates(["repo_id", "released_at"], keep="first")
    if pulls.empty or firsts.empty:
        return pulls.assign(
            release=pd.Series(dtype=str),
            released_at=pd.Series(dtype="datetime64[ns, UTC]"),
            release_url=pd.Series(dtype=str),
            changed_lines=pd.Series(dtype=float),
            bot=pd.Series(dtype=bool),
            points=pd.Series(dtype=float),
        ).iloc[0:0]
    left = pulls.sort_values("merged_at").reset_index(drop=True)
    right = firsts[["repo_id", "release", "released_at", "url"]].rename(
        columns={"url": "release_url"}
    )
    right = right.sort_values("released_at").reset_index(drop=True)
    merged = pd.merge_asof(
        left,
        right,
        left_on="merged_at",
        right_on="released_at",
        by="repo_id",
        direction="forward",
        allow_exact_matches=True,
    )
    shipped = merged[merged["released_at"].notna()].copy()
    shipped["changed_lines"] = shipped["additions"] + shipped["deletions"]
    shipped["bot"] = bot_mask(shipped["user_login"], shipped.get("user_type"))
    shipped["points"] = shipped["changed_lines"].map(size_points).astype("float64")
    if "story_points" in shipped.columns:
        shipped = _story_points_first(shipped)
    shipped.loc[shipped["bot"], "points"] = 0.0
    return shipped.reset_index(drop=True)


def _story_points_first(shipped: pd.DataFrame) -> pd.DataFrame:
    """docs/metrics.md#links-between-work: a PR referencing a Jira issue with story points takes
    those points, counted once: with the first release (then merge, repo, number) shipping a PR
    referencing it; later PRs referencing it add 0. A bot's PR neither takes nor uses up an
    issue's points. Optional input columns issue_key, story_points (NaN = none)."""
    ranked = shipped[~shipped["bot"]].sort_values(["released_at", "merged_at", "repo_id", "number"])
    with_points = ranked[ranked["story_points"].notna() & (ranked["issue_key"] != "")]
    first = ~with_points.duplicated("issue_key", keep="first")
    shipped.loc[with_points.index, "points"] = with_points["story_points"].where(first, 0.0)
    return shipped


def periods_column(instants: pd.Series, granularity: Granularity, tz: str) -> pd.Series:
    """The `period_start` (date) of each aware instant, in the organisation's time zone."""
    return periods_of(instants, granularity, tz)


def events_span(
    instants: pd.Series, granularity: Granularity, tz: str
) -> tuple[date | None, date | None]:
    """The first and last period starts of aware `instants` (None, None when there are none):
    a scope's data span, for apps.metrics.frames.scope_periods."""
    if instants.empty:
        return None, None
    periods = periods_column(instants, granularity, tz)
    return min(periods), max(periods)


def count_series(
    events: pd.DataFrame,
    *,
    time_column: str,
    value_column: str | None,
    metric: str,
    scope: str,
    scope_key: str,
    granularity: Granularity,
    tz: str,
    starts: list[date],
    sample_column: str | None = None,
) -> pd.DataFrame:
    """A gap-filled count (value_column None) or sum series for one scope over `starts` (the
    scope's periods from apps.metrics.frames.scope_periods; 0 where no event).

    Returns registry-format rows: metric, scope, scope_key, granularity, period_start, value,
    sample_size, note.
    """
    if not starts:
        return frame_empty()
    if events.empty:
        events = pd.DataFrame(
            {
                time_column: pd.Series([], dtype="datetime64[us, UTC]"),
                **({value_column: []} if value_column else {}),
                **({sample_column: []} if sample_column else {}),
            }
        )
    periods = periods_column(events[time_column], granularity, tz)
    values = (
        events.groupby(periods)[value_column].sum(min_count=1)
        if value_column
        else periods.value_counts()
    )
    samples = (
        events.groupby(periods)[sample_column].sum() if sample_column else periods.value_counts()
    )
    value_of, sample_of = values.to_dict(), samples.to_dict()  # dict lookups, not Series.get
    return pd.DataFrame(
        {
            "metric": metric,
            "scope": scope,
            "scope_key": scope_key,
            "granularity": granularity,
            "period_start": starts,
            "value": [0.0 if pd.isna(v := value_of.get(s, 0.0)) else float(v) for s in starts],
            "sample_size": [int(sample_of.get(s, 0)) for s in starts],
            "note": "",
        }
    )
