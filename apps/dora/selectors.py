"""Reads for the DORA metrics (docs/metrics.md#dora-metrics): which repos each PagerDuty
service's outages are blamed on, the outages, the merged pull requests with what makes them a
revert, a hotfix or a bug fix, as DataFrames for apps.dora.computations."""

from datetime import datetime

import pandas as pd
from django.db.models import Q

from apps.delivery.selectors import repos_configured
from apps.organization.selectors import services_counted
from apps.quality.models import JiraIssue
from apps.quality.selectors import github_bug_issues, projects_configured, pulls_detail_frame
from apps.reliability.selectors import incidents_frame

JIRA_CHUNK = 20_000


def service_repos() -> dict[str, list[int]]:
    """{PagerDuty service id: ids of the configured repos its outages are blamed on}: the
    service's `repos` when it names any, else the repos of its team ([] when neither: such a
    service's outages blame no release). Only configured, enabled services and repos."""
    repos = repos_configured()
    counted = {r.pk for r in repos}
    by_team: dict[int, list[int]] = {}
    for repo in repos:
        if repo.team_id is not None:
            by_team.setdefault(repo.team_id, []).append(repo.pk)
    out: dict[str, list[int]] = {}
    services = services_counted().prefetch_related("repos").order_by("service_id", "pk")
    for service in services:
        if service.service_id in out:
            continue  # one id configured in two sources: the first, as services_frame keeps
        named = [r.pk for r in service.repos.all() if r.pk in counted]
        if service.repos.exists():
            out[service.service_id] = sorted(named)
        else:
            team = service.team_id
            out[service.service_id] = sorted(by_team.get(team, [])) if team is not None else []
    return out


def outages_frame(urgencies: list[str], *, open_since: datetime | None = None) -> pd.DataFrame:
    """The outages (incidents of an outage urgency) of the services that count: the columns of
    apps.reliability.selectors.incidents_frame."""
    frame = incidents_frame(open_since=open_since)
    return frame[frame["urgency"].isin(urgencies)].reset_index(drop=True)


def merged_pulls(where: Q | None = None) -> pd.DataFrame:
    """Merged PRs of the configured repos with title, body, labels and their Jira issue
    (apps.quality.selectors.pulls_detail_frame, cached within a recompute)."""
    return pulls_detail_frame(where=where)


def github_bugs(labels: list[str]) -> set[tuple[str, int]]:
    """(repo lower-case, number) of the GitHub issues that are bugs, known or not."""
    return set(github_bug_issues(tuple(labels)))


def jira_bug_keys(keys: set[str], jira_types: list[str], ignored: list[str]) -> set[str]:
    """The keys among `keys` of synced Jira issues (configured projects) that are bugs, known or
    not: of a bug type, and not resolved as not a bug (`bugs.ignored_resolutions`)."""
    wanted = sorted(k for k in keys if k)
    if not wanted:
        return set()
    issues = JiraIssue.objects.filter(
        project_id__in=[p.pk for p in projects_configured()], issue_type__in=jira_types
    ).exclude(resolution__in=ignored)
    out: set[str] = set()
    for i in range(0, len(wanted), JIRA_CHUNK):
        out |= set(issues.filter(key__in=wanted[i : i + JIRA_CHUNK]).values_list("key", flat=True))
    return out
