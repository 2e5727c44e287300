import csv
import io
from datetime import date

import factory
import pytest
from django.contrib.auth import get_user_model
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.metrics.api.serializers import MetricRowSerializer
from apps.metrics.models import MetricRow
from apps.metrics.registry import MetricFamily, families_override
from tests.metrics.conftest import FAKE_COUNT, client_for, fake_compute
from tests.metrics.factories import MetricRowFactory, PersonFactory, TeamFactory, UserFactory

URL = "/api/v1/metrics/"
KEYS = [
    "metric",
    "scope",
    "scope_key",
    "granularity",
    "period_start",
    "period_end",
    "value",
    "unit",
    "sample_size",
    "smoothed",
    "anomaly",
    "note",
]


@pytest.fixture
def weeks(api):
    for i, start in enumerate([date(2026, 1, 5), date(2026, 1, 12), date(2026, 1, 19)]):
        MetricRowFactory(period_start=start, value=float(i))
        MetricRowFactory(metric="fake_cost", unit="currency", period_start=start, value=10.0 * i)


def metrics_of(response) -> list[tuple]:
    return [(r["metric"], r["period_start"]) for r in response.json()["results"]]


def test_page_shape_and_row_keys(api, weeks):
    MetricRowFactory(
        period_start=date(2026, 1, 26), value=None, smoothed=1.5, anomaly=True, note="no data"
    )
    body = api.get(URL, {"metric": "fake_count", "start": "2026-01-26"}).json()
    assert list(body) == ["count", "next", "previous", "results"]
    assert body["count"] == 1 and body["next"] is None and body["previous"] is None
    assert body["results"] == [
        {
            "metric": "fake_count",
            "scope": "org",
            "scope_key": "",
            "granularity": "week",
            "period_start": "2026-01-26",
            "period_end": "2026-02-02",
            "value": None,
            "unit": "things",
            "sample_size": 1,
            "smoothed": 1.5,
            "anomaly": True,
            "note": "no data",
        }
    ]


def test_currency_unit_is_the_billing_currency(api, weeks):
    body = api.get(URL, {"metric": "fake_cost"}).json()
    assert {row["unit"] for row in body["results"]} == {"EUR"}


def test_metric_filter_is_repeatable(api, weeks):
    assert api.get(URL, {"metric": "fake_count"}).json()["count"] == 3
    assert api.get(URL + "?metric=fake_count&metric=fake_cost").json()["count"] == 6


def test_start_inclusive_end_exclusive(api, weeks):
    response = api.get(URL, {"metric": "fake_count", "start": "2026-01-12", "end": "2026-01-19"})
    assert metrics_of(response) == [("fake_count", "2026-01-12")]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"start": "2026-13-01"}, "start"),
        ({"metric": "nope"}, "metric"),
        ({"granularity": "day"}, "granularity"),
        ({"scope": "planet"}, "scope"),
        ({"start": "2026-01-12", "end": "2026-01-12"}, "end"),
    ],
)
def test_invalid_filters_are_a_400_naming_the_parameter(api, params, field):
    response = api.get(URL, params)
    assert response.status_code == 400
    assert field in response.json()


def test_pagination(api):
    for i in range(105):
        MetricRowFactory(scope="team", scope_key=f"t{i:03}")
    first = api.get(URL).json()
    assert first["count"] == 105 and len(first["results"]) == 100
    assert first["next"].endswith("/api/v1/metrics/?page=2")
    assert len(api.get(first["next"]).json()["results"]) == 5


def test_rows_are_what_the_documented_serializer_gives(api, weeks):
    MetricRowFactory(
        period_start=date(2026, 1, 26), value=None, smoothed=1.5, anomaly=True, note="no data"
    )
    body = api.get(URL, {"metric": ["fake_count", "fake_cost"]}).json()
    rows = MetricRow.objects.order_by("metric", "period_start")
    assert len(body["results"]) == 7 and list(body["results"][0]) == KEYS
    assert body["results"] == MetricRowSerializer(rows, many=True, context={"currency": "EUR"}).data


