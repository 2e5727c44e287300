"""The reliability and customer metrics are registered, computed and served by the API."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.metrics.services import metrics_compute
from apps.reliability.models import Incident
from tests.reliability.conftest import make_pd_source

pytestmark = pytest.mark.django_db


def test_uptime_rows_in_the_api() -> None:
    source = make_pd_source("https://api.pagerduty.test", ["PSVC1"])
    service = source.pagerduty_services.get()
    service.name = "Payments API"
    service.save()
    Incident.objects.create(
        pd_id="Q1",
        service=service,
        status="resolved",
        urgency="high",
        created_at=datetime(2026, 4, 1, 0, 0, tzinfo=UTC),
        resolved_at=datetime(2026, 4, 1, 0, 43, 12, tzinfo=UTC),
    )
    written = metrics_compute(
        metrics=["uptime", "error_budget_remaining"], now=datetime(2026, 5, 2, tzinfo=UTC)
    )
    assert written["uptime"] > 0
    client = APIClient()
    client.force_authenticate(get_user_model().objects.create_user("u", password="x"))
    body = client.get(
        "/api/v1/metrics/",
        {
            "metric": "error_budget_remaining",
            "scope": "service",
            "granularity": "month",
            "start": "2026-04-01",
            "end": "2026-04-02",
        },
    ).json()
    # 43.2 min of downtime = exactly April's budget (30 d × 1,440 × 0.001) → 0 remaining.
    [row] = body["results"]
    assert (row["scope_key"], row["unit"], row["value"]) == ("PSVC1", "ratio", pytest.approx(0.0))
    records = client.get(
        "/api/v1/metrics/uptime/records/",
        {
            "scope": "service",
            "scope_key": "PSVC1",
            "granularity": "month",
            "period_start": "2026-04-01",
        },
    ).json()
    # 43.2 min down in a 43,200-min month: uptime 1 − 0.001 = 0.999.
    assert records["value"] == pytest.approx(0.999)
    assert [r["id"] for r in records["records"]] == ["Q1"]
    # The service by its PagerDuty name, not only its id.
    assert [(r["service"], r["service_name"]) for r in records["records"]] == [
        ("PSVC1", "Payments API")
    ]


def test_nothing_configured_writes_no_rows() -> None:
    written = metrics_compute(
        metrics=["uptime", "time_to_new_customer_days", "customers_onboarding"],
        now=datetime(2026, 1, 1, tzinfo=UTC),
    )
    assert sum(written.values()) == 0
