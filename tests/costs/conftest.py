"""Cost test helpers: the organisation's cost settings and two teams."""

import pytest

from apps.organization.models import Organization, Team
from tests.fixtures import FIXTURES

REAL = FIXTURES / "costs"


@pytest.fixture
def org_costs(db):
    """Set `costs` settings: org_costs(currency=..., fx_rates=..., accounts=...)."""
    org = Organization.objects.create(name="Acme", timezone="UTC")

    def configure(**costs) -> Organization:
        org.cost_settings = {"currency": "USD", **costs}
        org.save()
        return org

    configure()
    return configure


@pytest.fixture
def teams(db) -> dict[str, Team]:
    return {
        slug: Team.objects.create(slug=slug, name=slug.title()) for slug in ("platform", "payments")
    }
