"""PagerDuty sync against the simulator: completeness, re-read of open incidents, failures."""

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest
from django.utils import timezone

from apps.ingestion.services import source_sync
from apps.reliability.computations import reliability_rows
from apps.reliability.models import Incident
from apps.reliability.selectors import incidents_frame, services_frame
from integrations.pagerduty import client as client_module
from integrations.simulator import Simulator
from integrations.simulator.faults import FaultRule
from integrations.simulator.pagerduty import PagerDutyProvider, PagerDutyWorld, load_recorded
from tests.fixtures import FIXTURES
from tests.reliability.conftest import make_pd_source

REAL = FIXTURES / "pagerduty"
pytestmark = pytest.mark.django_db


def test_sync_stores_every_incident_and_later_resolutions(pd_sim, pd_world) -> None:
    now = timezone.now()
    for hours in range(1, 151):
        pd_world.add_incident(
            "PSVC1",
            created_at=now - timedelta(hours=hours),
            resolved_at=now - timedelta(hours=hours) + timedelta(minutes=30),
        )
    # An old-style payload (no resolved_at field), open at the first sync.
    late = pd_world.add_incident(
        "PSVC2", created_at=now - timedelta(days=2), with_resolved_at=False
    )
    source = make_pd_source(pd_sim.base_url, ["PSVC1", "PSVC2"])
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    assert Incident.objects.count() == 151
    assert Incident.objects.get(pd_id=late["id"]).resolved_at is None
    resolved = now - timedelta(hours=1)
    pd_world.resolve(late["id"], at=resolved)
    pd_sim.reset_requests()
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    stored = Incident.objects.get(pd_id=late["id"])
    assert (stored.status, stored.resolved_at) == ("resolved", resolved.replace(microsecond=0))
    # Incremental: per service 1 GET /services/{id} + 1 /incidents window; + 1 re-read = 5.
    assert run.requests_made == 5
    assert sum(1 for r in pd_sim.requests if r.path.startswith("/incidents/")) == 1


def test_unknown_service_is_reported_and_others_synced(pd_sim, pd_world) -> None:
    pd_world.add_incident("PSVC1", created_at=timezone.now() - timedelta(days=1))
    run = source_sync(source=make_pd_source(pd_sim.base_url, ["PNOPE", "PSVC1"]))
    assert run.status == "partial"
    assert list(run.scope_errors) == ["PNOPE"] and "404" in run.scope_errors["PNOPE"]
    assert Incident.objects.count() == 1


def test_401_fails_the_run_without_leaking_the_token(pd_sim) -> None:
    run = source_sync(source=make_pd_source(pd_sim.base_url, ["PSVC1"], token="bad-secret-99"))
    assert run.status == "failed" and "401" in run.error and "bad-secret-99" not in run.error


def test_429_without_headers_is_waited_out(pd_sim, pd_world, monkeypatch) -> None:
    monkeypatch.setattr(client_module, "NO_HEADER_WAIT_SECONDS", 0.1)
    pd_world.add_incident("PSVC1", created_at=timezone.now() - timedelta(days=1))
    pd_sim.faults.add(FaultRule(path="^/incidents", status=429, times=1))
    run = source_sync(source=make_pd_source(pd_sim.base_url, ["PSVC1"]))
    assert run.status == "succeeded", run.error
    assert (run.rate_limit_waits, Incident.objects.count()) == (1, 1)


def test_real_payloads_through_the_simulator(settings) -> None:
    settings.KEEL_PAGERDUTY_HISTORY_DAYS = 3650  # the recordings are from 2021 and 2022
    world: PagerDutyWorld = load_recorded(
        REAL / "incidents.json", REAL / "airbyte" / "incidents.json"
    )
    with Simulator() as sim:
        sim.add_provider(PagerDutyProvider(world, token="real"))
        run = source_sync(
            source=make_pd_source(sim.base_url, ["PIKL83L", "PAZDKS7", "PAZDKS8"], token="real")
        )
    assert run.status == "succeeded", run.error
    stored = {
        i.pd_id: (i.service.service_id, i.urgency, i.status, i.resolved_at)
        for i in Incident.objects.select_related("service")
    }
    assert len(stored) == 6
    assert stored["Q1OHFWFP3GPXOG"] == (
        "PIKL83L",
        "low",
        "resolved",
        datetime(2022, 11, 3, 6, 51, 44, tzinfo=UTC),
    )
    assert stored["Q1LAD3450AG7V9"][0] == "PAZDKS8"
    # By hand, PIKL83L on 2022-11-03 with now = 08:00:00Z: outages #4 (high, open since
    # 06:23:06) and #5 (high, open since 06:44:28) → union 06:23:06–08:00:00 = 96 min 54 s
    # = 96.9 min; #6 is low urgency. MTTR: #6 06:45:36 → 06:51:44 = 368 s = 0.10222 h.
    now = datetime(2022, 11, 3, 8, 0, tzinfo=UTC)
    frame = incidents_frame()
    frame = frame[frame["created_at"] < pd.Timestamp(now)]
    rows = reliability_rows(
        frame,
        services_frame(),
        tz="UTC",
        now=now,
        outage_urgencies=["high"],
        granularities=("week",),
    )
    week = rows[
        (rows["scope"] == "service")
        & (rows["scope_key"] == "PIKL83L")
        & (rows["period_start"] == datetime(2022, 10, 31).date())
    ]
    values = dict(zip(week["metric"], week["value"], strict=True))
    assert values["downtime_minutes"] == pytest.approx(96.9)
    assert values["incidents"] == 3.0
    assert values["mttr_hours"] == pytest.approx(368 / 3600)


def test_a_disabled_service_is_not_synced(pd_sim, pd_world) -> None:
    pd_world.add_incident("PSVC1", created_at=timezone.now() - timedelta(days=1))
    pd_world.add_incident("PSVC2", created_at=timezone.now() - timedelta(days=1))
    source = make_pd_source(pd_sim.base_url, ["PSVC1", "PSVC2"])
    source.pagerduty_services.filter(service_id="PSVC2").update(enabled=False)

    run = source_sync(source=source)

    assert run.status == "succeeded", run.error
    assert list(Incident.objects.values_list("service__service_id", flat=True)) == ["PSVC1"]
    assert not [r for r in pd_sim.requests if "PSVC2" in r.path + str(r.query)]
