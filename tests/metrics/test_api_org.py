from datetime import datetime
from io import StringIO

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema
from rest_framework.test import APIClient

from apps.accounts.tokens import api_token_create
from tests.metrics.conftest import client_for
from tests.metrics.factories import (
    CustomerFactory,
    IdentityFactory,
    PersonFactory,
    SourceFactory,
    SyncRunFactory,
    TeamFactory,
    UserFactory,
)

T0 = datetime.fromisoformat("2026-01-05T10:00:00+00:00")
T1 = datetime.fromisoformat("2026-01-05T10:05:00+00:00")


def test_sources_never_show_a_secret(api):
    source = SourceFactory(
        name="gh", token="ghp_SECRET123", webhook_secret="whsec_HIDDEN", email="bot@acme.test"
    )
    SyncRunFactory(source=source, status="failed", error="old")
    latest = SyncRunFactory(
        source=source,
        status="succeeded",
        started_at=T0,
        finished_at=T1,
        counts={"acme/api/pulls": 3},
    )
    SourceFactory(
        name="pd",
        kind="pagerduty",
        base_url="https://api.pagerduty.com",
        token_env="PAGERDUTY_TOKEN",
    )
    SourceFactory(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    response = api.get("/api/v1/sources/")
    for secret in (b"ghp_SECRET123", b"whsec_HIDDEN", b"bot@acme.test"):
        assert secret not in response.content
    results = response.json()["results"]
    assert [(s["name"], s["token_set"], s["last_sync"]) for s in results] == [
        (
            "gh",
            True,
            {
                "id": latest.pk,
                "status": "succeeded",
                "started_at": "2026-01-05T10:00:00Z",
                "finished_at": "2026-01-05T10:05:00Z",
                "error": "",
                "counts": {"acme/api/pulls": 3},
            },
        ),
        ("jira", False, None),
        ("pd", True, None),
    ]
    detail = api.get("/api/v1/sources/gh/")
    assert b"ghp_SECRET123" not in detail.content and detail.json()["token_set"] is True


def test_teams_people_customers(api):
    team = TeamFactory(slug="platform", name="Platform")
    team.managers.add(UserFactory(username="alice", email="alice@acme.test"))
    person = PersonFactory(email="bob@acme.test", name="Bob", team=team)
    IdentityFactory(person=person, provider="github", external_id="bob-gh")
    CustomerFactory(key="globex", name="Globex", team=team, environment="^prod-globex$")
    assert api.get("/api/v1/teams/").json()["results"] == [
        {"slug": "platform", "name": "Platform", "managers": ["alice@acme.test"]}
    ]
    assert api.get("/api/v1/people/bob@acme.test/").status_code == 404  # a viewer sees nobody
    admin = client_for(UserFactory(username="root", is_superuser=True))
    assert admin.get("/api/v1/people/bob@acme.test/").json() == {
        "email": "bob@acme.test",
        "name": "Bob",
        "team": "platform",
        "identities": [{"provider": "github", "external_id": "bob-gh"}],
    }
    assert api.get("/api/v1/customers/").json()["results"] == [
        {
            "key": "globex",
            "name": "Globex",
            "team": "platform",
            "onboarding_start": "2026-01-05",
            "environment": "^prod-globex$",
            "jira_issue": "",
        }
    ]


def test_sync_runs_filter_by_source_and_status(api):
    gh, pd_source = SourceFactory(name="gh"), SourceFactory(name="pd", kind="pagerduty")
    SyncRunFactory(source=gh, status="failed", error="401 bad credentials")
    SyncRunFactory(source=gh, status="succeeded")
    SyncRunFactory(source=pd_source, status="failed")
    body = api.get("/api/v1/sync-runs/", {"source": "gh", "status": "failed"}).json()
    assert [(r["source"], r["status"], r["error"]) for r in body["results"]] == [
        ("gh", "failed", "401 bad credentials")
    ]
    assert set(body["results"][0]) >= {"full", "counts", "requests_made", "scope_errors"}
    assert api.get("/api/v1/sync-runs/", {"status": "bogus"}).status_code == 400


@pytest.mark.django_db
def test_token_auth_and_anonymous_refused(organization, fake_registry):
    token = api_token_create(user=UserFactory())
    client = APIClient()
    assert client.get("/api/v1/metrics/").status_code == 401
    assert client.get("/api/v1/sources/").status_code == 401
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.token}")
    assert client.get("/api/v1/metrics/").status_code == 200
    client.credentials(HTTP_AUTHORIZATION="Token wrong")
    assert client.get("/api/v1/metrics/").status_code == 401


@pytest.mark.django_db
def test_schema_is_valid_openapi_3(api):
    response = api.get("/api/v1/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    assert schema["openapi"].startswith("3.")
    validate_schema(schema)
    assert {
        "/api/v1/metrics/",
        "/api/v1/metrics/catalog/",
        "/api/v1/metrics/{metric}/records/",
        "/api/v1/sources/",
        "/api/v1/sync-runs/",
    } <= set(schema["paths"])


@pytest.mark.django_db
def test_schema_generates_without_warnings(fake_registry, tmp_path):
    call_command(
        "spectacular",
        "--validate",
        "--fail-on-warn",
        "--file",
        str(tmp_path / "schema.yml"),
        stderr=StringIO(),
    )


@pytest.mark.django_db
def test_docs_page_works_offline(api):
    html = api.get("/api/v1/docs/").content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    assert "cdn" not in html.lower()
    assert 'src="http' not in html and 'href="http' not in html
