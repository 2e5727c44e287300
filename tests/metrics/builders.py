"""Small records straight in the database, one configured source of each kind, for the metric
tests that need every family fed (tests/metrics/test_source_subsets.py, test_enabled.py)."""

from datetime import UTC, datetime, timedelta

from apps.delivery.models import PullRequest, Tag
from apps.ingestion.cost_files import cost_file_import
from apps.organization.models import (
    Identity,
    JiraProject,
    PagerDutyService,
    Person,
    Repo,
    Source,
    Team,
)
from apps.quality.models import Issue, JiraIssue
from apps.reliability.models import Incident
from tests.integrations.cost_exports.builders import focus_frame, write_csv

T0 = datetime(2026, 2, 2, 9, tzinfo=UTC)


def _source(kind: str, source: Source | None, base_url: str) -> Source:
    if source is not None:
        return source
    return Source.objects.create(name=kind, kind=kind, base_url=base_url)


def github_world(
    team: Team, person: Person | None, *, n: int = 1, source: Source | None = None
) -> Repo:
    """Repo acme/r<n> (tags `^v`) of `team`: PR #1 by bob-gh merged T0 + 2 h (5 lines), tag v1
    at T0 + 1 day, open bug issue #2 created T0. `person` gets the identity bob-gh."""
    source = _source("github", source, "https://api.github.com")
    repo = Repo.objects.create(
        source=source, full_name=f"acme/r{n}", team=team, release_source="tags", tag_pattern="^v"
    )
    if person is not None:
        Identity.objects.create(person=person, provider="github", external_id="bob-gh")
    PullRequest.objects.create(
        repo=repo,
        external_id=n * 100 + 1,
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
    Issue.objects.create(
        repo=repo,
        external_id=n * 100 + 2,
        number=2,
        state="open",
        labels=["bug"],
        user_login="carol",
        created_at=T0,
        updated_at=T0,
    )
    return repo


def jira_world(
    team: Team, person: Person | None, *, n: int = 1, source: Source | None = None
) -> JiraProject:
    """Project P<n> of `team`: bug P<n>-1 created T0, resolved T0 + 2 days, assigned to acc-bob
    (`person`'s identity)."""
    source = _source("jira", source, "https://acme.atlassian.net")
    project = JiraProject.objects.create(source=source, key=f"P{n}", team=team)
    if person is not None:
        Identity.objects.create(person=person, provider="jira", external_id="acc-bob")
    JiraIssue.objects.create(
        source=source,
        project=project,
        jira_id=n * 100,
        key=f"P{n}-1",
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
    return project


def pagerduty_world(
    team: Team, person: Person | None = None, *, n: int = 1, source: Source | None = None
) -> PagerDutyService:
    """Service PSVC<n> of `team` (slo 0.999): one high-urgency incident T0 → T0 + 30 min."""
    source = _source("pagerduty", source, "https://api.pagerduty.com")
    service = PagerDutyService.objects.create(
        source=source, service_id=f"PSVC{n}", team=team, slo=0.999
    )
    Incident.objects.create(
        pd_id=f"Q{n}",
        service=service,
        title="down",
        status="resolved",
        urgency="high",
        created_at=T0,
        resolved_at=T0 + timedelta(minutes=30),
    )
    return service


def costs_world(tmp_path) -> None:
    """Two FOCUS lines, 3 and 4 (USD), on 3 and 4 February 2026."""
    frame = focus_frame(
        rows=2,
        ChargePeriodStart=["2026-02-03T00:00:00Z", "2026-02-04T00:00:00Z"],
        ChargePeriodEnd=["2026-02-04T00:00:00Z", "2026-02-05T00:00:00Z"],
        EffectiveCost=["3", "4"],
    )
    cost_file_import(path=write_csv(tmp_path / "focus.csv", frame), format="focus")
