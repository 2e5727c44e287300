"""Any subset of sources computes (docs/metrics.md#any-subset-of-sources): an organisation with
only cost exports, only GitHub, any mix of GitHub, Jira, PagerDuty and costs, or none at all,
computes every metric its sources feed and gives the others no rows; no family fails."""

from datetime import UTC, datetime, timedelta
from itertools import chain, combinations

import pytest

from apps.costs.services import cost_file_import
from apps.delivery.models import PullRequest, Tag
from apps.metrics.models import MetricRow
from apps.metrics.services import metrics_compute
from apps.organization.models import (
    Identity,
    JiraProject,
    Organization,
    PagerDutyService,
    Person,
    Repo,
    Source,
    Team,
)
from apps.quality.models import GitHubIssue, JiraIssue
from apps.reliability.models import Incident
from tests.integrations.cost_exports.builders import focus_frame, write_csv

NOW = datetime(2026, 3, 20, tzinfo=UTC)
T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)
KINDS = ("github", "jira", "pagerduty", "costs")

BUG_METRICS = {"bugs_new", "bug_impact_days", "bug_fix_share", "churn_risk", "engineers_at_risk"}
FED_BY = {
    "github": {"release_frequency", "delivery_points", *BUG_METRICS},
    "jira": BUG_METRICS,
    "pagerduty": {"uptime", "downtime_minutes", "incidents", "mttr_hours"}
    | {"error_budget_remaining"},
    "costs": {"cost", "cost_compute", "cost_storage", "cost_network", "cost_other"}
    | {"cost_per_customer", "cost_to_revenue"},
}


def _github(team: Team, person: Person) -> None:
    source = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(
        source=source, full_name="acme/api", team=team, release_source="tags", tag_pattern="^v"
    )
    Identity.objects.create(person=person, provider="github", external_id="bob-gh")
    PullRequest.objects.create(
        repo=repo,
        github_id=1,
        number=1,
        title="Fix the login",
        state="closed",
        user_login="bob-gh",
        created_at=T0,
        updated_at=T0,
        merged_at=T0 + timedelta(hours=2),
        additions=4,
        deletions=1,
    )
    Tag.objects.create(repo=repo, name="v1", sha="a1", committed_at=T0 + timedelta(days=1))
    GitHubIssue.objects.create(
        repo=repo,
        github_id=2,
        number=2,
        state="open",
        labels=["bug"],
        user_login="carol",
        created_at=T0,
        updated_at=T0,
    )


def _jira(team: Team, person: Person) -> None:
    source = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    project = JiraProject.objects.create(source=source, key="API", team=team)
    Identity.objects.create(person=person, provider="jira", external_id="acc-bob")
    JiraIssue.objects.create(
        source=source,
        project=project,
        jira_id=10,
        key="API-1",
        issue_type="Bug",
        priority="High",
        status_category="done",
        resolution="Done",
        resolution_date=T0 + timedelta(days=2),
        created_at=T0,
        updated_at=T0 + timedelta(days=2),
        assignee_id="acc-bob",
        reporter_id="acc-carol",
    )


def _pagerduty(team: Team, person: Person) -> None:
    source = Source.objects.create(
        name="pd", kind="pagerduty", base_url="https://api.pagerduty.com"
    )
    service = PagerDutyService.objects.create(
        source=source, service_id="PSVC1", team=team, slo=0.999
    )
    Incident.objects.create(
        pd_id="Q1",
        service=service,
        title="down",
        status="resolved",
        urgency="high",
        created_at=T0,
        resolved_at=T0 + timedelta(minutes=30),
    )


def _costs(tmp_path) -> None:
    frame = focus_frame(
        rows=2,
        ChargePeriodStart=["2026-02-03T00:00:00Z", "2026-02-04T00:00:00Z"],
        ChargePeriodEnd=["2026-02-04T00:00:00Z", "2026-02-05T00:00:00Z"],
        EffectiveCost=["3", "4"],
    )
    cost_file_import(path=write_csv(tmp_path / "focus.csv", frame), format="focus")


BUILD = {"github": _github, "jira": _jira, "pagerduty": _pagerduty}
SUBSETS = list(chain.from_iterable(combinations(KINDS, n) for n in range(len(KINDS) + 1)))


@pytest.mark.django_db
@pytest.mark.parametrize("kinds", SUBSETS, ids=lambda kinds: "+".join(kinds) or "none")
def test_every_subset_of_sources_computes_what_it_feeds(kinds, tmp_path) -> None:
    Organization.objects.create(name="Acme", timezone="UTC", cost_settings={"currency": "USD"})
    team = Team.objects.create(slug="platform", name="Platform")
    person = Person.objects.create(email="bob@acme.test", team=team)
    for kind in kinds:
        if kind == "costs":
            _costs(tmp_path)
        else:
            BUILD[kind](team, person)

    metrics_compute(now=NOW)  # raises MetricsComputeError when any family fails

    computed = set(MetricRow.objects.values_list("metric", flat=True))
    fed = set().union(*(FED_BY[kind] for kind in kinds))
    if {"costs", "github"} <= set(kinds):
        fed.add("cost_per_release")
    assert computed == fed
