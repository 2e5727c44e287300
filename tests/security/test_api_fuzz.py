"""The REST API fuzzed from its own OpenAPI schema (schemathesis): for every operation, as a
superuser and as a team manager, requests that follow the schema, requests that break it
(negative mode: wrong types, values out of their enums, malformed path parameters) and, for
every date parameter, requests at the calendar's edges (years 1 and 9999, the 53rd ISO week)
never get a 5xx, and every response matches the schema (status code, content type, body).
The number of cases run is printed at the end of the test session (tests/security/tally.py).

The schema is the one drf-spectacular serves at /api/v1/schema/, generated in-process; requests
go through Django's WSGI application in this process, so they see the seeded test database.
"""

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from django.test import Client
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security import tally
from tests.security.routes import api_paths

# Years 1 and 9999 (their first and last days, and the Monday of 9999's last week), and the
# Mondays that start an ISO week 53 (2015, 2020, 2026) with the Sunday that ends 2026's.
DATE_EDGES = [
    "0001-01-01",
    "0001-01-31",
    "9999-12-01",
    "9999-12-27",
    "9999-12-31",
    "2015-12-28",
    "2020-12-28",
    "2026-12-28",
    "2027-01-03",
]

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def date_parameters(path: str, method: str) -> list[str]:
    """The query parameters of an operation whose schema format is `date`."""
    parameters = DOCUMENT["paths"][path][method.lower()].get("parameters", [])
    return [
        p["name"] for p in parameters if p["in"] == "query" and p["schema"].get("format") == "date"
    ]


def at_date_edges(operation, names: list[str]):
    """Valid cases of `operation` whose date parameters `names` are calendar edges."""

    def put(case, dates: dict):
        case.query = {**(case.query or {}), **dates}
        return case

    dates = st.fixed_dictionaries({name: st.sampled_from(DATE_EDGES) for name in names})
    return st.tuples(operation.as_strategy(GenerationMode.POSITIVE), dates).map(
        lambda pair: put(*pair)
    )


def openapi_document() -> dict:
    """The OpenAPI document of the API, exactly as /api/v1/schema/?format=json renders it."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    return json.loads(OpenApiJsonRenderer().render(document))


DOCUMENT = openapi_document()
OPERATIONS = [(path, method.upper()) for path, item in DOCUMENT["paths"].items() for method in item]
# Hypothesis bounds: a few dozen requests per operation keeps the whole file to seconds; the
# same examples every run (derandomize), no example database on disk.
FUZZ = settings(
    max_examples=30,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def wsgi_app():
    """Django's WSGI application, minus the per-request `close_old_connections` (as Django's
    test client does): closing the connection would end the test's transaction."""
    signals = (request_started, request_finished)
    for signal in signals:
        signal.disconnect(close_old_connections)
    try:
        yield get_wsgi_application()
    finally:
        for signal in signals:
            signal.connect(close_old_connections)


@pytest.mark.parametrize("who", ["superuser", "manager"])
@pytest.mark.parametrize(("path", "method"), OPERATIONS, ids=[f"{m} {p}" for p, m in OPERATIONS])
def test_operation_conforms_to_its_schema(
    seeded_module, db, wsgi_app, who: str, path: str, method: str
) -> None:
    seeded = seeded_module
    token = seeded.superuser_token if who == "superuser" else seeded.manager_token
    schema = schemathesis.openapi.from_dict(DOCUMENT)
    operation = schema[path][method]
    app = wsgi_app
    headers = {"Authorization": f"Token {token}"}

    cases = operation.as_strategy(GenerationMode.POSITIVE) | operation.as_strategy(
        GenerationMode.NEGATIVE
    )
    if names := date_parameters(path, method):
        cases = cases | at_date_edges(operation, names)

    @FUZZ
    @given(case=cases)
    def fuzz(case) -> None:
        tally.count("schema fuzzing of the API")
        case.call_and_validate(app=app, headers=headers, checks=CHECKS)

    fuzz()


def test_schema_covers_every_api_route() -> None:
    # The fuzzing above is only as wide as the schema: every GET route under /api/v1/ except
    # the schema and docs pages themselves must be an operation of it.
    documented = set(DOCUMENT["paths"])
    assert documented == set(api_paths())
    assert len(documented) >= 12


def test_an_unknown_api_url_is_a_json_404_and_a_page_is_html(seeded_module, db) -> None:
    client = Client(headers={"Authorization": f"Token {seeded_module.superuser_token}"})
    for url in ("/api/v1/no-such-thing/", "/api/v1/teams/not.a.slug/", "/api/v2/"):
        response = client.get(url)
        assert (response.status_code, response.json()) == (404, {"detail": "Not found."}), url
    page = client.get("/no/such/page/")
    assert page.status_code == 404 and page["Content-Type"].startswith("text/html")
