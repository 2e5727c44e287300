"""Pure bug computations (spec §5.3): which issues are bugs, known or not, of what impact, and
the `bugs_new` / `bug_impact_days` series. Frames in, frames out; no I/O.

Input frames (apps.quality.selectors):
- `jira`: key, team, issue_type, subtask, priority, resolution, labels (list), created_at,
  resolved_at (datetime64[ns, UTC], NaT while open), assignee_id, reporter_id, story_points.
- `github`: repo, team, number, labels (list), created_at, closed_at (NaT while open),
  user_login, assignee_login.
"""

from datetime import datetime

import pandas as pd

from apps.core.periods import Granularity, iter_periods, period_bounds, period_of
from apps.organization.schema import BugSettings

BUG_COLUMNS = ["ref", "kind", "team", "created_at", "resolved_at", "impact", "weight", "known",
               "unmapped_priority", "assignee", "reporter"]
DAY_SECONDS = 86400.0


def _jira_bugs(jira: pd.DataFrame, settings: BugSettings) -> pd.DataFrame:
    rows = jira[jira["issue_type"].isin(settings.jira_types)]
    priorities = settings.impact.jira_priorities
    known = rows["labels"].map(lambda ls: bool(set(ls) & set(settings.known_labels)))
    known |= rows["resolution"].isin(settings.known_resolutions)
    mapped = rows["priority"].isin(list(priorities))
    return pd.DataFrame({
        "ref": rows["key"], "kind": "jira", "team": rows["team"],
        "created_at": rows["created_at"], "resolved_at": rows["resolved_at"],
        "impact": rows["priority"].map(priorities).fillna(settings.impact.default),
        "known": known, "unmapped_priority": rows["priority"].where(~mapped, ""),
        "assignee": rows["assignee_id"], "reporter": rows["reporter_id"],
    })


def _github_impact(labels: list[str], settings: BugSettings) -> str:
    for label in labels:
        if label in settings.impact.github_labels:
            return settings.impact.github_labels[label]
    return settings.impact.default


def _github_bugs(github: pd.DataFrame, settings: BugSettings) -> pd.DataFrame:
    wanted = set(settings.github_labels)
    rows = github[github["labels"].map(lambda ls: bool(set(ls) & wanted)).astype(bool)]
    return pd.DataFrame({
        "ref": rows["repo"] + "#" + rows["number"].astype(str), "kind": "github",
        "team": rows["team"], "created_at": rows["created_at"], "resolved_at": rows["closed_at"],
        "impact": rows["labels"].map(lambda ls: _github_impact(ls, settings)),
        "known": rows["labels"].map(lambda ls: bool(set(ls) & set(settings.known_labels))),
        "unmapped_priority": "", "assignee": rows["assignee_login"],
        "reporter": rows["user_login"],
    })


def bugs_classify(jira: pd.DataFrame, github: pd.DataFrame, settings: BugSettings) -> pd.DataFrame:
    """Every bug (known or not) with `BUG_COLUMNS`: impact high|medium|low, weight (float from
    `impact.weights`), known (bool), unmapped_priority (the Jira priority name when the config
    does not map it and the default impact applied, else "")."""
    parts = [f for f in (_jira_bugs(jira, settings), _github_bugs(github, settings)) if len(f)]
    if not parts:
        return pd.DataFrame(columns=BUG_COLUMNS).astype({"known": bool, "weight": "float64"})
    bugs = pd.concat(parts, ignore_index=True)
    weights = settings.impact.weights.model_dump()
    bugs["weight"] = bugs["impact"].map(weights).astype("float64")
    bugs["known"] = bugs["known"].astype(bool)
    return bugs[BUG_COLUMNS]


def open_days_in(bugs: pd.DataFrame, start: datetime, end: datetime, now: datetime) -> pd.Series:
    """Days (float) of each bug's open interval [created_at, resolved_at or now) inside
    [start, end)."""
    until = bugs["resolved_at"].fillna(pd.Timestamp(now)).clip(upper=pd.Timestamp(end))
    since = bugs["created_at"].clip(lower=pd.Timestamp(start))
    return ((until - since).dt.total_seconds() / DAY_SECONDS).clip(lower=0.0)


def impact_days_series(
    bugs: pd.DataFrame, *, scope: str, scope_key: str, granularity: Granularity, tz: str,
    now: datetime,
) -> pd.DataFrame:
    """`bug_impact_days` rows for one scope: per period, sum of weight × open days inside it,
    over the (unanticipated) `bugs` given; 0 from the first bug's period to the current one.
    sample_size = bugs open at some time in the period. Notes name unmapped priorities."""
    if bugs.empty:
        return pd.DataFrame()
    first = period_of(bugs["created_at"].min().to_pydatetime(), granularity, tz)
    rows = []
    for start in iter_periods(first, period_of(now, granularity, tz), granularity):
        lo, hi = period_bounds(start, granularity, tz)
        days = open_days_in(bugs, lo, hi, now)
        inside = bugs[days > 0]
        rows.append(("bug_impact_days", scope, scope_key, granularity, start,
                     float((days * bugs["weight"]).sum()), int(len(inside)),
                     _unmapped_note(inside)))
    return pd.DataFrame(rows, columns=["metric", "scope", "scope_key", "granularity",
                                       "period_start", "value", "sample_size", "note"])


def _unmapped_note(bugs: pd.DataFrame) -> str:
    names = sorted({n for n in bugs["unmapped_priority"] if n})
    if not names:
        return ""
    count = int((bugs["unmapped_priority"] != "").sum())
    return (f"{count} bug(s) with a Jira priority the config does not map "
            f"({', '.join(names)}): the default impact applied")

