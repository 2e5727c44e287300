"""Time to a new customer (docs/metrics.md#time-to-a-new-customer): go-live via deployment and via
Jira, hand-computed."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from apps.delivery import customers as c
from apps.delivery.models import Deployment
from apps.metrics.registry import ComputeContext
from apps.organization.models import Customer, JiraProject, Repo, Source, Team
from apps.quality.models import JiraIssue

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ONB7_RESOLVED = datetime(2026, 2, 11, 6, 0, tzinfo=UTC)


def onb7(resolved: datetime | None, **fields) -> JiraIssue:
    """Jira issue ONB-7 of project ONB (a configured Jira source), resolved at `resolved`."""
    source, _ = Source.objects.get_or_create(
        name="jira", kind="jira", defaults={"base_url": "https://acme.atlassian.net"}
    )
    project, _ = JiraProject.objects.get_or_create(source=source, key="ONB")
    JiraIssue.objects.filter(key="ONB-7").delete()
    values = dict(
        source=source,
        project=project,
        jira_id=7,
        key="ONB-7",
        issue_type="Task",
        status_category="done" if resolved else "new",
        resolution="Done" if resolved else "",
        resolution_date=resolved,
        created_at=datetime(2026, 1, 1, tzinfo=UTC),
        updated_at=datetime(2026, 3, 1, tzinfo=UTC),
    )
    return JiraIssue.objects.create(**(values | fields))


@pytest.fixture
def setup() -> None:
    team = Team.objects.create(slug="platform", name="Platform")
    source = Source.objects.create(name="gh", kind="github", base_url="https://x.test", token="t")
    repo = Repo.objects.create(source=source, full_name="acme/api", team=team)
    for gid, env, success in (
        (1, "prod-globex", datetime(2026, 1, 28, 12, 0, tzinfo=UTC)),  # the go-live
        (2, "prod-globex", datetime(2026, 2, 20, tzinfo=UTC)),  # later: ignored
        (3, "prod-globex-eu", datetime(2026, 1, 10, tzinfo=UTC)),  # regex is anchored
        (4, "prod-globex", None),  # never succeeded
        (5, "prod-globex", datetime(2026, 1, 2, tzinfo=UTC)),  # before onboarding_start
    ):
        Deployment.objects.create(
            repo=repo,
            external_id=gid,
            environment=env,
            created_at=datetime(2026, 1, 1, tzinfo=UTC),
            first_success_at=success,
        )
    Customer.objects.create(
        key="globex",
        name="Globex",
        team=team,
        onboarding_start=date(2026, 1, 5),
        environment="^prod-globex$",
    )
    Customer.objects.create(
        key="initech",
        name="Initech",
        team=team,
        onboarding_start=date(2026, 2, 1),
        jira_issue="ONB-7",
    )
    Customer.objects.create(
        key="hooli", name="Hooli", onboarding_start=date(2026, 2, 15), environment="^prod-hooli$"
    )
    onb7(ONB7_RESOLVED)


def rows() -> dict:
    frame = c.customers_compute(ComputeContext(tz="UTC", now=NOW))
    return {
        (r.metric, r.scope, r.scope_key, r.granularity, str(r.period_start)): (
            r.value,
            r.sample_size,
            r.note,
        )
        for r in frame.itertuples()
    }


def test_go_live_via_deployment_and_via_jira(setup) -> None:
    frame = c.customers_frame(tz="UTC").set_index("key")
    assert frame.loc["globex", "live_at"] == datetime(2026, 1, 28, 12, 0, tzinfo=UTC)
    assert frame.loc["globex", "via"] == "deployment"
    assert frame.loc["initech", "via"] == "jira"
    assert frame.loc["hooli", "live_at"] is pd.NaT  # still onboarding


def test_monthly_values(setup) -> None:
    got = rows()
    t, o = "time_to_new_customer_days", "customers_onboarding"
    # Globex: 2026-01-05 00:00 → 2026-01-28 12:00 = 23.5 days.
    assert got[(t, "org", "", "month", "2026-01-01")] == (23.5, 1, "")
    # Initech: 2026-02-01 00:00 → 2026-02-11 06:00 = 10.25 days.
    assert got[(t, "org", "", "month", "2026-02-01")] == (10.25, 1, "")
    assert got[(t, "org", "", "month", "2026-03-01")][1:] == (0, c.NONE_LIVE)
    # Onboarding at the end of Jan: globex live, initech starts Feb 1 (not < Feb 1) → 0.
    assert got[(o, "org", "", "month", "2026-01-01")][0] == 0.0
    # End of Feb and of (partial) March: hooli (started Feb 15, never live) → 1.
    assert got[(o, "org", "", "month", "2026-02-01")][0] == 1.0
    assert got[(o, "org", "", "month", "2026-03-01")][0] == 1.0
    # Team platform has globex and initech only.
    assert got[(t, "team", "platform", "month", "2026-02-01")][0] == 10.25
    assert got[(o, "team", "platform", "month", "2026-02-01")][0] == 0.0
    # Customer scope: its own days in the period it went live (week of Mon 2026-01-26).
    assert got[(t, "customer", "globex", "week", "2026-01-26")] == (23.5, 1, "")
    assert got[(t, "customer", "initech", "month", "2026-02-01")] == (10.25, 1, "")


def test_median_over_customers_live_in_one_period(setup) -> None:
    # Initech starts 2026-01-18 and its Jira issue resolves 2026-01-20: live in January too.
    Customer.objects.filter(key="initech").update(onboarding_start=date(2026, 1, 18))
    onb7(datetime(2026, 1, 20, tzinfo=UTC))
    got = rows()
    # globex 23.5 d, initech 2026-01-18 → 01-20 = 2.0 d; median of two = 12.75.
    assert got[("time_to_new_customer_days", "org", "", "month", "2026-01-01")] == (12.75, 2, "")


def test_a_jira_resolution_before_the_onboarding_start_is_not_a_go_live(setup) -> None:
    onb7(datetime(2026, 1, 20, tzinfo=UTC))  # Initech starts 2026-02-01

    frame = c.customers_frame(tz="UTC").set_index("key")
    got = rows()

    assert frame.loc["initech", "live_at"] is pd.NaT  # not a negative time to go live
    assert frame.loc["initech", "note"] == (
        "ONB-7 was resolved on 2026-01-20, before onboarding_start: not a go-live"
    )
    assert got[("time_to_new_customer_days", "org", "", "month", "2026-02-01")][1] == 0
    assert got[("customers_onboarding", "org", "", "month", "2026-02-01")][0] == 2.0


def test_a_jira_issue_done_without_a_resolution_goes_live_when_it_entered_done(setup) -> None:
    onb7(
        None,
        status_category="done",
        status_category_changed_at=datetime(2026, 2, 3, 12, tzinfo=UTC),
    )

    frame = c.customers_frame(tz="UTC").set_index("key")

    assert frame.loc["initech", "live_at"] == datetime(2026, 2, 3, 12, tzinfo=UTC)


def test_only_enabled_repos_and_projects_give_a_go_live(setup) -> None:
    Repo.objects.update(enabled=False)
    JiraProject.objects.update(enabled=False)

    frame = c.customers_frame(tz="UTC").set_index("key")

    assert frame["live_at"].isna().all()
    Repo.objects.update(enabled=True)
    Source.objects.filter(kind="github").update(enabled=False)
    assert c.customers_frame(tz="UTC")["live_at"].isna().all()
