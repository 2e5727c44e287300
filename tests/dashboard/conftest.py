"""A small organisation for the dashboard's server-side tests: two teams with one engineer
each, a manager of team alpha, a GitHub source whose last sync failed, and three metric
families (named like the real ones so the funnel and the source checks apply) in an isolated
registry. "Today" is fixed at 2026-11-22, so October 2026 is the latest complete month."""

from datetime import date

import pandas as pd
import pytest
from django.test import Client

from apps.dashboard import selectors
from apps.metrics.registry import MetricDefinition, MetricFamily, RecordsQuery, families_override
from apps.organization.models import Repo
from tests.metrics.factories import (
    MetricRowFactory,
    OrganizationFactory,
    PersonFactory,
    SourceFactory,
    SyncRunFactory,
    TeamFactory,
    UserFactory,
)

TODAY = date(2026, 11, 22)
SEP, OCT, NOV = date(2026, 9, 1), date(2026, 10, 1), date(2026, 11, 1)
GH_ERROR = "github source 'gh': bad credentials (401)"


def _define(
    name: str, unit: str, scopes: tuple[str, ...], kind: str, label: str, better: str
) -> MetricDefinition:
    return MetricDefinition(
        name=name,
        unit=unit,
        description=f"{name} for tests.",
        scopes=scopes,
        kind=kind,  # type: ignore[arg-type]
        doc_anchor=name,
        label=label,
        better=better,  # type: ignore[arg-type]
    )


def t_records(query: RecordsQuery) -> list[dict]:
    return [
        {
            "ref": "v1.0",
            "released_at": query.start_at.isoformat(),
            "url": "https://github.com/acme/api/releases/tag/v1.0",
        },
        {
            "ref": "v1.1",
            "released_at": query.start_at.isoformat(),
            "url": "https://github.com/acme/api/releases/tag/v1.1",
        },
    ]


def _nothing(ctx) -> pd.DataFrame:
    return pd.DataFrame()


FAMILIES = (
    MetricFamily(
        "delivery",
        (_define("t_releases", "releases", ("org", "team"), "count", "Test releases", "up"),),
        _nothing,
        t_records,
    ),
    MetricFamily(
        "bug_load",
        (_define("t_share", "ratio", ("engineer", "team", "org"), "ratio", "Test share", "down"),),
        _nothing,
        t_records,
    ),
    MetricFamily(
        "reliability",
        (_define("t_uptime", "ratio", ("org",), "ratio", "Test uptime", "up"),),
        _nothing,
    ),
)


def month_row(metric: str, start: date, value: float | None, **kw) -> None:
    MetricRowFactory(
        metric=metric,
        granularity="month",
        period_start=start,
        value=value,
        unit=kw.pop("unit", "releases"),
        **kw,
    )


@pytest.fixture
def world(db, monkeypatch):
    monkeypatch.setattr(selectors, "today_local", lambda: TODAY)
    OrganizationFactory(cost_settings={"currency": "USD"})
    alpha, beta = TeamFactory(slug="alpha", name="Alpha"), TeamFactory(slug="beta", name="Beta")
    manager = UserFactory(username="alpha-lead")
    alpha.managers.add(manager)
    a1 = PersonFactory(email="a1@acme.test", name="Ann One", team=alpha)
    b1 = PersonFactory(email="b1@acme.test", name="Bob One", team=beta)
    gh = SourceFactory(name="gh", kind="github", token="ghp_SECRET_never_shown")
    Repo.objects.create(source=gh, full_name="acme/api", team=alpha)
    SyncRunFactory(source=gh, status="succeeded", requests_made=12)
    SyncRunFactory(
        source=gh, status="failed", error=GH_ERROR, rate_limit_waits=2, rate_limit_wait_seconds=1.5
    )
    # t_releases, org: Sep 4, Oct 6 (smoothed 5, anomaly), Nov 1 (partial).
    month_row("t_releases", SEP, 4.0, smoothed=4.0, sample_size=4)
    month_row("t_releases", OCT, 6.0, smoothed=5.0, anomaly=True, sample_size=6)
    month_row("t_releases", NOV, 1.0, smoothed=4.0, note="partial period: to 2026-11-22")
    month_row("t_releases", OCT, 3.0, scope="team", scope_key="alpha", smoothed=3.0)
    # t_share per engineer: a1 null in October, b1 0.5.
    for email, value, note in (
        ("a1@acme.test", None, "no work items completed in period"),
        ("b1@acme.test", 0.5, ""),
    ):
        month_row(
            "t_share",
            OCT,
            value,
            scope="engineer",
            scope_key=email,
            unit="ratio",
            note=note,
            smoothed=value,
        )
    with families_override(*FAMILIES):
        yield {"alpha": alpha, "beta": beta, "manager": manager, "a1": a1, "b1": b1, "gh": gh}


def client_of(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def admin_client_(world) -> Client:
    return client_of(UserFactory(username="root", is_superuser=True, is_staff=True))


@pytest.fixture
def manager_client(world) -> Client:
    return client_of(world["manager"])


@pytest.fixture
def plain_client(world) -> Client:
    return client_of(UserFactory(username="plain"))
