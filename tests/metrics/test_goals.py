"""Goals (docs/metrics.md#goals): config checks, the judgement on complete periods, the goals
endpoint and the catalog."""

from datetime import date

import pytest

from apps.core.errors import ConfigError
from apps.core.periods import next_period_start
from apps.metrics.goals import goal_met, goals_judge, missed_streak
from apps.organization.models import Goal
from apps.organization.services import config_load
from tests.metrics.conftest import client_for
from tests.metrics.factories import MetricRowFactory, OrganizationFactory, TeamFactory, UserFactory

BASE = "organization: {name: Acme}\nteams: [{slug: platform, name: Platform}]\n"
MONTHS = [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]


@pytest.mark.parametrize(
    ("goals", "path", "message"),
    [
        ("[{metric: mttr, target: 4}]", "goals[0].metric", "unknown metric 'mttr'"),
        (
            "[{metric: customers_onboarding, target: 2}]",
            "goals[0].metric",
            "metric 'customers_onboarding' has no direction (better: none)",
        ),
        (
            "[{metric: uptime, target: 0.99}, {metric: uptime, target: 0.999}]",
            "goals[1].metric",
            "duplicate goal for 'uptime' of the organisation (first at goals[0])",
        ),
        ("[{metric: uptime, target: 0.99, team: platfrom}]", "goals[0].team", "unknown team"),
        ("[{metric: uptime, target: .inf}]", "goals[0].target", "finite number"),
    ],
)
def test_bad_goals_are_refused_with_their_key(goals: str, path: str, message: str) -> None:
    with pytest.raises(ConfigError) as caught:
        config_load(text=BASE + f"goals: {goals}\n")
    assert caught.value.path == path
    assert message in caught.value.message


def test_a_team_goal_and_the_org_goal_for_one_metric_are_both_accepted() -> None:
    config = config_load(
        text=BASE + "goals: [{metric: mttr_hours, target: 4}, "
        "{metric: mttr_hours, target: 2, team: platform}]\n"
    )
    assert [(g.metric, g.team, g.target) for g in config.goals] == [
        ("mttr_hours", None, 4.0),
        ("mttr_hours", "platform", 2.0),
    ]


def test_met_follows_the_direction() -> None:
    assert goal_met(8.0, target=8.0, better="up") is True
    assert goal_met(7.9, target=8.0, better="up") is False
    assert goal_met(4.0, target=4.0, better="down") is True
    assert goal_met(4.1, target=4.0, better="down") is False
    assert goal_met(None, target=4.0, better="down") is None
    assert missed_streak([5.0, 3.0, 9.0, 9.0], target=4.0, better="down") == 2
    assert missed_streak([5.0, None, 9.0], target=4.0, better="down") == 1


def _series(metric: str, scope: str, key: str, values: list[float | None], unit: str) -> None:
    for start, value in zip(MONTHS, values, strict=True):
        MetricRowFactory(
            metric=metric,
            scope=scope,
            scope_key=key,
            granularity="month",
            period_start=start,
            period_end=next_period_start(start, "month"),
            value=value,
            unit=unit,
        )


@pytest.fixture
def goals_world(db):
    OrganizationFactory()
    platform, payments = TeamFactory(slug="platform"), TeamFactory(slug="payments")
    Goal.objects.create(metric="mttr_hours", target=4.0)
    Goal.objects.create(metric="mttr_hours", team=platform, target=2.0)
    Goal.objects.create(metric="release_frequency", target=8.0)
    _series("mttr_hours", "org", "", [3.0, 5.0, 6.0], "hours")
    _series("mttr_hours", "team", "platform", [1.0, 3.0, 1.5], "hours")
    _series("mttr_hours", "team", "payments", [5.0, 4.5, 5.5], "hours")
    _series("release_frequency", "org", "", [10.0, 6.0, 9.0], "releases")
    # A week row is not a month: it never counts for a monthly goal.
    MetricRowFactory(metric="mttr_hours", scope="org", period_start=date(2026, 3, 30), value=1.0)
    return platform, payments


