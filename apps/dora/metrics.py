"""The DORA metric family (docs/metrics.md#dora-metrics): change_failure_rate,
failed_deployment_recovery_hours and deployment_rework_rate for the org and each team, weekly
and monthly, with each release's verdict and evidence as the records behind every number."""

from datetime import datetime

import pandas as pd
from django.db.models import Q

from apps.delivery.bands import CHANGE_FAIL_RATE, DORA_2024, RECOVERY_TIME
from apps.delivery.selectors import releases_frame, repos_configured, shipped_after
from apps.dora.computations import (
    Verdicts,
    dora_rows,
    release_verdicts,
    reverted_shas,
    reverted_title,
    window_values,
)
from apps.dora.selectors import (
    commits_citing,
    jira_bug_keys,
    merged_pulls,
    outages_frame,
    pull_links,
    repo_bugs,
    service_repos,
    sha_q,
)
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
from apps.organization.selectors import org_settings
from apps.reliability.selectors import services_frame

CHANGE_FAILURE_RATE = MetricDefinition(
    name="change_failure_rate",
    unit="ratio",
    kind="ratio",
    scopes=("org", "team"),
    description="Failed releases / releases in the period: a release fails when an outage of "
    "a service mapped to its repo starts after it (before the repo's next release, within "
    "dora.incident_window_hours), or a later change reverts one of its changes.",
    doc_anchor="change_failure_rate",
    label="Change failure rate",
    better="down",
    bands=CHANGE_FAIL_RATE,
    bands_source=DORA_2024,
)
FAILED_DEPLOYMENT_RECOVERY_HOURS = MetricDefinition(
    name="failed_deployment_recovery_hours",
    unit="hours",
    kind="median",
    scopes=("org", "team"),
    description="Median, over failed releases in the period, of recovery − release: recovery "
    "is the resolution of its last blamed outage or the release shipping its revert or a "
    "hotfix, whichever is later.",
    doc_anchor="failed_deployment_recovery_hours",
    label="Failed deployment recovery time",
    better="down",
    bands=RECOVERY_TIME,
    bands_source=DORA_2024,
)
DEPLOYMENT_REWORK_RATE = MetricDefinition(
    name="deployment_rework_rate",
    unit="ratio",
    kind="ratio",
    scopes=("org", "team"),
    description="Releases that are rework / releases in the period: a release is rework when "
    "it ships a revert, a PR with a label in dora.hotfix_labels, or a PR that closes a bug.",
    doc_anchor="deployment_rework_rate",
    label="Deployment rework rate",
    better="down",
)
METRICS = (CHANGE_FAILURE_RATE, FAILED_DEPLOYMENT_RECOVERY_HOURS, DEPLOYMENT_REWORK_RATE)


def verdicts(since_at: datetime | None = None, *, with_evidence: bool = True) -> Verdicts:
    """Every release judged. With `since_at`, only the PRs releases from it on ship (and later
    ones) and the outages open or started since are read: the verdicts of those releases are
    exact, earlier ones are not written (docs/metrics.md#dora-metrics, "Since-recomputes")."""
    settings = org_settings()
    releases = releases_frame()
    where = None if since_at is None else shipped_after(releases, since_at)
    pulls = merged_pulls(where)
    prefixes = {sha for body in pulls["body"] for sha in reverted_shas(body)}
    commits = commits_citing(prefixes)
    if where is not None:
        pulls = _with_reverted(pulls, where, commits, prefixes)
    pulls = pulls.merge(
        pull_links(where if where is None else Q(pk__in=[]) | _keys_q(pulls)),
        on=["repo_id", "number"],
        how="left",
    )
    keys = set(pulls["issue_key"]) - {""} if "issue_key" in pulls.columns else set()
    return release_verdicts(
        releases,
        pulls,
        outages_frame(list(settings.incidents.outage_urgencies), open_since=since_at),
        service_repos=service_repos(),
        window_hours=settings.dora.incident_window_hours,
        hotfix_labels=settings.dora.hotfix_labels,
        bug_issues=repo_bugs(list(settings.bugs.github_labels)),
        jira_bugs=jira_bug_keys(
            keys, list(settings.bugs.jira_types), list(settings.bugs.ignored_resolutions)
        ),
        repo_teams={r.pk: r.team.slug if r.team else "" for r in repos_configured()},
        commits=commits,
        with_evidence=with_evidence,
    )


