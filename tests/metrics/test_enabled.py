"""`enabled: false` on a source, repo, Jira project or PagerDuty service: it counts nowhere, not
in its team and not in the org (docs/metrics.md#periods-and-scopes)."""

from datetime import UTC, date, datetime

import pytest

from apps.metrics.models import MetricRow
from apps.metrics.services import metrics_compute
from apps.organization.models import Organization, Person, Source, Team
from tests.metrics.builders import github_world, jira_world, pagerduty_world

NOW = datetime(2026, 3, 20, tzinfo=UTC)
FEB = date(2026, 2, 1)
pytestmark = pytest.mark.django_db


def month_value(metric: str, scope: str = "org", key: str = "") -> tuple[float, int]:
    row = MetricRow.objects.get(
        metric=metric, scope=scope, scope_key=key, granularity="month", period_start=FEB
    )
    return row.value, row.sample_size


@pytest.fixture
def world() -> dict:
    Organization.objects.create(name="Acme", timezone="UTC")
    team = Team.objects.create(slug="platform", name="Platform")
    other = Team.objects.create(slug="web", name="Web")
    bob = Person.objects.create(email="bob@acme.test", team=team)
    on = github_world(team, bob, n=1)
    off = github_world(other, None, n=2, source=on.source)
    p1 = jira_world(team, bob, n=1)
    p2 = jira_world(other, None, n=2, source=p1.source)
    s1 = pagerduty_world(team, n=1)
    s2 = pagerduty_world(other, n=2, source=s1.source)
    return {"repo": off, "project": p2, "service": s2}


def test_a_disabled_repo_project_and_service_count_nowhere(world) -> None:
    for obj in world.values():
        obj.enabled = False
        obj.save()

    metrics_compute(now=NOW)

    assert month_value("release_frequency") == (1.0, 1)
    assert month_value("bugs_new") == (2.0, 2)  # acme/r1#2 and P1-1; not acme/r2#2, P2-1
    assert month_value("bug_fix_share") == (0.5, 2)  # P1-1 and acme/r1#1
    assert month_value("incidents") == (1.0, 1)
    assert not MetricRow.objects.filter(scope="service", scope_key="PSVC2").exists()
    assert not MetricRow.objects.filter(scope="team", scope_key="web", value__gt=0).exists()


def test_a_disabled_source_counts_nowhere_with_all_it_holds(world) -> None:
    Source.objects.filter(kind__in=["github", "pagerduty"]).update(enabled=False)

    metrics_compute(now=NOW)

    assert not MetricRow.objects.filter(metric="release_frequency").exists()
    assert not MetricRow.objects.filter(metric__in=["incidents", "uptime"]).exists()
    assert month_value("bugs_new") == (2.0, 2)  # the Jira bugs only
