"""Identities seen in the synced data that match no configured person
(docs/configuration.md#people: people are matched by identities, never by e-mail), so a manager
can map them, and the Jira names the config does not map. Read-only selectors."""

from collections import defaultdict
from typing import Any

from apps.delivery.links import is_bot
from apps.delivery.models import PullRequest
from apps.delivery.selectors import repos_configured
from apps.organization.selectors import org_settings
from apps.organization.sources import identity_fold, identity_of
from apps.quality.models import Issue, JiraIssue
from apps.quality.selectors import identities_map, projects_configured


def _code_host_seen(seen: dict) -> None:
    """Authors of PRs and authors / assignees of repo issues, keyed by their code host's
    identity kind and the login as compared (apps.organization.sources)."""
    repos = repos_configured()
    hosts = {r.pk: identity_of(r.source.kind) for r in repos}
    pulls = PullRequest.objects.filter(repo_id__in=list(hosts)).values_list(
        "repo_id", "user_login", "user_type"
    )
    for repo_id, login, user_type in pulls:
        if login and not is_bot(login, user_type):
            provider = hosts[repo_id]
            seen[(provider, identity_fold(provider, login))].append(("pull request", login, None))
    issues = Issue.objects.filter(repo_id__in=list(hosts))
    for repo_id, author, assignee in issues.values_list("repo_id", "user_login", "assignee_login"):
        for login in (author, assignee):
            if login and not is_bot(login):
                provider = hosts[repo_id]
                key = (provider, identity_fold(provider, login))
                seen[key].append((f"{provider} issue", login, None))


def _jira_seen(seen: dict) -> None:
    projects = [p.pk for p in projects_configured()]
    rows = JiraIssue.objects.filter(project_id__in=projects).values_list(
        "assignee_id", "assignee_name", "reporter_id", "reporter_name"
    )
    jira = JiraIssue.PROVIDER
    for assignee, assignee_name, reporter, reporter_name in rows:
        if assignee:
            seen[(jira, assignee)].append((f"{jira} assignee", assignee, assignee_name))
        if reporter:
            seen[(jira, reporter)].append((f"{jira} reporter", reporter, reporter_name))


def _display_name(key: str, uses: list[tuple[str, str, str | None]]) -> str:
    """The first display name seen; the id itself when the provider has names but none was
    given; "" for providers without display names (logins)."""
    names = [n for _, _, n in uses if n is not None]
    return next((n for n in names if n), key if names else "")


def identities_unmatched() -> list[dict[str, Any]]:
    """Identities in PRs, repo issues and Jira issues of configured repos/projects that no
    person's identities name, most frequent first: provider, external_id (a login as first
    seen, a Jira accountId), display_name (Jira's name for the account, "" for logins), roles
    (sorted), occurrences. Bots are left out."""
    # (role, id as seen, display name: None where the provider has none, as for logins)
    seen: dict[tuple[str, str], list[tuple[str, str, str | None]]] = defaultdict(list)
    _code_host_seen(seen)
    _jira_seen(seen)
    known = identities_map()
    out = []
    for (provider, key), uses in seen.items():
        if (provider, key) in known:
            continue
        out.append(
            {
                "provider": provider,
                "external_id": next((i for _, i, _ in uses if i), key),
                "display_name": _display_name(key, uses),
                "roles": sorted({role for role, _, _ in uses}),
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