@pytest.mark.parametrize(
    ("query", "count", "tables"),
    [
        # One page holds every row: no COUNT; the organisation is read for the cost unit only;
        # the user's role (apps.accounts.access) is one query.
        (
            "?metric=fake_count&metric=fake_cost",
            6,
            ["accounts_userrole", "metrics_metricrow", "organization"],
        ),
        ("?metric=fake_count&granularity=week", 3, ["accounts_userrole", "metrics_metricrow"]),
    ],
)
def test_a_single_page_is_read_in_one_plain_query(api, weeks, query, count, tables):
    # No SELECT DISTINCT (it made PostgreSQL sort every matching row, for the page and for the
    # count) and no query per row: benchmarks/bench_api_load.py.
    with CaptureQueriesContext(connection) as queries:
        body = api.get(URL + query).json()
    assert body["count"] == count and len(body["results"]) == count
    sqls = [q["sql"] for q in queries]
    assert [t for t in tables if any(t in sql for sql in sqls)] == tables
    assert len(sqls) == len(tables) and not any("DISTINCT" in sql for sql in sqls)


@pytest.mark.parametrize(("rows", "pages"), [(99, 1), (100, 1), (101, 2), (250, 3)])
def test_count_and_links_at_the_page_boundary(api, rows, pages):
    MetricRowFactory.create_batch(rows, scope="team", scope_key=factory.Sequence(str))
    with CaptureQueriesContext(connection) as queries:
        body = api.get(URL).json()
    assert (body["count"], len(body["results"]), body["previous"]) == (rows, min(rows, 100), None)
    assert (body["next"] is None) == (pages == 1)
    # the role, the page, and a COUNT when the first page is full
    assert len(queries) == (2 if rows <= 100 else 3)
    last = api.get(URL, {"page": pages}).json()
    on_last = rows - 100 * (pages - 1)
    assert (last["count"], len(last["results"]), last["next"]) == (rows, on_last, None)


