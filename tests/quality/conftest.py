"""Fixtures: a simulated Jira site and a configured Jira source."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from apps.organization.models import JiraProject, Source, Team
from integrations.simulator import Simulator
from integrations.simulator.jira import JiraProvider, JiraWorld, generate_jira_world
from tests.fixtures import FIXTURES

EMAIL = "keel@acme.test"
TOKEN = "jira_TestTokenDoNotLeak_42"
REAL_JIRA = FIXTURES / "jira"


def serve(world: JiraWorld) -> Simulator:
    simulator = Simulator()
    simulator.add_provider(JiraProvider(world, email=EMAIL, token=TOKEN))
    return simulator


def make_jira_source(
    base_url: str, keys: list[str], *, token: str = TOKEN, points_field: str = ""
) -> Source:
    team, _ = Team.objects.get_or_create(slug="platform", defaults={"name": "Platform"})
    source = Source.objects.create(
        name="jira",
        kind="jira",
        base_url=base_url,
        token=token,
        email=EMAIL,
        story_points_field=points_field,
    )
    for key in keys:
        JiraProject.objects.create(source=source, key=key, team=team)
    return source


@pytest.fixture
def jira_world() -> JiraWorld:
    return generate_jira_world(
        seed=5,
        projects=("API", "WEB"),
        issues=250,
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=datetime(2026, 6, 1, tzinfo=UTC),
    )


@pytest.fixture
def jira_sim(jira_world: JiraWorld) -> Iterator[Simulator]:
    with serve(jira_world) as simulator:
        yield simulator
