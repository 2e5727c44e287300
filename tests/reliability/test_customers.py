"""Time to a new customer (spec §5.2): go-live via deployment and via Jira, hand-computed."""

from datetime import UTC, date, datetime

import pandas as pd
import pytest

from apps.delivery import customers as c
from apps.delivery.models import Deployment
from apps.metrics.registry import ComputeContext
from apps.organization.models import Customer, Repo, Source, Team

pytestmark = pytest.mark.django_db
NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
ONB7_RESOLVED = datetime(2026, 2, 11, 6, 0, tzinfo=UTC)


@pytest.fixture
def setup(monkeypatch: pytest.MonkeyPatch) -> None:
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
            github_id=gid,
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
    # The Jira path against a fake (apps.quality's Jira sync is built separately).
    monkeypatch.setattr(
        c, "jira_go_live", lambda *, issue_key: ONB7_RESOLVED if issue_key == "ONB-7" else None
    )


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


def test_median_over_customers_live_in_one_period(setup, monkeypatch) -> None:
    # Initech starts 2026-01-18 and its Jira issue resolves 2026-01-20: live in January too.
    Customer.objects.filter(key="initech").update(onboarding_start=date(2026, 1, 18))
    resolved = datetime(2026, 1, 20, tzinfo=UTC)
    monkeypatch.setattr(
        c, "jira_go_live", lambda *, issue_key: resolved if issue_key == "ONB-7" else None
    )
    got = rows()
    # globex 23.5 d, initech 2026-01-18 → 01-20 = 2.0 d; median of two = 12.75.
    assert got[("time_to_new_customer_days", "org", "", "month", "2026-01-01")] == (12.75, 2, "")


def test_jira_go_live_is_none_without_a_jira_model(monkeypatch: pytest.MonkeyPatch) -> None:
    def missing(app: str, model: str):
        raise LookupError(model)

    monkeypatch.setattr(c.django_apps, "get_model", missing)
    assert c.jira_go_live(issue_key="ONB-7") is None
