import pytest
import yaml
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from apps.accounts.tokens import api_token_create
from tests.metrics.factories import UserFactory

URL = "/api/v1/health/"


@pytest.fixture
def token(db) -> str:
    return api_token_create(user=UserFactory(username="bi-tool"), read_only=False).token


def test_a_valid_token_gets_ok_with_one_query(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.get(URL).status_code == 200  # the first use records `last_used_at`
    with CaptureQueriesContext(connection) as queries:
        response = client.get(URL)
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}
    # The token lookup (user joined) is the only read: the endpoint is the trivial baseline
    # that benchmarks/bench_api_load.py compares /api/v1/metrics/ with.
    assert len(queries) == 1 and "accounts_apitoken" in queries[0]["sql"]


@pytest.mark.parametrize("header", [None, "Token wrong", "Bearer x"])
def test_a_missing_or_wrong_token_is_a_401(token, header):
    client = APIClient()
    if header:
        client.credentials(HTTP_AUTHORIZATION=header)
    response = client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_only_get_is_allowed(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert client.post(URL, {}).status_code == 405


def test_schema_documents_health(api):
    schema = yaml.safe_load(api.get("/api/v1/schema/").content)
    get = schema["paths"]["/api/v1/health/"]["get"]
    assert {"200", "401"} <= set(get["responses"])
    ref = get["responses"]["200"]["content"]["application/json"]["schema"]["$ref"]
    component = schema["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert component["required"] == ["status"]
    assert component["properties"]["status"]["type"] == "string"
