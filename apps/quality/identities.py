"""Identities seen in the synced data that match no configured person
(docs/configuration.md#people: people are matched by identities, never by e-mail), so a manager
can map them, and the Jira names the config does not map. Read-only selectors."""

from collections import defaultdict
from typing import Any

from apps.delivery.links import is_bot
from apps.delivery.models import PullRequest
from apps.delivery.selectors import repos_configured
from apps.organization.selectors import org_settings
from apps.quality.models import Issue, JiraIssue
from apps.quality.selectors import identities_map, projects_configured


def _github_seen(seen: dict) -> None:
    repos = [r.pk for r in repos_configured()]
    pulls = PullRequest.objects.filter(repo_id__in=repos).values_list("user_login", "user_type")
    for login, user_type in pulls:
        if login and not is_bot(login, user_type):
            seen[("github", login.lower())].append(("pull request", login))
    issues = Issue.objects.filter(repo_id__in=repos)
    for author, assignee in issues.values_list("user_login", "assignee_login"):
        for login in (author, assignee):
            if login and not is_bot(login):
                seen[("github", login.lower())].append(("github issue", login))


def _jira_seen(seen: dict) -> None:
    projects = [p.pk for p in projects_configured()]
    rows = JiraIssue.objects.filter(project_id__in=projects).values_list(
        "assignee_id", "assignee_name", "reporter_id", "reporter_name"
    )
    for assignee, assignee_name, reporter, reporter_name in rows:
        if assignee:
            seen[("jira", assignee)].append(("jira assignee", assignee_name))
        if reporter:
            seen[("jira", reporter)].append(("jira reporter", reporter_name))


def identities_unmatched() -> list[dict[str, Any]]:
    """Identities in PRs, GitHub issues and Jira issues of configured repos/projects that no
    person's identities name, most frequent first: provider, external_id (GitHub login as seen,
    Jira accountId), display_name, roles (sorted), occurrences. Bots are left out."""
    seen: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    _github_seen(seen)
    _jira_seen(seen)
    known = identities_map()
    out = []
    for (provider, key), uses in seen.items():
        if (provider, key) in known:
            continue
        name = next((n for _, n in uses if n), key)
        external = name if provider == "github" else key
        out.append(
            {
                "provider": provider,
                "external_id": external,
                "display_name": name if provider == "jira" else "",
                "roles": sorted({role for role, _ in uses}),
                "occurrences": len(uses),
            }
        )
    return sorted(out, key=lambda i: (-i["occurrences"], i["provider"], i["external_id"]))


def jira_names_unmapped() -> dict[str, list[str]]:
    """Jira names the config does not map: `priorities` of bug-type issues missing from
    `bugs.impact.jira_priorities` (the default impact applies) and issue `types` that are
    not in `bugs.jira_types` (so never bugs), each sorted."""
    bugs = org_settings().bugs
    issues = JiraIssue.objects.filter(project_id__in=[p.pk for p in projects_configured()])
    types = set(issues.values_list("issue_type", flat=True))
    priorities = set(
        issues.filter(issue_type__in=bugs.jira_types).values_list("priority", flat=True)
    )
    return {
        "priorities": sorted(p for p in priorities if p and p not in bugs.impact.jira_priorities),
        "types": sorted(types - set(bugs.jira_types)),
    }
