"""Reads for the DORA metrics (docs/metrics.md#dora-metrics): which repos each PagerDuty
service's outages are blamed on, the outages, the merged pull requests with what makes them a
revert, a hotfix or a bug fix, as DataFrames for apps.dora.computations."""

from datetime import datetime

import pandas as pd
from django.db.models import Min, Q

from apps.core.frames import Kind, queryset_frame
from apps.delivery.models import PullRequest, PullRequestCommit, PullRequestReview
from apps.delivery.selectors import repo_columns, repos_configured
from apps.organization.selectors import repos_counted, services_counted
from apps.quality.models import JiraIssue
from apps.quality.selectors import (
    projects_configured,
    pulls_detail_frame,
    repo_bug_issues,
)
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


def repo_bugs(labels: list[str]) -> set[tuple[str, int]]:
    """(repo lower-case, number) of the repo issues that are bugs, known or not."""
    return set(repo_bug_issues(tuple(labels)))


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


FLOW_PULL_COLUMNS: dict[str, Kind] = {
    "id": "int",
    "repo_id": "int",
    "number": "int",
    "title": "str",
    "user_login": "str",
    "user_type": "str",
    "created_at": "datetime",
    "ready_for_review_at": "datetime",
    "merged_at": "datetime",
    "additions": "float",
    "deletions": "float",
    "html_url": "str",
}
REVIEW_COLUMNS = [
    "pull_id",
    "repo_id",
    "number",
    "pull_author",
    "author_login",
    "author_type",
    "state",
    "submitted_at",
]


def flow_pulls(where: Q | None = None) -> pd.DataFrame:
    """Merged PRs of the configured repos (matching `where`): pull_id, repo_id, repo, team,
    number, title, user_login, user_type, created_at, ready_for_review_at (NaT unless a draft
    was marked ready), merged_at, additions, deletions, url."""
    by_id = {r.pk: r for r in repos_configured()}
    pulls = PullRequest.objects.filter(repo_id__in=list(by_id), merged_at__isnull=False)
    if where is not None:
        pulls = pulls.filter(where)
    frame = queryset_frame(pulls, FLOW_PULL_COLUMNS).rename(
        columns={"id": "pull_id", "html_url": "url"}
    )
    return repo_columns(frame, by_id).sort_values(
        ["repo_id", "merged_at", "number"], ignore_index=True
    )


def first_commits(pull_ids: list[int]) -> dict[int, object]:
    """{pull_id: the earliest author date of its stored commits} (PRs without commits absent)."""
    out: dict[int, object] = {}
    for i in range(0, len(pull_ids), JIRA_CHUNK):
        rows = (
            PullRequestCommit.objects.filter(pull_id__in=pull_ids[i : i + JIRA_CHUNK])
            .values("pull_id")
            .annotate(first=Min("authored_at"))
            .values_list("pull_id", "first")
        )
        out.update(dict(rows))
    return out


def reviews_frame(
    *, pull_ids: list[int] | None = None, since: datetime | None = None
) -> pd.DataFrame:
    """Stored reviews on PRs of the configured repos (REVIEW_COLUMNS; pull_author is the PR's
    author): of the PRs `pull_ids` when given, submitted at or after `since` when given."""
    reviews = PullRequestReview.objects.filter(pull__repo__in=repos_counted())
    if since is not None:
        reviews = reviews.filter(submitted_at__gte=since)
    if pull_ids is None:
        return _reviews(reviews)
    parts = [
        _reviews(reviews.filter(pull_id__in=pull_ids[i : i + JIRA_CHUNK]))
        for i in range(0, len(pull_ids), JIRA_CHUNK)
    ]
    return pd.concat(parts, ignore_index=True) if parts else _reviews(reviews.none())


def _reviews(reviews) -> pd.DataFrame:
    frame = queryset_frame(
        reviews,
        {
            "pull_id": "int",
            "pull__repo_id": "int",
            "pull__number": "int",
            "pull__user_login": "str",
            "author_login": "str",
            "author_type": "str",
            "state": "str",
            "submitted_at": "datetime",
        },
    )
    frame.columns = REVIEW_COLUMNS
    return frame


def pull_links(where: Q | None = None) -> pd.DataFrame:
    """repo_id, number, merge_commit_sha, closing_issue_refs of merged PRs (matching `where`)."""
    pulls = PullRequest.objects.filter(repo__in=repos_counted(), merged_at__isnull=False)
    if where is not None:
        pulls = pulls.filter(where)
    return queryset_frame(
        pulls,
        {
            "repo_id": "int",
            "number": "int",
            "merge_commit_sha": "str",
            "closing_issue_refs": "json",
        },
    )


FULL_SHA = 40  # hex digits of a SHA-1 commit id, as `git revert` writes it


def sha_q(field: str, prefixes: set[str]) -> Q:
    """`field` equal to one of the full shas among `prefixes` (one `IN`, a hash lookup however
    many) or starting with one of the shorter ones (a `LIKE` each; revert messages written by
    git name full shas, https://git-scm.com/docs/git-revert). Matches nothing for no prefixes."""
    full = sorted(p for p in prefixes if len(p) >= FULL_SHA)
    match = Q(**{f"{field}__in": full}) if full else Q(pk__in=[])
    for prefix in sorted(p for p in prefixes if len(p) < FULL_SHA):
        match |= Q(**{f"{field}__startswith": prefix})
    return match


def commits_citing(prefixes: set[str]) -> pd.DataFrame:
    """repo_id, number, sha of stored PR commits whose sha starts with one of `prefixes` (the
    shas revert bodies name), of the configured repos."""
    if not prefixes:
        return pd.DataFrame(columns=["repo_id", "number", "sha"])
    commits = PullRequestCommit.objects.filter(
        sha_q("sha", prefixes), pull__repo__in=repos_counted()
    )
    return queryset_frame(
        commits, {"pull__repo_id": "int", "pull__number": "int", "sha": "str"}
    ).set_axis(["repo_id", "number", "sha"], axis=1)
