"""Pure bug-fix-load computations (docs/metrics.md#bug-fix-load-per-engineer): engineers' work
items, `bug_fix_share`, `churn_risk` with its components, `engineers_at_risk`. Frames in, frames
out; no I/O.

Inputs: `jira` (apps.quality.selectors.JIRA_COLUMNS), `pulls` (PULL_DETAIL_COLUMNS, with
issue_key), `bug_issues` ({(repo lower-case, number): reporter login} of GitHub bug
issues), `people` ({(provider, external id): email}), `teams` ({email: team slug}).

Work items (`ITEM_COLUMNS`): person (e-mail), team, kind (jira|pull), ref, completed_at,
bug (bool), by_other (1.0 / 0.0: a bug fix repairing other people's code; NaN when not a bug or
unknown) and small_slow (1.0 / 0.0: a bug fix under 20 changed lines whose first commit is more
than 5 days before its merge; NaN idem), both set by `fix_components`.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

import numpy as np
import pandas as pd

from apps.delivery.links import bot_mask, closing_refs
from apps.organization.sources import code_host_identities
from apps.quality.models import JiraIssue

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
    accounts = {
        external: email
        for (provider, external), email in people.items()
        if provider == JiraIssue.PROVIDER
    }
    rows = jira[~jira["subtask"].astype(bool) & jira["resolved_at"].notna()]
    person = rows["assignee_id"].map(accounts)
    rows, person = rows[person.notna()], person[person.notna()]
    bug = rows["issue_type"].isin(jira_types)
    return pd.DataFrame(
        {
            "person": person,
            "team": person.map(teams).fillna(""),
            "kind": JiraIssue.PROVIDER,
            "ref": rows["key"],
            "completed_at": rows["resolved_at"],
            "bug": bug,
            "by_other": np.nan,
            "small_slow": np.nan,
        },
        columns=ITEM_COLUMNS,
    )


def pull_items(
    pulls: pd.DataFrame, bug_issues: dict, github_labels: list[str], people: dict, teams: dict
) -> pd.DataFrame:
    """Merged PRs referencing no Jira issue, by a configured person (bots are nobody), as
    `ITEM_COLUMNS`. Column operations, but for reading each body's closing keywords."""
    hosts = set(code_host_identities())  # PR authors are people of a code host
    logins = {
        external: email for (provider, external), email in people.items() if provider in hosts
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
    return pd.DataFrame(
        {
            "person": person,
            "team": person.map(teams).fillna(""),
            "kind": "pull",
            "ref": rows["repo"] + "#" + rows["number"].astype(str),
            "completed_at": rows["merged_at"],
            "bug": bug,
            "by_other": np.nan,
            "small_slow": np.nan,
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
    by_others: float | None  # None: unknown (no bug fix with a PR and its files)
    small_slow: float | None  # None: unknown (no bug fix with a PR)
    score: float | None

    def note(self, min_items: int) -> str:
        if self.score is None:
            return (
                f"{self.items} work item(s) in the window, fewer than churn.min_items ({min_items})"
            )
        previous = "none" if self.previous_share is None else f"{self.previous_share:.2f}"
        others = "unknown" if self.by_others is None else f"{self.by_others:.2f}"
        slow = "unknown" if self.small_slow is None else f"{self.small_slow:.2f}"
        terms = ["0.4·bug", "0.2·rise"]
        terms += [] if self.by_others is None else ["0.2·others"]
        terms += [] if self.small_slow is None else ["0.2·slow"]
        weight = 0.6 + 0.2 * ((self.by_others is not None) + (self.small_slow is not None))
        formula = " + ".join(terms)
        if weight < 1.0:
            formula = f"({formula}) / {weight:.1f}"
        unknown = [
            name
            for name, value in (
                ("repairs of others' code", self.by_others),
                ("small fixes that took long", self.small_slow),
            )
            if value is None
        ]
        left_out = (
            f"; unknown, left out and the other weights rescaled: {', '.join(unknown)}"
            if unknown
            else ""
        )
        return (
            f"bug share {self.bug_share:.2f} (previous window {previous}, rise "
            f"{self.rise:.2f}), repairs of others' code {others}, small fixes that took long "
            f"{slow}; score = {formula}{left_out}"
        )


def churn_score(parts: dict[str, float | None]) -> float:
    """Σ weight × component over the known components, divided by their weights' sum (an
    unknown component is left out and the others rescaled, docs/metrics.md#churn_risk)."""
    known = {k: v for k, v in parts.items() if v is not None}
    total = sum(WEIGHTS[k] for k in known)
    return sum(WEIGHTS[k] * v for k, v in known.items()) / total


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
    others = _component(bugs["by_other"])
    slow = _component(bugs["small_slow"])
    rise = 0.0 if previous is None else min(max((share - previous) / threshold, 0.0), 1.0)
    parts = {
        "bug_share": min(share / threshold, 1.0),
        "rise": rise,
        "by_others": others,
        "small_slow": slow,
    }
    score = churn_score(parts) if len(now) >= min_items else None
    return Churn(
        len(now), share, previous, rise, others, slow, None if score is None else round(score, 12)
    )


def _component(values: pd.Series) -> float | None:
    """The mean over the bug items whose value is known; 0 without bug items, None when there
    are bug items but none is known."""
    if not len(values):
        return 0.0
    known = values.dropna()
    return float(known.astype(float).mean()) if len(known) else None


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
    slow = pd.to_numeric(ordered["small_slow"], errors="coerce").astype(float)
    known_slow = bug & slow.notna().to_numpy(bool)
    columns = {
        "n": np.ones(len(ordered)),
        "bugs": bug,
        "known": known,
        "others": np.where(known, ordered["by_other"].fillna(0.0).to_numpy(float), 0.0),
        "known_slow": known_slow,
        "slow": np.where(known_slow, slow.fillna(0.0).to_numpy(float), 0.0),
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
        n = bugs = known = known_slow = prev_n = prev_bugs = 0
        others = slow = 0.0
    else:
        n, bugs, known, known_slow, prev_n, prev_bugs = (
            int(round(sums[k][i]))
            for k in ("n", "bugs", "known", "known_slow", "prev_n", "prev_bugs")
        )
        others, slow = float(sums["others"][i]), float(sums["slow"][i])
    previous = prev_bugs / prev_n if prev_n else None
    share = bugs / n if n else 0.0
    by_others = others / known if known else (None if bugs else 0.0)
    small_slow = slow / known_slow if known_slow else (None if bugs else 0.0)
    rise = 0.0 if previous is None else min(max((share - previous) / threshold, 0.0), 1.0)
    parts = {
        "bug_share": min(share / threshold, 1.0),
        "rise": rise,
        "by_others": by_others,
        "small_slow": small_slow,
    }
    score = churn_score(parts) if n >= min_items else None
    return Churn(
        n, share, previous, rise, by_others, small_slow, None if score is None else round(score, 12)
    )


HISTORY_COLUMNS = ["repo", "number", "first_commit_at", "others_lines", "file_lines"]


def fix_components(
    items: pd.DataFrame, pulls: pd.DataFrame, history: pd.DataFrame | None = None
) -> pd.DataFrame:
    """`items` with the two bug-fix components of each bug item
    (docs/metrics.md#churn_risk), 1.0 / 0.0, or NaN when unknown:

    - by_other ("repairs other people's code"): more than half of the lines its PRs change are
      in files whose previous change (the latest earlier merged PR touching the file) was
      authored by another person (not a bot); unknown without a PR or without the PRs' files;
    - small_slow ("small fix that took long"): its PRs change fewer than 20 lines and their
      first commit is more than 5 days before the (last) merge; unknown without a PR.

    A PR item is its own PR; a Jira bug counts through the merged PRs that reference it.
    `pulls`: repo, number, issue_key, additions, deletions, created_at, merged_at of the merged
    PRs (those of the Jira bugs included). `history` (HISTORY_COLUMNS, per PR): first_commit_at
    (earliest commit author date, NaT when none is stored: the PR's creation is used),
    others_lines and file_lines (NaN when its files are not stored)."""
    out = items.copy()
    out["by_other"] = np.nan
    out["small_slow"] = np.nan
    if out.empty or pulls.empty:
        return out
    pr = pulls[["repo", "number", "issue_key", "created_at", "merged_at"]].copy()
    pr["lines"] = pulls["additions"] + pulls["deletions"]
    if history is not None and not history.empty:
        pr = pr.merge(history[HISTORY_COLUMNS], on=["repo", "number"], how="left")
    else:
        pr = pr.assign(first_commit_at=pd.NaT, others_lines=np.nan, file_lines=np.nan)
    first = pd.to_datetime(pr["first_commit_at"], utc=True)
    believed = first.notna() & (first <= pr["merged_at"])
    pr["start"] = first.where(believed, pr["created_at"])
    pr["ref"] = pr["repo"] + "#" + pr["number"].astype(str)
    key = pr["ref"].where(pr["issue_key"] == "", pr["issue_key"])
    grouped = pr.groupby(key).agg(
        lines=("lines", lambda s: s.sum(min_count=len(s))),
        start=("start", "min"),
        end=("merged_at", "max"),
        others=("others_lines", lambda s: s.sum(min_count=len(s))),
        files=("file_lines", lambda s: s.sum(min_count=len(s))),
    )
    bug = out["bug"].to_numpy(bool)
    found = out["ref"].isin(grouped.index).to_numpy() & bug
    rows = grouped.reindex(out.loc[found, "ref"])
    slow = (rows["end"] - rows["start"]) > pd.Timedelta(days=SLOW_DAYS)
    small = (rows["lines"] < SMALL_LINES) & slow
    out.loc[found, "small_slow"] = small.astype(float).where(rows["lines"].notna()).to_numpy()
    share = rows["others"] / rows["files"].where(rows["files"] > 0)
    out.loc[found, "by_other"] = (share > 0.5).astype(float).where(share.notna()).to_numpy()
    return out
