"""Pure DORA computations (docs/metrics.md#dora-metrics): which releases failed and why, which
are rework, when each failed release recovered, and the rows of change_failure_rate,
failed_deployment_recovery_hours and deployment_rework_rate. Frames in, frames out; no I/O.

Inputs:
- `releases`: apps.delivery.selectors.RELEASE_COLUMNS (repo_id, repo, team, release,
  released_at, url), sorted by repo and instant.
- `pulls`: merged PRs (apps.quality.selectors.PULL_DETAIL_COLUMNS with issue_key): repo_id,
  repo, number, title, body, labels, user_login, user_type, merged_at, additions, deletions;
  optional merge_commit_sha and closing_issue_refs ("owner/name#N").
- `commits` (optional): repo_id, number, sha of the PRs' commits.
- `outages`: apps.reliability.selectors.INCIDENT_COLUMNS of outage-urgency incidents.
"""

import bisect
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import numpy as np
import pandas as pd

from apps.core.periods import GRANULARITIES, Granularity, periods_of
from apps.delivery.computations import changes_shipped
from apps.delivery.links import closing_refs
from apps.metrics.frames import scope_periods
from apps.metrics.registry import FRAME_COLUMNS, frame_empty

# `git revert` and GitHub's revert button title a revert `Revert "<title>"`; git writes
# "This reverts commit <sha>." in its message (https://git-scm.com/docs/git-revert).
REVERT_TITLE = re.compile(r'^Revert "(?P<title>.+)"$', re.DOTALL)
REVERTS_COMMIT = re.compile(r"\bThis reverts commit ([0-9a-fA-F]{7,40})\b")

NO_RELEASES = "no releases in period"
NO_FAILED = "no failed release in period"

RELEASE_EXTRA = ["rid", "changes", "failed", "rework", "recovered_at", "recovery_hours"]


def reverted_title(title: str) -> str | None:
    """The title a revert names (`Revert "Add login"` → "Add login"), or None."""
    match = REVERT_TITLE.match((title or "").strip())
    return match.group("title") if match else None


def reverted_shas(body: str) -> list[str]:
    """The commit shas a body names with "This reverts commit <sha>" (lower-case)."""
    return [sha.lower() for sha in REVERTS_COMMIT.findall(body or "")]


@dataclass
class Verdicts:
    """Every release with its verdicts, and what could not be placed.

    `releases`: the input columns plus rid (row id), changes (PRs shipped), failed, rework
    (bool), recovered_at (NaT while not recovered or not failed), recovery_hours (NaN idem).
    `evidence`: {rid: [record dicts]} — each outage or revert that failed a release (`rule`
    "outage" or "revert") and each shipped PR that makes it rework (`rule` "revert", "hotfix"
    or "bug_fix"), and the recovery (`rule` "recovery").
    `unmapped`: outages of services mapped to no repo (they blame no release).
    `stray`: reverts matching no earlier change of their own repo (they fail no release).
    `pending`: rids of failed releases whose recovery is unknown yet (an open outage, a
    revert not released yet)."""

    releases: pd.DataFrame
    evidence: dict[int, list[dict]] = field(default_factory=dict)
    unmapped: pd.DataFrame = field(default_factory=pd.DataFrame)
    stray: pd.DataFrame = field(default_factory=pd.DataFrame)
    pending: set[int] = field(default_factory=set)


def _iso(value) -> str | None:
    return None if value is None or pd.isna(value) else pd.Timestamp(value).isoformat()


def _labels(value) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list | tuple) else []


