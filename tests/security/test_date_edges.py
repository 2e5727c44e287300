"""Dates at the edges of the calendar (year 1, year 9999, the 53rd ISO week) in every query that
takes one: a clear 400 (API) or an error on the page, never a server error."""

from datetime import date

import pytest
from django.test import Client
from rest_framework.test import APIClient

from apps.metrics.registry import all_definitions, family_of
from apps.organization.models import Organization

EDGES = [
    ("week", "9999-12-27"),  # a Monday whose week ends after 9999-12-31
    ("month", "9999-12-01"),
    ("month", "0001-01-01"),  # a churn window before it starts before year 1
    ("week", "0001-01-01"),  # a Monday
]
WEEK_53 = date(2026, 12, 28)  # Monday of ISO week 53 of 2026


@pytest.fixture
def root(db):
    from django.contrib.auth import get_user_model

    Organization.objects.create(name="Acme", timezone="Pacific/Kiritimati")
    return get_user_model().objects.create_superuser("root", "root@acme.test", "pw")


def _with_records() -> list[str]:
    return [m.name for m in all_definitions() if family_of(m.name).records and "org" in m.scopes]


@pytest.mark.parametrize(("granularity", "period_start"), EDGES)
def test_records_of_every_metric_at_a_calendar_edge_are_a_clear_400(
    root, granularity, period_start
) -> None:
    api = APIClient()
    api.force_authenticate(root)
    for metric in _with_records():
        url = f"/api/v1/metrics/{metric}/records/"
        query = {"scope": "org", "granularity": granularity, "period_start": period_start}
        response = api.get(url, query)
        assert response.status_code == 400, (metric, response.status_code)
        assert "outside the dates Keel handles" in str(response.json()), metric


def test_records_in_iso_week_53_are_served(root) -> None:
    api = APIClient()
    api.force_authenticate(root)
    for metric in _with_records():
        query = {"scope": "org", "granularity": "week", "period_start": WEEK_53.isoformat()}
        response = api.get(f"/api/v1/metrics/{metric}/records/", query)
        assert response.status_code == 200, (metric, response.content[:300])
        assert response.json()["period_end"] == "2027-01-04"


@pytest.mark.parametrize(
    "query",
    [
        "period_start=9999-12-01",
        "period_start=0001-01-01",
        "granularity=week&period_start=9999-12-27",
        "start=0001-01-01&end=9999-12-31",
        "granularity=week&start=0001-01-01",
        f"granularity=week&period_start={WEEK_53}",
    ],
)
def test_metric_pages_at_a_calendar_edge_never_fail(root, query) -> None:
    client = Client()
    client.force_login(root)
    for metric in ("cost", "release_frequency", "engineers_at_risk"):
        response = client.get(f"/metrics/{metric}/?{query}")
        assert response.status_code in (200, 400), (metric, query, response.status_code)
        if response.status_code == 400:
            assert "outside the dates Keel handles" in response.content.decode()


@pytest.mark.parametrize("month", ["0001-01", "9999-12", "0001-02"])
def test_digest_preview_at_a_calendar_edge_is_a_404_not_a_500(root, month) -> None:
    client = Client()
    client.force_login(root)
    response = client.get(f"/digests/preview/?month={month}")
    assert response.status_code == 404
