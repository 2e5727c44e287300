"""Fixtures of the metrics tests: a fake metric family in an isolated registry, API clients."""

from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from rest_framework.test import APIClient

from apps.core.periods import iter_periods, period_of
from apps.metrics.registry import (
    ComputeContext,
    MetricDefinition,
    MetricFamily,
    RecordsQuery,
    families_override,
)
from tests.metrics.factories import OrganizationFactory, UserFactory

FAKE_COUNT = MetricDefinition(
    name="fake_count",
    unit="things",
    description="Things that happened.",
    scopes=("org", "team", "engineer"),
    kind="count",
    doc_anchor="fake_count",
    label="Things",
)
FAKE_COST = MetricDefinition(
    name="fake_cost",
    unit="currency",
    description="Money spent.",
    scopes=("org",),
    kind="sum",
    doc_anchor="fake_cost",
    better="down",
)
FIRST_WEEK = date(2026, 1, 5)


def fake_compute(ctx: ComputeContext) -> pd.DataFrame:
    """fake_count = 2 per org week and fake_cost = 10 per org week, from FIRST_WEEK to now."""
    weeks = list(iter_periods(FIRST_WEEK, period_of(ctx.now, "week", ctx.tz), "week"))
    rows = [
        (name, "org", "", "week", week, value, 1, "")
        for week in weeks
        for name, value in (("fake_count", 2.0), ("fake_cost", 10.0))
    ]
    return pd.DataFrame(
        rows,
        columns=[
            "metric",
            "scope",
            "scope_key",
            "granularity",
            "period_start",
            "value",
            "sample_size",
            "note",
        ],
    )


def fake_records(query: RecordsQuery) -> list[dict]:
    return [
        {"id": 1, "at": query.start_at.isoformat(), "scope_key": query.scope_key},
        {"id": 2, "at": (query.end_at - timedelta(seconds=1)).isoformat(), "tz": query.tz},
    ]


FAKE_FAMILY = MetricFamily(
    name="fake", metrics=(FAKE_COUNT, FAKE_COST), compute=fake_compute, records=fake_records
)
NOW = datetime.fromisoformat("2026-01-21T12:00:00+00:00")


@pytest.fixture
def fake_registry():
    with families_override(FAKE_FAMILY):
        yield FAKE_FAMILY


@pytest.fixture
def organization(db):
    return OrganizationFactory()


@pytest.fixture
def api(db, organization, fake_registry):
    """An API client authenticated as a plain user (no team, not a superuser)."""
    client = APIClient()
    client.force_authenticate(UserFactory(username="plain"))
    return client


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client
