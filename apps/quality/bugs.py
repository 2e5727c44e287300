"""Pure bug computations (docs/metrics.md#unanticipated-bugs): which issues are bugs, known or not,
of what impact, and the `bugs_new` / `bug_impact_days` series. Frames in, frames out; no I/O.

Input frames (apps.quality.selectors):
- `jira`: key, team, issue_type, subtask, priority, resolution, labels (list), created_at,
  resolved_at (datetime64[ns, UTC], NaT while open), assignee_id, reporter_id, story_points.
- `issues`: the issues of code hosts' repos (GitHub, GitLab): repo, team, number, state_reason,
  labels (list), created_at, closed_at (NaT while open), user_login, assignee_login, provider
  (the source kind, the bug record's `kind`).
"""

from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import Granularity, period_bounds, period_of
from apps.metrics.frames import period_starts
from apps.organization.schema import BugSettings
from apps.quality.models import JiraIssue

BUG_COLUMNS = [
    "ref",
    "kind",
    "team",
    "created_at",
    "resolved_at",
    "impact",
    "weight",
    "known",
    "unmapped_priority",
    "assignee",
    "reporter",
]
DAY_SECONDS = 86400.0
# Closed as not a bug at all (docs/metrics.md#not-a-bug): GitHub's state_reason values and the
# labels of GitHub's default set that say so. Jira's come from bugs.ignored_resolutions.
# GitHub: https://docs.github.com/en/rest/issues/issues#update-an-issue (state_reason)
NOT_A_BUG_STATE_REASONS = ("not_planned", "duplicate")
NOT_A_BUG_LABELS = ("duplicate", "invalid")


def jira_not_a_bug(jira: pd.DataFrame, settings: BugSettings) -> pd.Series:
    """Issues resolved with one of `bugs.ignored_resolutions`: counted nowhere."""
    return jira["resolution"].isin(settings.ignored_resolutions)


def issue_not_a_bug(issues: pd.DataFrame) -> pd.Series:
    """Issues closed as not planned or duplicate, or labelled duplicate / invalid (any case):
    counted nowhere."""
    closed_so = issues["state_reason"].isin(NOT_A_BUG_STATE_REASONS)
    labelled = issues["labels"].map(
        lambda labels: any(label.lower() in NOT_A_BUG_LABELS for label in labels)
    )
    return (closed_so | labelled.astype(bool)).astype(bool)


def _jira_bugs(jira: pd.DataFrame, settings: BugSettings) -> pd.DataFrame:
    rows = jira[jira["issue_type"].isin(settings.jira_types) & ~jira_not_a_bug(jira, settings)]
    priorities = settings.impact.jira_priorities
    known = rows["labels"].map(lambda ls: bool(set(ls) & set(settings.known_labels)))
    known |= rows["resolution"].isin(settings.known_resolutions)
    mapped = rows["priority"].isin(list(priorities))
    return pd.DataFrame(
        {
            "ref": rows["key"],
            "kind": JiraIssue.PROVIDER,
            "team": rows["team"],
            "created_at": rows["created_at"],
            "resolved_at": rows["resolved_at"],
            "impact": rows["priority"].map(priorities).fillna(settings.impact.default),
            "known": known,
            "unmapped_priority": rows["priority"].where(~mapped, ""),
            "assignee": rows["assignee_id"],
            "reporter": rows["reporter_id"],
        }
    )


def _label_impact(labels: list[str], settings: BugSettings) -> str:
    for label in labels:
        if label in settings.impact.github_labels:
            return settings.impact.github_labels[label]
    return settings.impact.default


def _issue_bugs(issues: pd.DataFrame, settings: BugSettings) -> pd.DataFrame:
    wanted = set(settings.github_labels)
    labelled = issues["labels"].map(lambda ls: bool(set(ls) & wanted)).astype(bool)
    rows = issues[labelled & ~issue_not_a_bug(issues)]
    return pd.DataFrame(
        {
            "ref": rows["repo"] + "#" + rows["number"].astype(str),
            "kind": rows["provider"],
            "team": rows["team"],
            "created_at": rows["created_at"],
            "resolved_at": rows["closed_at"],
            "impact": rows["labels"].map(lambda ls: _label_impact(ls, settings)),
            "known": rows["labels"].map(lambda ls: bool(set(ls) & set(settings.known_labels))),
            "unmapped_priority": "",
            "assignee": rows["assignee_login"],
            "reporter": rows["user_login"],
        }
    )


def bugs_classify(jira: pd.DataFrame, issues: pd.DataFrame, settings: BugSettings) -> pd.DataFrame:
    """Every bug (known or not) with `BUG_COLUMNS`: impact high|medium|low, weight (float from
    `impact.weights`), known (bool), unmapped_priority (the Jira priority name when the config
    does not map it and the default impact applied, else ""). Issues closed as not a bug
    (`jira_not_a_bug`, `issue_not_a_bug`) are no bugs at all."""
    parts = [f for f in (_jira_bugs(jira, settings), _issue_bugs(issues, settings)) if len(f)]
    if not parts:
        return pd.DataFrame(columns=BUG_COLUMNS).astype({"known": bool, "weight": "float64"})
    bugs = pd.concat(parts, ignore_index=True)
    weights = settings.impact.weights.model_dump()
    bugs["weight"] = bugs["impact"].map(weights).astype("float64")
    bugs["known"] = bugs["known"].astype(bool)
    return bugs[BUG_COLUMNS]


