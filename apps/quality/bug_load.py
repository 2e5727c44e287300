"""Pure bug-fix-load computations (docs/metrics.md#bug-fix-load-per-engineer): engineers' work
items, `bug_fix_share`, `churn_risk` with its components, `engineers_at_risk`. Frames in, frames
out; no I/O.

Inputs: `jira` (apps.quality.selectors.JIRA_COLUMNS), `pulls` (PULL_DETAIL_COLUMNS, with
issue_key), `bug_issues` ({(repo lower-case, number): reporter login} of GitHub bug
issues), `people` ({(provider, external id): email}), `teams` ({email: team slug}).

Work items (`ITEM_COLUMNS`): person (e-mail), team, kind (jira|pull), ref, completed_at,
bug (bool), by_other (1.0 / 0.0, NaN when not a bug or the reporter is unknown),
small_slow (bool: a bug fix under 20 changed lines open more than 5 days).
"""

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from apps.delivery.links import bot_mask, closing_refs

ITEM_COLUMNS = ["person", "team", "kind", "ref", "completed_at", "bug", "by_other", "small_slow"]
SMALL_LINES, SLOW_DAYS = 20, 5.0
# churn_risk = Σ weight × component (each component in 0..1, so the score is in 0..1).
WEIGHTS = {"bug_share": 0.4, "rise": 0.2, "by_others": 0.2, "small_slow": 0.2}
NO_ITEMS_NOTE = "no work items completed in period"


def jira_items(
    jira: pd.DataFrame, pulls: pd.DataFrame, jira_types: list[str], people: dict, teams: dict
) -> pd.DataFrame:
    """Resolved Jira issues (not sub-tasks) whose assignee is a configured person, as
    `ITEM_COLUMNS` (column operations over the whole frame; no loop per issue)."""
    lines = (pulls["additions"] + pulls["deletions"]).groupby(pulls["issue_key"]).sum()
    accounts = {
        external: email for (provider, external), email in people.items() if provider == "jira"
    }
    rows = jira[~jira["subtask"].astype(bool) & jira["resolved_at"].notna()]
    person = rows["assignee_id"].map(accounts)
    rows, person = rows[person.notna()], person[person.notna()]
    bug = rows["issue_type"].isin(jira_types)
    reported = rows["reporter_id"].fillna("").astype(str) != ""
    by_other = (rows["reporter_id"] != rows["assignee_id"]).astype(float).where(bug & reported)
    changed = rows["key"].map(lines).astype(float)
    slow = (rows["resolved_at"] - rows["created_at"]) > timedelta(days=SLOW_DAYS)
    return pd.DataFrame(
        {
            "person": person,
            "team": person.map(teams).fillna(""),
            "kind": "jira",
            "ref": rows["key"],
            "completed_at": rows["resolved_at"],
            "bug": bug,
            "by_other": by_other,
            "small_slow": bug & changed.notna() & (changed < SMALL_LINES) & slow,
        },
        columns=ITEM_COLUMNS,
    )


def pull_items(
    pulls: pd.DataFrame, bug_issues: dict, github_labels: list[str], people: dict, teams: dict
) -> pd.DataFrame:
    """Merged PRs referencing no Jira issue, by a configured person (bots are nobody), as
    `ITEM_COLUMNS`. Column operations, but for reading each body's closing keywords."""
    logins = {
        external: email for (provider, external), email in people.items() if provider == "github"
    }
    rows = pulls[pulls["issue_key"] == ""]
    login = rows["user_login"].fillna("").astype(str)
    person = login.str.lower().map(logins)
    bot = bot_mask(login, rows["user_type"])
    keep = person.notna() & ~bot
    rows, login, person = rows[keep], login[keep], person[keep]
    closers = [
        [bug_issues[ref] for ref in closing_refs(body, repo) if ref in bug_issues]
        for body, repo in zip(rows["body"].tolist(), rows["repo"].tolist(), strict=True)
    ]
    wanted = set(github_labels)
    labelled = [bool(set(labels) & wanted) for labels in rows["labels"].tolist()]
    bug = pd.Series(
        [bool(c) or by_label for c, by_label in zip(closers, labelled, strict=True)],
        index=rows.index,
        dtype=bool,
    )
    by_other = pd.Series(
        [
            float(any(c.lower() != me.lower() for c in closed)) if closed else math.nan
            for closed, me in zip(closers, login.tolist(), strict=True)
        ],
        index=rows.index,
        dtype="float64",
    )
    lines = rows["additions"] + rows["deletions"]
    slow = (rows["merged_at"] - rows["created_at"]) > timedelta(days=SLOW_DAYS)
    return pd.DataFrame(
        {
            "person": person,
            "team": person.map(teams).fillna(""),
            "kind": "pull",
            "ref": rows["repo"] + "#" + rows["number"].astype(str),
            "completed_at": rows["merged_at"],
            "bug": bug,
            "by_other": by_other,
            "small_slow": bug & lines.notna() & (lines < SMALL_LINES) & slow,
        },
        columns=ITEM_COLUMNS,
    )


