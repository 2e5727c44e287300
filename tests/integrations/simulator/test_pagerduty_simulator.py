"""The simulated PagerDuty API answers like api.pagerduty.com (limits, paging, errors)."""

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests

from integrations.simulator import Simulator
from integrations.simulator.pagerduty import PagerDutyProvider, PagerDutyWorld

TOKEN = "sim-token"
HEADERS = {"Authorization": f"Token token={TOKEN}"}
NOW = datetime(2026, 3, 10, tzinfo=UTC)


@pytest.fixture
def sim() -> Iterator[Simulator]:
    world = PagerDutyWorld()
    world.add_service("PSVC1", "api")
    world.add_incident("PSVC1", created_at=NOW - timedelta(days=40))  # outside the default
    world.add_incident("PSVC1", created_at=NOW - timedelta(days=3), urgency="low")
    with Simulator() as simulator:
        simulator.add_provider(PagerDutyProvider(world, token=TOKEN, clock=NOW.timestamp))
        yield simulator


def _get(sim: Simulator, path: str, **params: str) -> requests.Response:
    return requests.get(sim.base_url + path, params=params, headers=HEADERS, timeout=5)


def test_without_since_only_the_last_30_days(sim: Simulator) -> None:
    body = _get(sim, "/incidents", total="true").json()
    assert [i["urgency"] for i in body["incidents"]] == ["low"]
    assert (body["total"], body["more"], body["limit"], body["offset"]) == (1, False, 25, 0)


def test_range_over_six_months_and_offset_cap_are_400(sim: Simulator) -> None:
    too_long = _get(sim, "/incidents", since="2025-01-01T00:00:00Z", until="2025-08-01T00:00:00Z")
    assert too_long.status_code == 400 and too_long.json()["error"]["code"] == 2001
    assert _get(sim, "/incidents", offset="9950", limit="100").status_code == 400
    assert _get(sim, "/incidents", offset="9900", limit="100").status_code == 200


def test_auth_and_not_found(sim: Simulator) -> None:
    bad = requests.get(
        sim.base_url + "/services", headers={"Authorization": "Token token=x"}, timeout=5
    )
    assert bad.status_code == 401 and bad.json()["error"]["message"] == "Unauthorized"
    assert _get(sim, "/services/PNOPE").status_code == 404
    assert _get(sim, "/services/PSVC1").json()["service"]["name"] == "api"
