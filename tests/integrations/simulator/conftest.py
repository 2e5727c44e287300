"""Fixtures for the simulator tests: worlds, a running simulator and an authenticated session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pytest
import requests

from integrations.simulator import GitHubWorld, Simulator, generate_github_world
from tests.fixtures import FIXTURES

TOKEN = "sekret"
REAL_DATA = FIXTURES / "github"
START = datetime(2024, 1, 1, tzinfo=UTC)
END = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def small_world() -> GitHubWorld:
    """Three repos (acme/api, acme/web, acme/mobile) with deployments and tags."""
    return generate_github_world(
        seed=7,
        repos=3,
        pulls=300,
        issues=120,
        releases=30,
        start=START,
        end=END,
        deployments_per_repo=12,
        tags_per_repo=6,
    )


@pytest.fixture
def sim(small_world: GitHubWorld) -> Iterator[Simulator]:
    """A running simulator over `small_world` that requires TOKEN."""
    with Simulator(github=small_world, token=TOKEN) as simulator:
        yield simulator


@pytest.fixture
def session() -> Iterator[requests.Session]:
    """A requests session that sends `Authorization: Bearer TOKEN`."""
    with requests.Session() as http:
        http.headers["Authorization"] = f"Bearer {TOKEN}"
        yield http
