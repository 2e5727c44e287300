"""Read side of quality: Jira and GitHub issues of the configured projects and repos, and the
people behind identities, as DataFrames for the pure computations (apps.quality.bugs, .load).
Only what is configured counts (spec §7)."""

import pandas as pd

from apps.delivery.selectors import repos_configured
from apps.organization.models import Identity, JiraProject, Source
from apps.quality.models import GitHubIssue, JiraIssue

JIRA_COLUMNS = ["key", "project", "team", "issue_type", "subtask", "priority", "resolution",
                "labels", "created_at", "resolved_at", "assignee_id", "reporter_id",
                "story_points", "summary", "url"]
GITHUB_COLUMNS = ["repo_id", "repo", "team", "number", "labels", "created_at", "closed_at",
                  "user_login", "assignee_login", "title", "url"]


def projects_configured() -> list[JiraProject]:
    """The Jira projects of enabled Jira sources."""
    return list(JiraProject.objects.filter(source__enabled=True, source__kind=Source.Kind.JIRA)
                .select_related("team", "source").order_by("key"))


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def jira_issues_frame() -> pd.DataFrame:
    """One row per stored issue of a configured project. Columns `JIRA_COLUMNS`: team is the
    project's team slug ("" when unmapped); resolved_at is the resolution date (NaT while
    unresolved); story_points float (NaN when unset); url is the issue's browse link."""
    projects = {p.pk: p for p in projects_configured()}
    values = JiraIssue.objects.filter(project_id__in=list(projects)).values_list(
        "project_id", "key", "issue_type", "subtask", "priority", "resolution", "labels",
        "created_at", "resolution_date", "assignee_id", "reporter_id", "story_points", "summary")
    rows = []
    for pid, key, *rest, summary in values:
        project = projects[pid]
        team = project.team.slug if project.team else ""
        url = f"{project.source.base_url.rstrip('/')}/browse/{key}"
        rows.append((key, project.key, team, *rest, summary, url))
    frame = pd.DataFrame(rows, columns=JIRA_COLUMNS)
    frame["story_points"] = pd.to_numeric(frame["story_points"]).astype("float64")
    return _utc(frame, "created_at", "resolved_at")


def github_issues_frame() -> pd.DataFrame:
    """One row per GitHub issue (never a PR) of a configured repo; `GITHUB_COLUMNS`."""
    by_id = {r.pk: r for r in repos_configured()}
    values = GitHubIssue.objects.filter(repo_id__in=list(by_id)).values_list(
        "repo_id", "number", "labels", "created_at", "closed_at", "user_login",
        "assignee_login", "title", "html_url")
    rows = [(rid, by_id[rid].full_name, by_id[rid].team.slug if by_id[rid].team else "", *rest)
            for rid, *rest in values]
    return _utc(pd.DataFrame(rows, columns=GITHUB_COLUMNS), "created_at", "closed_at")


def identities_map() -> dict[tuple[str, str], str]:
    """{(provider, external id): person e-mail}; GitHub logins lower-cased (they are
    case-insensitive), Jira accountIds as they are."""
    out = {}
    for provider, external, email in Identity.objects.values_list(
        "provider", "external_id", "person__email"
    ):
        out[(provider, external.lower() if provider == "github" else external)] = email
    return out


def people_teams() -> dict[str, str]:
    """{person e-mail: team slug ("" without a team)}."""
    from apps.organization.models import Person

    return {email: slug or "" for email, slug in Person.objects.values_list("email", "team__slug")}


def jira_points_map() -> dict[str, float | None]:
    """{Jira key: story points or None} for every synced issue of a configured project."""
    projects = [p.pk for p in projects_configured()]
    issues = JiraIssue.objects.filter(project_id__in=projects)
    return dict(issues.values_list("key", "story_points"))


def pulls_with_issue_points(pulls: pd.DataFrame) -> pd.DataFrame:
    """A merged-pulls frame (apps.delivery.selectors) plus issue_key and story_points
    (apps.delivery.links.pulls_issue_points), reading head branches and synced Jira keys."""
    from apps.delivery.links import pulls_issue_points
    from apps.delivery.models import PullRequest

    heads = {(rid, n): ref for rid, n, ref in PullRequest.objects.filter(
        repo_id__in=list(set(pulls["repo_id"])), merged_at__isnull=False
    ).values_list("repo_id", "number", "head_ref")}
    branch = pd.Series([heads.get((r, n), "") for r, n in zip(pulls["repo_id"], pulls["number"],
                                                                strict=True)], index=pulls.index)
    return pulls_issue_points(pulls, branch, jira_points_map())


PULL_DETAIL_COLUMNS = ["repo_id", "repo", "number", "title", "body", "head_ref", "labels",
                       "user_login", "user_type", "created_at", "merged_at", "additions",
                       "deletions"]


def pulls_detail_frame() -> pd.DataFrame:
    """Merged PRs of the configured repos with what links them to work (PULL_DETAIL_COLUMNS
    plus issue_key and story_points); additions/deletions NaN while unknown."""
    from apps.delivery.links import pulls_issue_points
    from apps.delivery.models import PullRequest

    by_id = {r.pk: r.full_name for r in repos_configured()}
    values = PullRequest.objects.filter(repo_id__in=list(by_id), merged_at__isnull=False)
    rows = [(rid, by_id[rid], *rest) for rid, *rest in values.values_list(
        "repo_id", "number", "title", "body", "head_ref", "labels", "user_login", "user_type",
        "created_at", "merged_at", "additions", "deletions")]
    frame = _utc(pd.DataFrame(rows, columns=PULL_DETAIL_COLUMNS), "created_at", "merged_at")
    for column in ("additions", "deletions"):
        frame[column] = pd.to_numeric(frame[column]).astype("float64")
    return pulls_issue_points(frame, frame["head_ref"], jira_points_map())


def github_bug_issues(github: pd.DataFrame, labels: list[str]) -> dict[tuple[str, int], str]:
    """{(repo lower-case, number): reporter login} of the GitHub issues carrying a bug label."""
    wanted = set(labels)
    return {(r.repo.lower(), int(r.number)): r.user_login for r in github.itertuples()
            if set(r.labels) & wanted}