def _revert_targets(pulls: pd.DataFrame, commits: pd.DataFrame | None) -> pd.DataFrame:
    """One row per (revert PR, PR of the same repo it reverts): revert_idx, target_idx (row
    positions in `pulls`), via (title | commit). The title rule takes the latest earlier-merged
    PR of that exact title; the commit rule any PR with a commit (or merge commit) whose sha
    starts with the named one."""
    rows: list[tuple[int, int, str]] = []
    inner = pulls["title"].map(reverted_title)
    named = pulls.index[inner.notna()]
    if len(named):
        by_title: dict[tuple[int, str], list[tuple[pd.Timestamp, int]]] = {}
        wanted = set(zip(pulls.loc[named, "repo_id"], inner[named], strict=True))
        for idx, repo_id, title, merged in zip(
            pulls.index, pulls["repo_id"], pulls["title"], pulls["merged_at"], strict=True
        ):
            if (repo_id, title) in wanted:
                by_title.setdefault((repo_id, title), []).append((merged, idx))
        for idx in named:
            me = pulls.loc[idx]
            earlier = [
                (m, i)
                for m, i in by_title.get((me["repo_id"], inner[idx]), [])
                if m < me["merged_at"] and i != idx
            ]
            if earlier:
                rows.append((idx, max(earlier)[1], "title"))
    shas = pulls["body"].map(reverted_shas)
    citing = pulls.index[shas.map(bool)]
    if len(citing):
        index = _sha_index(pulls, commits)
        for idx in citing:
            repo_id = pulls.at[idx, "repo_id"]
            known = index.get(repo_id, ([], []))
            for sha in shas[idx]:
                for target in _prefixed(known, sha):
                    if target != idx:
                        rows.append((idx, target, "commit"))
    out = pd.DataFrame(rows, columns=["revert_idx", "target_idx", "via"])
    return out.drop_duplicates(["revert_idx", "target_idx"], keep="first")


def _sha_index(
    pulls: pd.DataFrame, commits: pd.DataFrame | None
) -> dict[int, tuple[list[str], list[int]]]:
    """{repo_id: (sorted shas, PR row of each)} over the PRs' commits and merge commits."""
    position = {
        (r, n): i for i, r, n in zip(pulls.index, pulls["repo_id"], pulls["number"], strict=True)
    }
    pairs: list[tuple[int, str, int]] = []
    if commits is not None and not commits.empty:
        for repo_id, number, sha in zip(
            commits["repo_id"], commits["number"], commits["sha"], strict=True
        ):
            row = position.get((repo_id, number))
            if row is not None and sha:
                pairs.append((repo_id, str(sha).lower(), row))
    if "merge_commit_sha" in pulls.columns:
        for row, repo_id, sha in zip(
            pulls.index, pulls["repo_id"], pulls["merge_commit_sha"], strict=True
        ):
            if isinstance(sha, str) and sha:
                pairs.append((repo_id, sha.lower(), row))
    out: dict[int, tuple[list[str], list[int]]] = {}
    for repo_id, sha, row in sorted(pairs):
        shas, rows = out.setdefault(repo_id, ([], []))
        shas.append(sha)
        rows.append(row)
    return out


def _prefixed(known: tuple[list[str], list[int]], prefix: str) -> list[int]:
    shas, rows = known
    found = []
    at = bisect.bisect_left(shas, prefix)
    while at < len(shas) and shas[at].startswith(prefix):
        found.append(rows[at])
        at += 1
    return found


