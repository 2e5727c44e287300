"""The REST API fuzzed from its own OpenAPI schema (schemathesis): for every operation, as a
superuser and as a team manager, requests that follow the schema and requests that break it
(negative mode: wrong types, values out of their enums, malformed path parameters) never get a
5xx, and every response matches the schema (status code, content type, body).

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
from schemathesis import GenerationMode
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from tests.security.routes import api_paths

CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


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

    @FUZZ
    @given(
        case=operation.as_strategy(GenerationMode.POSITIVE)
        | operation.as_strategy(GenerationMode.NEGATIVE)
    )
    def fuzz(case) -> None:
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
