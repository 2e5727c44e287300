"""Fixtures of the security tests: an organisation with data behind every API route (synced
pull requests with unmapped authors, computed metric rows, a good and a failed cost import, a
failed sync run) and token users: a superuser and a team manager."""

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.db import transaction

from apps.accounts.tokens import api_token_create
from apps.ingestion.cost_files import cost_file_import
from apps.ingestion.services import source_sync
from apps.metrics.services import metrics_compute
from apps.organization.models import (
    Customer,
    Identity,
    Organization,
    PagerDutyService,
    Person,
    Source,
    Team,
)
from integrations.simulator import Simulator, generate_github_world
from tests.fixtures import FIXTURES
from tests.ingestion.conftest import TOKEN, make_source

REAL_COSTS = FIXTURES / "costs"
NOW = datetime(2026, 6, 1, tzinfo=UTC)


@dataclass
class Seeded:
    """What `seeded` built: the API tokens of its two users and the names of its objects."""

    superuser_token: str
    manager_token: str
    source_name: str


def _users(team: Team) -> tuple[str, str]:
    users = get_user_model().objects
    root = users.create_superuser("root", "root@acme.test", "pw")
    lead = users.create_user("lead", "lead@acme.test", "pw")
    team.managers.add(lead)
    return api_token_create(user=root).token, api_token_create(user=lead).token


def _synced_source() -> str:
    world = generate_github_world(
        seed=3,
        repos=2,
        pulls=40,
        issues=12,
        releases=6,
        owner="acme",
        start=datetime(2026, 1, 1, tzinfo=UTC),
        end=NOW,
        tags_per_repo=3,
        deployments_per_repo=3,
    )
    with Simulator(github=world, token=TOKEN) as simulator:
        source = make_source(simulator.base_url, [r.full_name for r in world.repos])
        assert source_sync(source=source).status == "succeeded"
        source.token = "ghp_rejected"
        source.save()
        assert source_sync(source=source).status == "failed"  # a run with an error message
    # One author mapped to a person; the others stay unmapped identities.
    login = world.repos[0].pulls[0]["user"]["login"]
    team = source.repos.first().team
    person = Person.objects.create(email="ann@acme.test", name="Ann", team=team)
    Identity.objects.create(person=person, provider="github", external_id=login)
    return source.name


def seed(tmp_path: Path) -> Seeded:
    """Build the data behind every read endpoint (see the module docstring)."""
    Organization.objects.create(name="Acme", timezone="UTC", cost_settings={"currency": "USD"})
    name = _synced_source()
    team = Team.objects.get(slug="platform")
    # A service of the team (its page is one of the routes); never synced, so no incidents.
    pagerduty = Source.objects.create(name="pd", kind="pagerduty", base_url="https://pd.test")
    PagerDutyService.objects.create(
        source=pagerduty, service_id="PSVC1", name="Payments", team=team, slo=0.999
    )
    Customer.objects.create(
        key="globex", name="Globex", team=team, onboarding_start=datetime(2026, 2, 2).date()
    )
    assert cost_file_import(path=REAL_COSTS / "focus-1.0-sample.csv", format="focus").rows
    broken = tmp_path / "broken.csv"
    broken.write_text("not,a,focus,file\n1,2,3,4\n")
    assert cost_file_import(path=broken, format="focus").status == "failed"
    metrics_compute(now=NOW)
    superuser, manager = _users(team)
    return Seeded(superuser_token=superuser, manager_token=manager, source_name=name)


@pytest.fixture
def seeded(db, tmp_path) -> Seeded:
    """`seed()` for one test."""
    return seed(tmp_path)


@pytest.fixture(scope="module")
def seeded_module(django_db_setup, django_db_blocker, tmp_path_factory) -> Iterator[Seeded]:
    """`seed()` once for a module of read-only tests, rolled back after its last test (each
    test's own `db` transaction nests inside this one)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield seed(tmp_path_factory.mktemp("seed"))
        transaction.set_rollback(True)