def read_csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_csv_has_header_and_every_row(api):
    for i in range(105):
        MetricRowFactory(scope="team", scope_key=f"t{i:03}", value=0.5)
    response = api.get(URL, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="keel-metrics.csv"'
    rows = read_csv(response)
    assert rows[0] == KEYS and len(rows) == 106
    assert rows[1] == [
        "fake_count",
        "team",
        "t000",
        "week",
        "2026-01-05",
        "2026-01-12",
        "0.5",
        "things",
        "1",
        "",
        "false",
        "",
    ]


def test_csv_by_accept_header_with_filters(api, weeks):
    response = api.get(URL, {"metric": "fake_cost", "end": "2026-01-12"}, HTTP_ACCEPT="text/csv")
    assert read_csv(response) == [
        KEYS,
        [
            "fake_cost",
            "org",
            "",
            "week",
            "2026-01-05",
            "2026-01-12",
            "0.0",
            "EUR",
            "1",
            "",
            "false",
            "",
        ],
    ]


def test_csv_errors_are_json(api):
    response = api.get(URL, {"format": "csv", "start": "never"})
    assert response.status_code == 400
    assert response.json() == {"start": ["Enter a valid date."]}


@pytest.fixture
def teams(api):
    a, b = TeamFactory(slug="a"), TeamFactory(slug="b")
    PersonFactory(email="ann@acme.test", team=a)
    PersonFactory(email="bea@acme.test", team=b)
    manager = UserFactory(username="manager")
    a.managers.add(manager)
    for email in ("ann@acme.test", "bea@acme.test"):
        MetricRowFactory(scope="engineer", scope_key=email)
    MetricRowFactory(scope="team", scope_key="a")
    return manager


def keys_seen(client) -> list[str]:
    return sorted(row["scope_key"] for row in client.get(URL).json()["results"])


def test_manager_sees_only_their_engineers(teams):
    assert keys_seen(client_for(teams)) == ["a", "ann@acme.test"]
    csv_rows = read_csv(client_for(teams).get(URL, {"format": "csv"}))
    assert sorted(row[2] for row in csv_rows[1:]) == ["a", "ann@acme.test"]


def test_non_manager_sees_no_engineer(teams, api):
    assert keys_seen(api) == ["a"]
    assert api.get(URL, {"scope": "engineer"}).json()["count"] == 0


def test_superuser_sees_everyone(teams):
    root = get_user_model().objects.create_superuser("root", "root@acme.test", "pw")
    assert keys_seen(client_for(root)) == ["a", "ann@acme.test", "bea@acme.test"]


def test_catalog(api):
    body = api.get(URL + "catalog/").json()
    assert body == [
        {
            "name": "fake_cost",
            "label": "Fake cost",
            "short_label": "",
            "better": "down",
            "unit": "EUR",
            "description": "Money spent.",
            "scopes": ["org"],
            "kind": "sum",
            "definition": "docs/metrics.md#fake_cost",
            "anomaly_model": "lognormal_per_day",
            "smoothing_weight": "equal",
            "bands": [],
            "bands_source": "",
            "bands_per_day": False,
            "goals": [],
        },
        {
            "name": "fake_count",
            "label": "Things",
            "short_label": "",
            "better": "none",
            "unit": "things",
            "description": "Things that happened.",
            "scopes": ["org", "team", "engineer"],
            "kind": "count",
            "definition": "docs/metrics.md#fake_count",
            "anomaly_model": "poisson_per_day",
            "smoothing_weight": "equal",
            "bands": [],
            "bands_source": "",
            "bands_per_day": False,
            "goals": [],
        },
    ]


RECORDS = URL + "fake_count/records/"


def test_records_of_one_number(api):
    MetricRowFactory(scope="team", scope_key="a", value=4.0, note="")
    body = api.get(
        RECORDS,
        {"scope": "team", "scope_key": "a", "granularity": "week", "period_start": "2026-01-05"},
    ).json()
    assert body == {
        "metric": "fake_count",
        "scope": "team",
        "scope_key": "a",
        "granularity": "week",
        "period_start": "2026-01-05",
        "period_end": "2026-01-12",
        "value": 4.0,
        "note": "",
        "records": [
            {"id": 1, "at": "2026-01-05T00:00:00+00:00", "scope_key": "a"},
            {"id": 2, "at": "2026-01-11T23:59:59+00:00", "tz": "UTC"},
        ],
    }


def test_records_without_a_row(api):
    body = api.get(
        RECORDS, {"scope": "org", "granularity": "month", "period_start": "2026-02-01"}
    ).json()
    assert (body["value"], body["note"], body["period_end"]) == (
        None,
        "no row computed for this period",
        "2026-03-01",
    )


@pytest.mark.parametrize(
    ("path", "params", "status"),
    [
        (URL + "nope/records/", {}, 404),
        (RECORDS, {"scope": "org", "granularity": "week"}, 400),
        (RECORDS, {"scope": "org", "granularity": "week", "period_start": "2026-01-06"}, 400),
        (RECORDS, {"scope": "service", "granularity": "week", "period_start": "2026-01-05"}, 400),
        (RECORDS, {"scope": "org", "granularity": "year", "period_start": "2026-01-05"}, 400),
    ],
)
def test_records_errors(api, path, params, status):
    response = api.get(path, params)
    assert response.status_code == status
    assert response.json()


def test_records_refuse_another_teams_engineer(teams):
    params = {"scope": "engineer", "granularity": "week", "period_start": "2026-01-05"}
    manager = client_for(teams)
    assert manager.get(RECORDS, {**params, "scope_key": "ann@acme.test"}).status_code == 200
    assert manager.get(RECORDS, {**params, "scope_key": "bea@acme.test"}).status_code == 403


def test_records_of_a_family_without_records(api):
    with families_override(MetricFamily(name="bare", metrics=(FAKE_COUNT,), compute=fake_compute)):
        response = api.get(
            RECORDS, {"scope": "org", "granularity": "week", "period_start": "2026-01-05"}
        )
    assert response.status_code == 404
    assert response.json() == {"detail": "metric 'fake_count' has no records"}
