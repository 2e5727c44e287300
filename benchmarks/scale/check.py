"""The `check` phase: is the stored organisation what the lead's metric benchmark needs?

Row counts of the main record kinds; people whose GitHub login authored PRs and whose Jira
accountId is assigned issues (identities must match across sources, or the engineer metrics
are empty); identities seen in the data that no person names (bots aside); bugs, releases and
production deployments, customers' go-live deployments, open incidents, revenue months and
the share of cost lines allocated to a team.
"""

from __future__ import annotations


def _identities() -> dict:
    from apps.delivery.models import PullRequest
    from apps.organization.models import Identity, Person
    from apps.quality.models import JiraIssue

    pairs = list(Identity.objects.values_list("provider", "external_id"))
    github = {external.lower() for provider, external in pairs if provider == "github"}
    jira = {external for provider, external in pairs if provider == "jira"}
    authors = {
        login.lower()
        for login in PullRequest.objects.exclude(user_type="Bot")
        .values_list("user_login", flat=True)
        .distinct()
    }
    assignees = set(
        JiraIssue.objects.exclude(assignee_id="").values_list("assignee_id", flat=True).distinct()
    )
    return {
        "people": Person.objects.count(),
        "people_with_prs": len(github & authors),
        "people_with_jira": len(jira & assignees),
        "unmatched_github": sorted(authors - github - {""}),
        "unmatched_jira": sorted(assignees - jira),
    }


def check_measure() -> dict:
    """The figures above, as a dict (printed and stored by the main script)."""
    from django.db.models import Q

    from apps.costs.models import CostLine
    from apps.delivery.models import Deployment, PullRequest, Release, Tag
    from apps.organization.models import Customer, RevenueMonth
    from apps.quality.models import Issue, JiraIssue
    from apps.reliability.models import Incident

    lines = CostLine.objects.count()
    live = sum(
        Deployment.objects.filter(
            environment__regex=c.environment, first_success_at__isnull=False
        ).exists()
        for c in Customer.objects.exclude(environment="")
    )
    return {
        **_identities(),
        "pull_requests": PullRequest.objects.count(),
        "merged_prs": PullRequest.objects.filter(merged_at__isnull=False).count(),
        "merged_prs_with_size": PullRequest.objects.filter(additions__isnull=False).count(),
        "github_issues": Issue.objects.count(),
        "github_bugs": Issue.objects.filter(labels__contains=["bug"]).count(),
        "jira_issues": JiraIssue.objects.count(),
        "jira_bugs": JiraIssue.objects.filter(issue_type="Bug").count(),
        "releases": Release.objects.count(),
        "tags": Tag.objects.count(),
        "deployments": Deployment.objects.count(),
        "production_deployments": Deployment.objects.filter(
            Q(environment="production"), first_success_at__isnull=False
        ).count(),
        "customers": Customer.objects.count(),
        "customers_with_golive_deployment": live,
        "incidents": Incident.objects.count(),
        "open_incidents": Incident.objects.filter(resolved_at__isnull=True).count(),
        "revenue_months": RevenueMonth.objects.count(),
        "cost_lines": lines,
        "cost_lines_allocated_share": round(
            CostLine.objects.filter(team__isnull=False).count() / lines, 3
        )
        if lines
        else None,
    }


def check_print(figures: dict) -> None:
    for key, value in figures.items():
        shown = value if not isinstance(value, list) else f"{len(value)} {value[:5]}"
        print(f"  {key}: {shown}")