def _keys_q(pulls: pd.DataFrame) -> Q:
    """The PRs of `pulls` by (repo, number)."""
    match = Q(pk__in=[])
    for repo_id, numbers in pulls.groupby("repo_id")["number"]:
        match |= Q(repo_id=int(repo_id), number__in=[int(n) for n in numbers])
    return match


def _with_reverted(
    pulls: pd.DataFrame, where: Q, commits: pd.DataFrame, prefixes: set[str]
) -> pd.DataFrame:
    """`pulls` plus the earlier PRs their reverts name, by title or by a commit or merge commit
    (a since-recompute reads recent PRs only; a revert of an older change must still find it)."""
    inner = pulls["title"].map(reverted_title)
    titles: dict[int, set[str]] = {}
    for repo_id, title in zip(pulls["repo_id"], inner, strict=True):
        if isinstance(title, str):
            titles.setdefault(int(repo_id), set()).add(title)
    named = Q(pk__in=[])
    for repo_id, names in sorted(titles.items()):  # a revert names a change of its own repo
        named |= Q(repo_id=repo_id, title__in=sorted(names))
    if not commits.empty:
        named |= _keys_q(commits)
    if prefixes:
        named |= sha_q("merge_commit_sha", prefixes)
    if not titles and commits.empty and not prefixes:
        return pulls
    earlier = merged_pulls(~where & named)
    if earlier.empty:
        return pulls
    return pd.concat([pulls, earlier], ignore_index=True)


def _service_teams() -> dict[str, str]:
    services = services_frame()
    return dict(zip(services["service_key"], services["team"], strict=True))


def dora_compute(ctx: ComputeContext) -> pd.DataFrame:
    """Registry-format rows of the family (apps.metrics.registry)."""
    return dora_rows(
        verdicts(ctx.since_at, with_evidence=False),
        tz=ctx.tz,
        now=ctx.now,
        service_teams=_service_teams(),
    )


def dora_records(query: RecordsQuery) -> list[dict]:
    """Each release in the period (change_failure_rate, deployment_rework_rate: numerator and
    denominator) or each failed release (failed_deployment_recovery_hours), with the outages
    and reverts that failed it (and by which rule), what makes it rework, and its recovery."""
    v = verdicts()
    rel = v.releases
    if query.scope == "team":
        rel = rel[rel["team"] == query.scope_key]
    rel = rel[(rel["released_at"] >= query.start_at) & (rel["released_at"] < query.end_at)]
    if query.metric == "failed_deployment_recovery_hours":
        rel = rel[rel["failed"]]
    out = []
    for r in rel.itertuples():
        evidence = v.evidence.get(int(r.rid), [])
        failing = [e for e in evidence if e["rule"] in ("outage", "revert")]
        reworking = [e for e in evidence if e["rule"].startswith("rework_")]
        out.append(
            {
                "kind": "release",
                "title": f"{r.repo} {r.release}",
                "repo": r.repo,
                "release": r.release,
                "released_at": r.released_at.isoformat(),
                "changes": int(r.changes),
                "failed": bool(r.failed),
                "failed_by": failing,
                "rework": bool(r.rework),
                "rework_by": reworking,
                "recovered_at": None if pd.isna(r.recovered_at) else r.recovered_at.isoformat(),
                "recovery_hours": None
                if pd.isna(r.recovery_hours)
                else round(float(r.recovery_hours), 3),
                "url": r.url,
            }
        )
    return out


def dora_window(query: WindowQuery) -> WindowValues:
    """The family's metrics over each window (org or one team)."""
    if query.scope not in ("org", "team"):
        return [{} for _ in query.windows]
    v = verdicts(query.first_start)
    team = query.scope_key if query.scope == "team" else None
    out = []
    for start, end in query.windows:
        values = window_values(v, start, end, team)
        out.append({m: WindowValue(*values[m]) for m in values})
    return out


def register() -> None:
    """Called from DoraConfig.ready()."""
    register_family(
        MetricFamily(
            name="dora",
            metrics=METRICS,
            compute=dora_compute,
            records=dora_records,
            window=dora_window,
        )
    )