def open_days_in(bugs: pd.DataFrame, start: datetime, end: datetime, now: datetime) -> pd.Series:
    """Days (float) of each bug's open interval [created_at, resolved_at or now) inside
    [start, end). An empty frame (no bug at all) gives an empty Series."""
    if bugs.empty:
        return pd.Series(index=bugs.index, dtype="float64")
    until = bugs["resolved_at"].fillna(pd.Timestamp(now)).clip(upper=pd.Timestamp(end))
    since = bugs["created_at"].clip(lower=pd.Timestamp(start))
    return ((until - since).dt.total_seconds() / DAY_SECONDS).clip(lower=0.0)


def impact_days_series(
    bugs: pd.DataFrame,
    *,
    scope: str,
    scope_key: str,
    granularity: Granularity,
    tz: str,
    now: datetime,
    first: date | None = None,
) -> pd.DataFrame:
    """`bug_impact_days` rows for one scope: per period, sum of weight × open days inside it,
    over the (unanticipated) `bugs` given; 0 from the first bug's period to the current one.
    sample_size = bugs open at some time in the period. Notes name unmapped priorities.
    `first` starts the series earlier (a since-recompute reading only recent bugs).

    Vectorised: with u = resolved_at or now, the weighted open time before instant t is
    W(t) = Σ w·(t − created)⁺ − Σ w·(t − u)⁺, so a period's value is W(end) − W(start), read
    from cumulative sums at `searchsorted` bounds (seconds relative to the first period, so
    whole-second data stays exact in float64). Equals summing `open_days_in` per period."""
    if bugs.empty and first is None:
        return pd.DataFrame()
    if not bugs.empty:
        data_first = period_of(bugs["created_at"].min().to_pydatetime(), granularity, tz)
        first = data_first if first is None else min(first, data_first)
    starts = period_starts(granularity, first=first, now=now, tz=tz)
    edges = [period_bounds(s, granularity, tz)[0] for s in starts]
    edges.append(period_bounds(starts[-1], granularity, tz)[1])
    origin = pd.Timestamp(edges[0])
    seconds = lambda col: (col - origin).dt.total_seconds().to_numpy(float)  # noqa: E731
    created = seconds(bugs["created_at"])
    until = seconds(bugs["resolved_at"].fillna(pd.Timestamp(now)))
    live = until > created  # a bug resolved before it was created is never open
    t = np.array([(pd.Timestamp(e) - origin).total_seconds() for e in edges])
    weighted = _weighted_open(created[live], until[live], bugs["weight"].to_numpy(float)[live], t)
    open_count = np.searchsorted(np.sort(created[live]), t[1:], side="left") - np.searchsorted(
        np.sort(until[live]), t[:-1], side="right"
    )
    values = np.diff(weighted) / DAY_SECONDS
    notes = _unmapped_notes(bugs[live], created[live], until[live], t)
    return pd.DataFrame(
        {
            "metric": "bug_impact_days",
            "scope": scope,
            "scope_key": scope_key,
            "granularity": granularity,
            "period_start": starts,
            "value": values.astype(float),
            "sample_size": open_count.astype(int),
            "note": notes,
        }
    )


def _weighted_open(
    created: np.ndarray, until: np.ndarray, weight: np.ndarray, t: np.ndarray
) -> np.ndarray:
    """W(t) = Σ w·(t − created)⁺ − Σ w·(t − until)⁺ at each instant of `t` (seconds)."""

    def ramp(points: np.ndarray) -> np.ndarray:
        order = np.argsort(points, kind="stable")
        p, w = points[order], weight[order]
        cw = np.concatenate([[0.0], np.cumsum(w)])
        cwp = np.concatenate([[0.0], np.cumsum(w * p)])
        k = np.searchsorted(p, t, side="left")
        return t * cw[k] - cwp[k]

    return ramp(created) - ramp(until)


def _unmapped_notes(
    bugs: pd.DataFrame, created: np.ndarray, until: np.ndarray, t: np.ndarray
) -> list[str]:
    """The note of each period [t[i], t[i+1]) from the bugs with an unmapped priority open in
    it (usually none, so the loop is over a handful of bugs)."""
    flagged = (bugs["unmapped_priority"] != "").to_numpy(bool)
    if not flagged.any():
        return [""] * (len(t) - 1)
    names = bugs["unmapped_priority"].to_numpy(object)[flagged]
    c, u = created[flagged], until[flagged]
    notes = []
    for lo, hi in zip(t[:-1], t[1:], strict=True):
        inside = (np.minimum(u, hi) - np.maximum(c, lo)) > 0
        notes.append(_unmapped_note(pd.DataFrame({"unmapped_priority": names[inside]})))
    return notes


def _unmapped_note(bugs: pd.DataFrame) -> str:
    names = sorted({n for n in bugs["unmapped_priority"] if n})
    if not names:
        return ""
    count = int((bugs["unmapped_priority"] != "").sum())
    return (
        f"{count} bug(s) with a Jira priority the config does not map "
        f"({', '.join(names)}): the default impact applied"
    )
