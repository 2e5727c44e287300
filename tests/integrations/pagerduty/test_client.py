"""PagerDutyClient against recorded payloads and the simulated PagerDuty API."""

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from integrations.errors import AuthError, NotFoundError
from integrations.pagerduty import PagerDutyClient, parse_incident
from integrations.pagerduty import client as client_module
from integrations.simulator import Simulator
from integrations.simulator.faults import FaultRule
from integrations.simulator.pagerduty import PagerDutyProvider, PagerDutyWorld
from integrations.simulator.pagerduty import provider as provider_module
from tests.fixtures import FIXTURES

REAL = FIXTURES / "pagerduty"
TOKEN = "pd_TestTokenDoNotLeak42"
T0 = datetime(2026, 3, 1, tzinfo=UTC)


def test_resolved_at_from_last_status_change_when_payload_lacks_it() -> None:
    # DevLake #6 (Q1OHFWFP3GPXOG): status resolved, no resolved_at field,
    # last_status_change_at 2022-11-03T06:51:44.000000Z -> that is the resolution.
    records = {
        r["id"]: parse_incident(r)
        for r in json.loads((REAL / "incidents.json").read_text())["incidents"]
    }
    six = records["Q1OHFWFP3GPXOG"]
    assert (six.status, six.urgency) == ("resolved", "low")
    assert six.resolved_at == datetime(2022, 11, 3, 6, 51, 44, tzinfo=UTC)
    assert records["Q3YON8WNWTZMRQ"].resolved_at is None  # triggered
    assert records["Q3CZAU7Q4008QD"].resolved_at is None  # acknowledged
    airbyte = [
        parse_incident(r) for r in json.loads((REAL / "airbyte" / "incidents.json").read_text())
    ]
    assert [r.resolved_at for r in airbyte] == [None, None, None]  # resolved_at: null, triggered
    assert airbyte[2].service_id == "PAZDKS8"  # the hand-edited service id wins


@pytest.fixture
def world() -> PagerDutyWorld:
    world = PagerDutyWorld()
    world.add_service("PSVC1", "api")
    for minute in range(250):
        world.add_incident("PSVC1", created_at=T0 + timedelta(minutes=minute))
    return world


@pytest.fixture
def sim(world: PagerDutyWorld) -> Iterator[Simulator]:
    with Simulator() as simulator:
        simulator.add_provider(PagerDutyProvider(world, token=TOKEN))
        yield simulator


def _ids(client: PagerDutyClient, since: datetime, until: datetime) -> list[str]:
    return [i.id for p in client.list_incidents("PSVC1", since=since, until=until) for i in p.items]


def test_pages_and_headers(sim: Simulator, world: PagerDutyWorld) -> None:
    client = PagerDutyClient(sim.base_url, TOKEN)
    ids = _ids(client, T0 - timedelta(days=1), T0 + timedelta(days=1))
    assert ids == sorted(world.incidents)  # 250 incidents, oldest first, each once
    # 250 at limit=100: pages at offset 0, 100, 200 = 3 requests.
    assert client.stats.requests == 3
    first = sim.requests[0]
    assert first.headers["authorization"] == f"Token token={TOKEN}"
    assert first.headers["accept"] == "application/vnd.pagerduty+json;version=2"
    assert first.query["service_ids[]"] == "PSVC1" and first.query["total"] == "true"


def test_windows_are_at_most_180_days(sim: Simulator) -> None:
    client = PagerDutyClient(sim.base_url, TOKEN)
    _ids(client, datetime(2025, 1, 1, tzinfo=UTC), datetime(2026, 4, 1, tzinfo=UTC))
    windows = [(r.query["since"], r.query["until"]) for r in sim.requests]
    # 455 days = 180 + 180 + 95; the last window holds the 250 incidents (3 pages).
    last = ("2025-12-27T00:00:00Z", "2026-04-01T00:00:00Z")
    assert windows == [
        ("2025-01-01T00:00:00Z", "2025-06-30T00:00:00Z"),
        ("2025-06-30T00:00:00Z", "2025-12-27T00:00:00Z"),
        last,
        last,
        last,
    ]
    assert all(r.status == 200 for r in sim.requests)


def test_offset_cap_narrows_the_window(
    sim: Simulator, world: PagerDutyWorld, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(client_module, "OFFSET_CAP", 100)
    monkeypatch.setattr(provider_module, "OFFSET_CAP", 100)
    client = PagerDutyClient(sim.base_url, TOKEN, limit=25)
    ids = _ids(client, T0, T0 + timedelta(days=1))
    assert ids == sorted(world.incidents)  # all 250, once each, in order
    assert all(r.status == 200 for r in sim.requests)  # never past offset + limit = 100
    assert max(int(r.query["offset"]) for r in sim.requests) + 25 <= 100


def test_401_is_an_auth_error_without_the_token(sim: Simulator) -> None:
    client = PagerDutyClient(sim.base_url, "wrong-token-123")
    with pytest.raises(AuthError) as exc:
        _ids(client, T0, T0 + timedelta(days=1))
    assert exc.value.status == 401 and "wrong-token-123" not in str(exc.value)


def test_429_without_headers_waits_then_continues(sim: Simulator) -> None:
    sim.faults.add(FaultRule(path="/incidents", status=429, times=1))
    slept: list[float] = []
    client = PagerDutyClient(sim.base_url, TOKEN, sleep=slept.append)
    assert len(_ids(client, T0, T0 + timedelta(days=1))) == 250
    assert slept == [60.0]  # no ratelimit-reset, no retry-after: PagerDuty's 1-minute window
    assert client.stats.rate_limit_waits == 1


def test_429_waits_ratelimit_reset_seconds(world: PagerDutyWorld) -> None:
    now = [1_000_000.0]
    with Simulator() as sim:
        sim.add_provider(
            PagerDutyProvider(
                world, token=TOKEN, rate_limit=2, rate_limit_window=60.0, clock=lambda: now[0]
            )
        )
        slept: list[float] = []

        def sleep(seconds: float) -> None:
            slept.append(seconds)
            now[0] += seconds

        client = PagerDutyClient(sim.base_url, TOKEN, sleep=sleep)
        assert len(_ids(client, T0, T0 + timedelta(days=1))) == 250
    # 2 requests fit the window that started at t; the 3rd gets reset = 60 s.
    assert slept == [60.0]


def test_unknown_service_is_not_found(sim: Simulator) -> None:
    client = PagerDutyClient(sim.base_url, TOKEN)
    assert client.get_service("PSVC1").name == "api"
    with pytest.raises(NotFoundError):
        client.get_service("PNOPE")