def test_each_scope_gets_the_goal_that_applies(goals_world) -> None:
    judged = {(g.metric, g.scope, g.scope_key): g for g in goals_judge(today=date(2026, 12, 6))}
    org = judged[("mttr_hours", "org", "")]
    assert (org.target, org.team_goal, org.period_start, org.value) == (4.0, False, MONTHS[2], 6.0)
    assert (org.met, org.missed_in_a_row) == (False, 2)
    platform = judged[("mttr_hours", "team", "platform")]
    assert (platform.target, platform.team_goal, platform.met, platform.missed_in_a_row) == (
        2.0,
        True,
        True,
        0,
    )
    payments = judged[("mttr_hours", "team", "payments")]
    assert (payments.target, payments.team_goal, payments.met, payments.missed_in_a_row) == (
        4.0,
        False,
        False,
        3,
    )
    releases = judged[("release_frequency", "org", "")]
    assert (releases.value, releases.met, releases.missed_in_a_row) == (9.0, True, 0)


def test_the_current_period_is_not_judged(goals_world) -> None:
    # On 2026-03-20 March is not complete: February is the latest complete month.
    judged = {(g.metric, g.scope, g.scope_key): g for g in goals_judge(today=date(2026, 3, 20))}
    org = judged[("mttr_hours", "org", "")]
    assert (org.period_start, org.value, org.met, org.missed_in_a_row) == (MONTHS[1], 5.0, False, 1)


def test_goals_endpoint_lists_each_goal_with_its_scopes(goals_world) -> None:
    client = client_for(UserFactory(username="viewer"))
    response = client.get("/api/v1/goals/")
    assert response.status_code == 200
    goals = {(g["metric"], g["team"]): g for g in response.json()}
    assert set(goals) == {
        ("mttr_hours", None),
        ("mttr_hours", "platform"),
        ("release_frequency", None),
    }
    org_goal = goals[("mttr_hours", None)]
    assert (org_goal["label"], org_goal["better"], org_goal["unit"], org_goal["target"]) == (
        "Mean time to restore",
        "down",
        "hours",
        4.0,
    )
    scopes = {(s["scope"], s["scope_key"]): s for s in org_goal["scopes"]}
    # The organisation's goal covers the org row and the team without its own goal.
    assert set(scopes) == {("org", ""), ("team", "payments")}
    assert scopes[("team", "payments")] == {
        "scope": "team",
        "scope_key": "payments",
        "target": 4.0,
        "team_goal": False,
        "period_start": "2026-03-01",
        "period_end": "2026-04-01",
        "value": 5.5,
        "met": False,
        "missed_in_a_row": 3,
    }
    team_goal = goals[("mttr_hours", "platform")]
    assert [(s["scope_key"], s["met"]) for s in team_goal["scopes"]] == [("platform", True)]


def test_goals_endpoint_filters_and_refuses_bad_input(goals_world) -> None:
    client = client_for(UserFactory(username="viewer"))
    only = client.get("/api/v1/goals/?metric=release_frequency").json()
    assert [g["metric"] for g in only] == ["release_frequency"]
    weekly = client.get("/api/v1/goals/?granularity=week&metric=mttr_hours&scope=org").json()
    assert weekly[0]["scopes"][0]["value"] == 1.0  # the week of 2026-03-30 is complete by now
    bad = client.get("/api/v1/goals/?granularity=year")
    assert bad.status_code == 400
    assert "granularity" in bad.json()


def test_goals_endpoint_needs_authentication(goals_world) -> None:
    from rest_framework.test import APIClient

    assert APIClient().get("/api/v1/goals/").status_code == 401


def test_the_catalog_carries_the_goals(goals_world) -> None:
    client = client_for(UserFactory(username="viewer"))
    catalog = {m["name"]: m for m in client.get("/api/v1/metrics/catalog/").json()}
    assert catalog["mttr_hours"]["goals"] == [
        {"team": None, "target": 4.0},
        {"team": "platform", "target": 2.0},
    ]
    assert catalog["uptime"]["goals"] == []
    assert catalog["mttr_hours"]["better"] == "down"
