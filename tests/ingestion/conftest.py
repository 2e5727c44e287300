"""Fixtures: a small generated GitHub organisation served by the simulator, and a source."""

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from apps.organization.models import Repo, Source, Team
from integrations.simulator import GitHubWorld, Simulator, generate_github_world

TOKEN = "ghp_TestTokenDoNotLeak0123456789"


@pytest.fixture
def world() -> GitHubWorld:
    return generate_github_world(
        seed=3,
        repos=2,
        pulls=260,
        issues=90,
        releases=16,
        owner="acme",
        start=datetime(2025, 1, 1, tzinfo=UTC),
        end=datetime(2026, 6, 1, tzinfo=UTC),
        tags_per_repo=8,
        deployments_per_repo=6,
    )


@pytest.fixture
def simulator(world: GitHubWorld) -> Iterator[Simulator]:
    with Simulator(github=world, token=TOKEN) as sim:
        yield sim


def make_source(base_url: str, repos: list[str], *, name: str = "gh", token: str = TOKEN) -> Source:
    team, _ = Team.objects.get_or_create(slug="platform", defaults={"name": "Platform"})
    source = Source.objects.create(name=name, kind="github", base_url=base_url, token=token)
    sources = ("releases", "tags", "deployments")
    for index, full_name in enumerate(repos):
        Repo.objects.create(
            source=source, full_name=full_name, team=team, release_source=sources[index % 3]
        )
    return source


@pytest.fixture
def source(db, simulator: Simulator, world: GitHubWorld) -> Source:
    return make_source(simulator.base_url, [r.full_name for r in world.repos])