def work_items(
    jira: pd.DataFrame,
    pulls: pd.DataFrame,
    bug_issues: dict,
    *,
    jira_types: list[str],
    github_labels: list[str],
    people: dict,
    teams: dict,
    since: datetime | None = None,
    lines_from: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Every completed work item of a configured person (`ITEM_COLUMNS`); PR items only from
    PRs merged at or after `since` when given (Jira items: as `jira` was read). A Jira item's
    lines come from `lines_from` (merged PRs with issue_key, additions, deletions) when given,
    else from `pulls`."""
    merged = pulls if since is None else pulls[pulls["merged_at"] >= since]
    pulled = pull_items(merged, bug_issues, github_labels, people, teams)
    lines = pulls if lines_from is None else lines_from
    parts = [p for p in (jira_items(jira, lines, jira_types, people, teams), pulled) if len(p)]
    frame = pd.concat(parts, ignore_index=True) if parts else pulled
    frame["completed_at"] = pd.to_datetime(frame["completed_at"], utc=True)
    return frame.astype({"bug": bool, "small_slow": bool, "by_other": "float64"})


def in_window(items: pd.DataFrame, start: datetime, end: datetime) -> pd.DataFrame:
    return items[(items["completed_at"] >= start) & (items["completed_at"] < end)]


@dataclass(frozen=True)
class Churn:
    """One engineer's churn risk over a window: the components and the score (None below the
    minimum number of items)."""

    items: int
    bug_share: float
    previous_share: float | None
    rise: float
    by_others: float
    small_slow: float
    score: float | None

    def note(self, min_items: int) -> str:
        if self.score is None:
            return (
                f"{self.items} work item(s) in the window, fewer than churn.min_items ({min_items})"
            )
        previous = "none" if self.previous_share is None else f"{self.previous_share:.2f}"
        return (
            f"bug share {self.bug_share:.2f} (previous window {previous}, rise "
            f"{self.rise:.2f}), bugs reported by others {self.by_others:.2f}, small fixes "
            f"that took long {self.small_slow:.2f}; score = 0.4·bug + 0.2·rise + "
            f"0.2·others + 0.2·slow"
        )


def _share(frame: pd.DataFrame) -> float | None:
    return float(frame["bug"].mean()) if len(frame) else None


def churn_of(
    items: pd.DataFrame, *, end: datetime, window_days: int, threshold: float, min_items: int
) -> Churn:
    """Churn risk of one engineer's `items` for the window `[end - window_days, end)`:
    bug = min(1, share / threshold); rise = clip((share - previous share) / threshold, 0, 1)
    (0 without a previous window); others = share of bug items whose reporter is someone else
    (over bug items with a known reporter, 0 if none); slow = share of bug items that are small
    fixes that took long; score = 0.4·bug + 0.2·rise + 0.2·others + 0.2·slow."""
    window, threshold = timedelta(days=window_days), max(threshold, 1e-9)
    now = in_window(items, end - window, end)
    previous = _share(in_window(items, end - 2 * window, end - window))
    share = _share(now) or 0.0
    bugs = now[now["bug"]]
    others = float(bugs["by_other"].mean()) if bugs["by_other"].notna().any() else 0.0
    slow = float(bugs["small_slow"].mean()) if len(bugs) else 0.0
    rise = 0.0 if previous is None else min(max((share - previous) / threshold, 0.0), 1.0)
    parts = {
        "bug_share": min(share / threshold, 1.0),
        "rise": rise,
        "by_others": others,
        "small_slow": slow,
    }
    score = sum(WEIGHTS[k] * v for k, v in parts.items()) if len(now) >= min_items else None
    return Churn(
        len(now), share, previous, rise, others, slow, None if score is None else round(score, 12)
    )


def churn_grid(
    items: pd.DataFrame,
    *,
    people: list[str],
    ends: list[datetime],
    window_days: int,
    threshold: float,
    min_items: int,
) -> dict[tuple[str, int], Churn]:
    """`churn_of` for every person of `people` at every instant of `ends` at once:
    {(person, index into ends): Churn}, equal to calling `churn_of` per pair.

    Items are sorted once by (person, completed_at) and summed cumulatively once; the counts of
    each window (items, bugs, bugs with a known reporter and their reporters-by-others, small
    slow bug fixes) are differences of those sums at `searchsorted` bounds inside each
    person's run, so the cost is O(items log items + people × ends)."""
    window, threshold = timedelta(days=window_days), max(threshold, 1e-9)
    edges = [
        np.array([pd.Timestamp(e - k * window).value for e in ends], dtype="int64")
        for k in (2, 1, 0)
    ]
    ordered = items.sort_values(["person", "completed_at"], kind="stable")
    times = ordered["completed_at"].to_numpy("datetime64[ns]").astype("int64")
    cumulative = _cumulative_columns(ordered)
    persons = ordered["person"].to_numpy(object)
    runs = {p: (lo, hi) for p, lo, hi in _runs(persons)}
    out: dict[tuple[str, int], Churn] = {}
    for person in people:
        sums = None
        if person in runs:
            lo, hi = runs[person]
            at = [lo + np.searchsorted(times[lo:hi], edge, side="left") for edge in edges]
            sums = {}
            for name, total in cumulative.items():
                sums[name] = total[at[2]] - total[at[1]]
                sums[f"prev_{name}"] = total[at[1]] - total[at[0]]
        for i in range(len(ends)):
            out[(person, i)] = _churn_at(sums, i, threshold, min_items)
    return out


