"""Fixtures: a simulated PagerDuty account and a configured PagerDuty source."""

from collections.abc import Iterator

import pytest

from apps.organization.models import PagerDutyService, Source, Team
from integrations.simulator import Simulator
from integrations.simulator.pagerduty import PagerDutyProvider, PagerDutyWorld

PD_TOKEN = "pd_SyncTokenDoNotLeak777"


@pytest.fixture
def pd_world() -> PagerDutyWorld:
    world = PagerDutyWorld()
    world.add_service("PSVC1", "api")
    world.add_service("PSVC2", "web")
    return world


@pytest.fixture
def pd_sim(pd_world: PagerDutyWorld) -> Iterator[Simulator]:
    with Simulator() as simulator:
        simulator.add_provider(PagerDutyProvider(pd_world, token=PD_TOKEN))
        yield simulator


def make_pd_source(base_url: str, services: list[str], *, token: str = PD_TOKEN) -> Source:
    team, _ = Team.objects.get_or_create(slug="platform", defaults={"name": "Platform"})
    source = Source.objects.create(name="pd", kind="pagerduty", base_url=base_url, token=token)
    for service_id in services:
        PagerDutyService.objects.create(source=source, service_id=service_id, team=team, slo=0.999)
    return source