def _blamed(
    releases: pd.DataFrame, outages: pd.DataFrame, service_repos: dict[str, list[int]], hours: float
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(blame, unmapped): blame has one row per outage that fails a release (pd_id, rid); an
    outage blames the latest release, over the repos its service maps to, that it starts after,
    before that repo's next release, within `hours`. unmapped: outages of services that map to
    no repo."""
    if outages.empty:
        return pd.DataFrame(columns=["pd_id", "rid"]), outages.iloc[0:0]
    mapped = outages["service_key"].map(lambda key: bool(service_repos.get(key)))
    unmapped = outages[~mapped.astype(bool)]
    pairs = [
        (pd_id, repo_id, created)
        for pd_id, key, created in zip(
            outages["pd_id"], outages["service_key"], outages["created_at"], strict=True
        )
        for repo_id in service_repos.get(key, [])
    ]
    if not pairs or releases.empty:
        return pd.DataFrame(columns=["pd_id", "rid"]), unmapped
    left = pd.DataFrame(pairs, columns=["pd_id", "repo_id", "created_at"])
    left["repo_id"] = left["repo_id"].astype("int64")
    left = left.sort_values("created_at", kind="stable").reset_index(drop=True)
    right = releases[["rid", "repo_id", "released_at", "next_at"]].copy()
    right["repo_id"] = right["repo_id"].astype("int64")
    right = right.sort_values(["released_at", "rid"], kind="stable").reset_index(drop=True)
    left["created_at"] = left["created_at"].astype(right["released_at"].dtype)
    joined = pd.merge_asof(
        left,
        right,
        left_on="created_at",
        right_on="released_at",
        by="repo_id",
        direction="backward",
        allow_exact_matches=False,
    )
    joined = joined[joined["rid"].notna()]
    before_next = joined["next_at"].isna() | (joined["created_at"] < joined["next_at"])
    within = (joined["created_at"] - joined["released_at"]) <= pd.Timedelta(hours=hours)
    joined = joined[before_next & within]
    if joined.empty:
        return pd.DataFrame(columns=["pd_id", "rid"]), unmapped
    latest = joined.sort_values(["released_at", "rid"], kind="stable").groupby("pd_id").tail(1)
    return latest[["pd_id", "rid"]].astype({"rid": "int64"}).reset_index(drop=True), unmapped


def _bug_fix(
    pulls: pd.DataFrame, bug_issues: set[tuple[str, int]], jira_bugs: set[str]
) -> pd.Series:
    """Whether each PR closes a bug, known or not: a closing keyword (or GitHub's closing
    issues) naming a GitHub bug issue, or a Jira issue of a bug type as its issue."""
    refs = [
        {(r.lower(), n) for r, n in closing_refs(body, repo)}
        for body, repo in zip(pulls["body"].tolist(), pulls["repo"].tolist(), strict=True)
    ]
    if "closing_issue_refs" in pulls.columns:
        for found, closing in zip(refs, pulls["closing_issue_refs"].tolist(), strict=True):
            for ref in closing if isinstance(closing, list | tuple) else []:
                repo, _, number = str(ref).rpartition("#")
                if number.isdigit():
                    found.add((repo.lower(), int(number)))
    issue = pulls["issue_key"] if "issue_key" in pulls.columns else pd.Series("", pulls.index)
    return pd.Series(
        [bool(r & bug_issues) or k in jira_bugs for r, k in zip(refs, issue, strict=True)],
        index=pulls.index,
        dtype=bool,
    )


def release_verdicts(
    releases: pd.DataFrame,
    pulls: pd.DataFrame,
    outages: pd.DataFrame,
    *,
    service_repos: dict[str, list[int]],
    window_hours: float,
    hotfix_labels: Iterable[str],
    bug_issues: set[tuple[str, int]] = frozenset(),  # type: ignore[assignment]
    jira_bugs: set[str] = frozenset(),  # type: ignore[assignment]
    commits: pd.DataFrame | None = None,
    repo_teams: dict[int, str] | None = None,
    with_evidence: bool = True,
) -> Verdicts:
    """Judge every release (docs/metrics.md#change_failure_rate,
    #failed_deployment_recovery_hours, #deployment_rework_rate). Without `with_evidence` (a
    recompute, which needs the verdicts only) the shipped PRs that make a release rework are not
    listed in `evidence`."""
    rel = releases.reset_index(drop=True).copy()
    rel["rid"] = np.arange(len(rel), dtype="int64")
    rel["next_at"] = rel.groupby("repo_id")["released_at"].shift(-1)
    # Keys as integers: a frame concatenated with an empty one read by COPY has float keys.
    pulls = pulls.reset_index(drop=True).astype({"repo_id": "int64", "number": "int64"})
    shipped = changes_shipped(rel, pulls)
    rid_of = dict(zip(zip(rel["repo_id"], rel["release"], strict=True), rel["rid"], strict=True))
    shipped_rid = {
        (repo_id, number): rid_of[(repo_id, release)]
        for repo_id, number, release in zip(
            shipped["repo_id"], shipped["number"], shipped["release"], strict=True
        )
    }
    changes = pd.Series(list(shipped_rid.values()), dtype="float64")
    rel["changes"] = rel["rid"].map(changes.value_counts()).fillna(0).astype("int64")
    evidence: dict[int, list[dict]] = {}

    def cite(rid: int, record: dict) -> None:
        evidence.setdefault(int(rid), []).append(record)

    # (a) outages.
    blame, unmapped = _blamed(rel, outages, service_repos, window_hours)
    by_id = outages.set_index("pd_id") if not outages.empty else outages
    outage_end: dict[int, list] = {}
    for pd_id, rid in zip(blame["pd_id"], blame["rid"], strict=True):
        o = by_id.loc[pd_id]
        cite(
            rid,
            {
                "rule": "outage",
                "incident": pd_id,
                "service": o["service_key"],
                "title": o["title"],
                "started_at": _iso(o["created_at"]),
                "resolved_at": _iso(o["resolved_at"]),
                "hours_after_release": round(
                    (o["created_at"] - rel.at[rid, "released_at"]).total_seconds() / 3600, 3
                ),
                "url": o["html_url"],
            },
        )
        outage_end.setdefault(int(rid), []).append(o["resolved_at"])
    failed = set(blame["rid"].astype(int))

    # (b) reverts: a change merged after the release that reverts one the release shipped.
    targets = _revert_targets(pulls, commits)
    reverted_by: dict[int, list[int]] = {}
    stray_rows = []
    found = set(targets["revert_idx"])
    is_revert = pulls["title"].map(reverted_title).notna() | pulls["body"].map(reverted_shas).map(
        bool
    )
    for idx in pulls.index[is_revert]:
        if idx not in found:
            stray_rows.append(idx)
    for revert, target, via in zip(
        targets["revert_idx"], targets["target_idx"], targets["via"], strict=True
    ):
        t = pulls.loc[target]
        rid = shipped_rid.get((t["repo_id"], t["number"]))
        r = pulls.loc[revert]
        if rid is None or not r["merged_at"] > rel.at[rid, "released_at"]:
            continue  # reverted before any release shipped it: rework, not a failure
        failed.add(int(rid))
        reverted_by.setdefault(int(rid), []).append(revert)
        cite(
            rid,
            {
                "rule": "revert",
                "revert": f"{r['repo']}#{int(r['number'])}",
                "revert_title": r["title"],
                "reverted": f"{t['repo']}#{int(t['number'])}",
                "matched_by": via,
                "merged_at": _iso(r["merged_at"]),
                "released_in": _release_name(rel, shipped_rid.get((r["repo_id"], r["number"]))),
            },
        )
    stray = pulls.loc[stray_rows, ["repo_id", "repo", "number", "title", "merged_at"]]
    teams = repo_teams if repo_teams is not None else _repo_team(rel)
    stray = stray.assign(team=stray["repo_id"].map(teams).fillna("").astype(object))

    # Rework: a release shipping a revert, a hotfix or a bug fix.
    hotfix = set(hotfix_labels)
    flags = pd.DataFrame(
        {
            "revert": is_revert,
            "hotfix": pulls["labels"].map(lambda ls: bool(set(_labels(ls)) & hotfix)),
            "bug_fix": _bug_fix(pulls, set(bug_issues), set(jira_bugs)),
        },
        index=pulls.index,
    )
    flagged = pulls[flags.any(axis=1).to_numpy()]
    rids = pd.Series(
        [
            shipped_rid.get((r, n))
            for r, n in zip(flagged["repo_id"].tolist(), flagged["number"].tolist(), strict=True)
        ],
        index=flagged.index,
        dtype="float64",
    )
    flagged, rids = flagged[rids.notna().to_numpy()], rids.dropna().astype("int64")
    rework = set(rids.tolist())
    hotfix_release = set(rids[flags.loc[flags.index.isin(rids.index), "hotfix"]].tolist())
    for idx in flagged.index if with_evidence else []:
        p, rid = pulls.loc[idx], int(rids[idx])
        for rule in ("revert", "hotfix", "bug_fix"):
            if flags.at[idx, rule]:
                cite(
                    rid,
                    {
                        "rule": f"rework_{rule}",
                        "pull_request": f"{p['repo']}#{int(p['number'])}",
                        "title": p["title"],
                        "merged_at": _iso(p["merged_at"]),
                    },
                )

    # Recovery of each failed release.
    recovered_at: dict[int, pd.Timestamp] = {}
    pending: set[int] = set()
    next_rid = rel.groupby("repo_id")["rid"].shift(-1)
    for rid in sorted(failed):
        parts, waiting = [], False
        ends = outage_end.get(rid, [])
        if ends:
            if any(pd.isna(e) for e in ends):
                waiting = True
            else:
                parts.append(max(ends))
        reverts = reverted_by.get(rid, [])
        if reverts:
            at = [
                rel.at[shipped_rid[key], "released_at"]
                for key in ((pulls.at[i, "repo_id"], pulls.at[i, "number"]) for i in reverts)
                if key in shipped_rid
            ]
            if at:
                parts.append(min(at))
            else:
                waiting = True
        following = next_rid.iloc[rid]
        if not pd.isna(following) and int(following) in hotfix_release:
            parts.append(rel.at[int(following), "released_at"])
        if waiting or not parts:
            pending.add(rid)
            continue
        recovered_at[rid] = max(max(parts), rel.at[rid, "released_at"])
        cite(rid, {"rule": "recovery", "recovered_at": _iso(recovered_at[rid])})

    rel["failed"] = rel["rid"].isin(failed)
    rel["rework"] = rel["rid"].isin(rework)
    rel["recovered_at"] = pd.to_datetime(rel["rid"].map(recovered_at), utc=True).astype(
        rel["released_at"].dtype
    )
    rel["recovery_hours"] = (
        (rel["recovered_at"] - rel["released_at"]).dt.total_seconds() / 3600.0
    ).clip(lower=0.0)
    return Verdicts(
        releases=rel,
        evidence=evidence,
        unmapped=unmapped.reset_index(drop=True),
        stray=stray.reset_index(drop=True),
        pending=pending,
    )


def _release_name(rel: pd.DataFrame, rid) -> str | None:
    return None if rid is None else str(rel.at[rid, "release"])


def _repo_team(rel: pd.DataFrame) -> dict:
    return dict(zip(rel["repo_id"], rel["team"], strict=True))


# --- rows -----------------------------------------------------------------------------------


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _count_by(periods: pd.Series, mask: pd.Series | None = None) -> dict:
    if mask is not None:
        periods = periods[mask.to_numpy()]
    return periods.value_counts().to_dict()


@dataclass(frozen=True)
class _Side:
    """Notes per period for one scope: outages mapped to no repo, stray reverts."""

    unmapped: dict
    unmapped_ids: dict
    stray: dict
    stray_ids: dict


def _side_notes(v: Verdicts, scope: str, key: str, g: Granularity, tz: str, teams: dict) -> _Side:
    unmapped, stray = v.unmapped, v.stray
    if scope == "team":
        if not unmapped.empty:
            unmapped = unmapped[unmapped["service_key"].map(teams).fillna("") == key]
        if not stray.empty:
            stray = stray[stray["team"] == key]

    def grouped(frame: pd.DataFrame, column: str, label) -> tuple[dict, dict]:
        if frame.empty:
            return {}, {}
        periods = periods_of(frame[column], g, tz)
        counts = periods.value_counts().to_dict()
        ids: dict = {}
        for p, name in zip(periods, label(frame), strict=True):
            ids.setdefault(p, []).append(name)
        return counts, ids

    u_counts, u_ids = grouped(unmapped, "created_at", lambda f: f["service_key"].tolist())
    s_counts, s_ids = grouped(
        stray,
        "merged_at",
        lambda f: [f"{r}#{int(n)}" for r, n in zip(f["repo"], f["number"], strict=True)],
    )
    return _Side(u_counts, u_ids, s_counts, s_ids)


def _join(*notes: str) -> str:
    return "; ".join(n for n in notes if n)


def _failure_notes(p, side: _Side, empty_changes: dict) -> str:
    notes = []
    if empty_changes.get(p):
        n = empty_changes[p]
        notes.append(f"{_plural(n, 'release', 'releases')} shipped no change (counted)")
    if side.unmapped.get(p):
        n = side.unmapped[p]
        services = ", ".join(sorted(set(side.unmapped_ids[p])))
        notes.append(
            f"{_plural(n, 'outage', 'outages')} on services mapped to no repo ({services}) "
            "blame no release"
        )
    if side.stray.get(p):
        n = side.stray[p]
        names = ", ".join(side.stray_ids[p][:3])
        notes.append(
            f"{_plural(n, 'revert matches', 'reverts match')} no earlier change of its repo "
            f"({names}): fails no release"
        )
    return _join(*notes)


def dora_rows(
    v: Verdicts,
    *,
    tz: str,
    now: datetime,
    service_teams: dict[str, str] | None = None,
    granularities: tuple[Granularity, ...] = GRANULARITIES,
) -> pd.DataFrame:
    """Registry rows of change_failure_rate, deployment_rework_rate and
    failed_deployment_recovery_hours for the org and each team with releases, over the
    periods of their releases through the current one (apps.metrics.frames.scope_periods)."""
    rel = v.releases
    if rel.empty:
        return frame_empty()
    teams = service_teams or {}
    scoped = {("org", ""): rel}
    for team, rows in rel[rel["team"] != ""].groupby("team"):
        scoped[("team", str(team))] = rows
    out: list[tuple] = []
    for g in granularities:
        firsts, lasts = {}, {}
        periods = {k: periods_of(s["released_at"], g, tz) for k, s in scoped.items()}
        for k, p in periods.items():
            firsts[k], lasts[k] = min(p), max(p)
        grid = scope_periods(g, firsts=firsts, lasts=lasts, now=now, tz=tz)
        for (scope, key), starts in grid.items():
            s, p = scoped[(scope, key)], periods[(scope, key)]
            total = _count_by(p)
            failed = _count_by(p, s["failed"])
            rework = _count_by(p, s["rework"])
            empty = _count_by(p, s["changes"] == 0)
            recovered = s["recovery_hours"].notna()
            hours: dict = {}
            late = s.loc[recovered, "recovery_hours"]
            for period, h in zip(p[recovered.to_numpy()], late, strict=True):
                hours.setdefault(period, []).append(float(h))
            waiting = _count_by(p, s["rid"].isin(v.pending))
            side = _side_notes(v, scope, key, g, tz, teams)
            for start in starts:
                n = int(total.get(start, 0))
                extra = _failure_notes(start, side, empty)
                if n:
                    cfr, rwr = failed.get(start, 0) / n, rework.get(start, 0) / n
                    out.append(("change_failure_rate", scope, key, g, start, cfr, n, extra))
                    out.append(("deployment_rework_rate", scope, key, g, start, rwr, n, ""))
                else:
                    note = _join(NO_RELEASES, extra)
                    out.append(("change_failure_rate", scope, key, g, start, np.nan, 0, note))
                    out.append(
                        ("deployment_rework_rate", scope, key, g, start, np.nan, 0, NO_RELEASES)
                    )
                values, late = hours.get(start, []), int(waiting.get(start, 0))
                note = (
                    f"{_plural(late, 'failed release', 'failed releases')} not recovered yet "
                    "(left out)"
                    if late
                    else ""
                )
                if values:
                    value, size = float(np.median(values)), len(values)
                else:
                    value, size = np.nan, 0
                    note = note or NO_FAILED
                out.append(
                    ("failed_deployment_recovery_hours", scope, key, g, start, value, size, note)
                )
    return pd.DataFrame(out, columns=list(FRAME_COLUMNS))


def window_values(v: Verdicts, start: datetime, end: datetime, team: str | None) -> dict:
    """{metric: (value or None, sample_size, note)} over the releases in `[start, end)` (of one
    team when `team`), by the same rules as a period."""
    rel = v.releases
    if team is not None:
        rel = rel[rel["team"] == team]
    inside = rel[(rel["released_at"] >= start) & (rel["released_at"] < end)]
    n = len(inside)
    out: dict[str, tuple[float | None, int, str]]
    if not n:
        none = (None, 0, NO_RELEASES)
        out = {"change_failure_rate": none, "deployment_rework_rate": none}
    else:
        out = {
            "change_failure_rate": (float(inside["failed"].sum()) / n, n, ""),
            "deployment_rework_rate": (float(inside["rework"].sum()) / n, n, ""),
        }
    hours = inside["recovery_hours"].dropna()
    out["failed_deployment_recovery_hours"] = (
        (float(hours.median()), len(hours), "") if len(hours) else (None, 0, NO_FAILED)
    )
    return out