def _cumulative_columns(ordered: pd.DataFrame) -> dict[str, np.ndarray]:
    """Running sums (with a leading 0) of the window counts over `ordered` items."""
    bug = ordered["bug"].to_numpy(bool)
    known = bug & ordered["by_other"].notna().to_numpy(bool)
    columns = {
        "n": np.ones(len(ordered)),
        "bugs": bug,
        "known": known,
        "others": np.where(known, ordered["by_other"].fillna(0.0).to_numpy(float), 0.0),
        "slow": bug & ordered["small_slow"].to_numpy(bool),
    }
    return {
        name: np.concatenate([[0.0], np.cumsum(values, dtype=float)])
        for name, values in columns.items()
    }


def _runs(values: np.ndarray) -> list[tuple[object, int, int]]:
    """(value, start, end) of each run of equal consecutive `values`."""
    if len(values) == 0:
        return []
    starts = [0, *(np.flatnonzero(values[1:] != values[:-1]) + 1).tolist()]
    return [(values[a], a, b) for a, b in zip(starts, [*starts[1:], len(values)], strict=True)]


def _churn_at(
    sums: dict[str, np.ndarray] | None, i: int, threshold: float, min_items: int
) -> Churn:
    """The Churn of one window from `_window_sums` (the arithmetic of `churn_of`)."""
    if sums is None:
        n = bugs = known = slow = prev_n = prev_bugs = 0
        others = 0.0
    else:
        n, bugs, known, slow, prev_n, prev_bugs = (
            int(sums[k][i]) for k in ("n", "bugs", "known", "slow", "prev_n", "prev_bugs")
        )
        others = float(sums["others"][i])
    previous = prev_bugs / prev_n if prev_n else None
    share = bugs / n if n else 0.0
    by_others = others / known if known else 0.0
    small_slow = slow / bugs if bugs else 0.0
    rise = 0.0 if previous is None else min(max((share - previous) / threshold, 0.0), 1.0)
    parts = {
        "bug_share": min(share / threshold, 1.0),
        "rise": rise,
        "by_others": by_others,
        "small_slow": small_slow,
    }
    score = sum(WEIGHTS[k] * v for k, v in parts.items()) if n >= min_items else None
    return Churn(
        n, share, previous, rise, by_others, small_slow, None if score is None else round(score, 12)
    )
