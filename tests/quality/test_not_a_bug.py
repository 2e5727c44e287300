"""Bugs closed as not a bug count nowhere (docs/metrics.md#not-a-bug), and a Jira issue moved
to a done status without a resolution is resolved when it entered that status
(docs/metrics.md#open-and-resolved), through the stored records and a whole recompute."""

from datetime import UTC, date, datetime, timedelta

import pytest

from apps.delivery.models import PullRequest
from apps.metrics.models import MetricRow
from apps.metrics.services import metrics_compute
from apps.organization.models import Identity, Organization, Person, Team
from apps.quality.models import Issue, JiraIssue
from tests.metrics.builders import T0, github_world, jira_world

NOW = datetime(2026, 3, 20, tzinfo=UTC)
FEB = date(2026, 2, 1)
pytestmark = pytest.mark.django_db


def month(metric: str) -> tuple[float | None, int]:
    row = MetricRow.objects.get(
        metric=metric, scope="org", scope_key="", granularity="month", period_start=FEB
    )
    return row.value, row.sample_size


@pytest.fixture
def world() -> dict:
    """The builders' records: acme/r1 (PR #1 by bob, open bug issue #2, created T0) and P1
    (bug P1-1, T0 → T0 + 2 days, High, assigned to bob)."""
    Organization.objects.create(name="Acme", timezone="UTC")
    team = Team.objects.create(slug="platform", name="Platform")
    bob = Person.objects.create(email="bob@acme.test", team=team)
    return {"repo": github_world(team, bob), "project": jira_world(team, bob)}


def jira_issue(project, n: int, kind: str, **fields) -> JiraIssue:
    values = dict(
        source=project.source,
        project=project,
        jira_id=1000 + n,
        key=f"{project.key}-{n}",
        issue_type=kind,
        priority="High",
        created_at=T0,
        updated_at=T0 + timedelta(days=3),
        assignee_id="acc-bob",
        reporter_id="acc-carol",
    )
    return JiraIssue.objects.create(**(values | fields))


def github_issue(repo, n: int, labels: list[str], reason: str = "", closed=True) -> None:
    Issue.objects.create(
        repo=repo,
        external_id=5000 + n,
        number=n,
        state="closed" if closed else "open",
        state_reason=reason,
        labels=labels,
        user_login="carol",
        created_at=T0,
        updated_at=T0 + timedelta(days=1),
        closed_at=T0 + timedelta(days=1) if closed else None,
    )


def pull(repo, n: int, body: str) -> None:
    PullRequest.objects.create(
        repo=repo,
        external_id=7000 + n,
        number=n,
        title=f"PR {n}",
        body=body,
        state="closed",
        user_login="bob-gh",
        created_at=T0,
        updated_at=T0 + timedelta(days=1),
        merged_at=T0 + timedelta(days=1),
        additions=3,
        deletions=0,
    )


def test_bugs_closed_as_not_a_bug_count_nowhere(world) -> None:
    repo, project = world["repo"], world["project"]
    done = dict(status_category="done", resolution_date=T0 + timedelta(days=1))
    jira_issue(project, 2, "Bug", resolution="Duplicate", **done)
    jira_issue(project, 3, "Bug", resolution="Cannot Reproduce", **done)
    jira_issue(project, 4, "Story", resolution="Won't Do", **done)  # not completed work either
    github_issue(repo, 10, ["bug"], "not_planned")
    github_issue(repo, 11, ["bug"], "duplicate")
    github_issue(repo, 12, ["bug", "invalid"], "completed")
    github_issue(repo, 13, ["bug", "duplicate"], closed=False)
    pull(repo, 20, "Fixes #10")  # closes a not-a-bug issue: work, but not bug work

    metrics_compute(now=NOW)

    assert month("bugs_new") == (2.0, 2)  # P1-1 and acme/r1#2 only
    # P1-1: 2 days × 3 (High); acme/r1#2 open from T0 (2 Feb 09:00) to 1 Mar: 26.625 days × 2.
    assert month("bug_impact_days") == (pytest.approx(6 + 26.625 * 2), 2)
    # Work items: P1-1 (bug), PR #1 and PR #20 (neither closes a bug): 1 of 3.
    assert month("bug_fix_share") == (pytest.approx(1 / 3), 3)


def test_ignored_resolutions_follow_the_config(world) -> None:
    org = Organization.objects.get()
    org.bug_settings = {"ignored_resolutions": ["Not a Bug"]}
    org.save()
    done = dict(status_category="done", resolution_date=T0 + timedelta(days=1))
    jira_issue(world["project"], 2, "Bug", resolution="Duplicate", **done)
    jira_issue(world["project"], 3, "Bug", resolution="Not a Bug", **done)

    metrics_compute(now=NOW)

    assert month("bugs_new") == (3.0, 3)  # P1-1, P1-2 (Duplicate counts now) and acme/r1#2


def test_done_without_a_resolution_is_resolved_when_it_entered_done(world) -> None:
    Identity.objects.filter(provider="jira").delete()  # keep the work items to GitHub's
    JiraIssue.objects.all().delete()
    jira_issue(
        world["project"],
        5,
        "Bug",
        status_category="done",
        status_category_changed_at=T0 + timedelta(days=4),
    )
    jira_issue(world["project"], 6, "Bug", status_category="indeterminate")

    metrics_compute(now=NOW)

    # P1-5 open T0 → T0 + 4 days: 4 × 3; P1-6 (in progress) open to 1 Mar: 26.625 × 3;
    # acme/r1#2 open: 26.625 × 2.
    assert month("bug_impact_days") == (pytest.approx(12 + 26.625 * 5), 3)
    march = MetricRow.objects.get(
        metric="bug_impact_days", scope="org", granularity="month", period_start=date(2026, 3, 1)
    )
    assert march.value == pytest.approx(19 * 5)  # P1-5 no longer open in March
