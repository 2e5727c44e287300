"""API tokens: hashed at rest, shown once, expiring, read-only by default, revocable; the token
endpoint, the API tokens page, the command, and the migration of plain-text DRF tokens."""

import importlib
from datetime import timedelta
from io import StringIO
from types import SimpleNamespace

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.accounts.tokens import api_token_create, api_tokens_prune


@pytest.fixture
def lead(db):
    return get_user_model().objects.create_user("lead", "lead@acme.test", "s3cret-pass")


def _api(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def _stored_columns() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM accounts_apitoken")
        return repr(cursor.fetchall())


def test_a_token_is_stored_only_as_a_hash_and_works(lead) -> None:
    new = api_token_create(user=lead, name="looker")
    assert new.token.startswith("keel_") and len(new.token) == 5 + 64
    assert new.token not in _stored_columns() and new.token[15:] not in _stored_columns()
    assert _api(new.token).get("/api/v1/health/").status_code == 200
    assert ApiToken.objects.get().last_used_at is not None
    assert _api(new.token + "0").get("/api/v1/health/").status_code == 401


def test_an_expired_token_is_refused_saying_so(lead) -> None:
    new = api_token_create(user=lead, days=1)
    ApiToken.objects.update(expiry=timezone.now() - timedelta(minutes=1))
    response = _api(new.token).get("/api/v1/health/")
    assert response.status_code == 401 and "token expired on" in response.json()["detail"]
    assert api_tokens_prune() == 1 and not ApiToken.objects.exists()


def test_a_read_only_token_cannot_write_and_a_read_write_token_can(lead) -> None:
    reader = api_token_create(user=lead)
    writer = api_token_create(user=lead, read_only=False)
    refused = _api(reader.token).post("/api/v1/health/")
    assert refused.status_code == 403
    assert refused.json() == {"detail": "this API token is read-only"}
    assert _api(writer.token).post("/api/v1/health/").status_code == 405  # allowed, no POST


def test_the_token_endpoint_makes_a_token_shown_once(lead) -> None:
    client = APIClient()
    body = {"username": "lead", "password": "s3cret-pass", "name": "bi", "expires_in_days": 30}
    response = client.post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 201 and response["Cache-Control"] == "no-store"
    token = response.json()["token"]
    assert response.json()["read_only"] is True and response.json()["name"] == "bi"
    record = ApiToken.objects.get()
    assert timedelta(days=29) < record.expiry - timezone.now() <= timedelta(days=30)
    assert _api(token).get("/api/v1/health/").status_code == 200
    wrong = client.post("/api/v1/auth/token/", {**body, "password": "nope"}, format="json")
    assert wrong.status_code == 401 and ApiToken.objects.count() == 1
    too_long = client.post("/api/v1/auth/token/", {**body, "expires_in_days": 400}, format="json")
    assert too_long.status_code == 400


def test_a_token_revokes_itself(lead) -> None:
    new = api_token_create(user=lead)  # read-only may still revoke itself
    assert _api(new.token).post("/api/v1/auth/token/revoke/").status_code == 204
    assert _api(new.token).get("/api/v1/health/").status_code == 401


def test_password_login_off_closes_the_token_endpoint(lead, settings) -> None:
    settings.KEEL_PASSWORD_LOGIN = False
    body = {"username": "lead", "password": "s3cret-pass"}
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code == 403 and "single sign-on" in response.json()["detail"]


def test_the_tokens_page_shows_a_new_token_once_and_revokes(lead) -> None:
    client = Client()
    client.force_login(lead)
    made = client.post("/account/tokens/", {"name": "sheet", "days": "7"})
    html = made.content.decode()
    token = html.split("data-new-token>")[1].split("<")[0]
    assert token.startswith("keel_") and "no-store" in made["Cache-Control"]
    assert _api(token).get("/api/v1/health/").status_code == 200
    listing = client.get("/account/tokens/").content.decode()
    assert token not in listing and "sheet" in listing and "read-only" in listing
    key = ApiToken.objects.get().token_key
    client.post(f"/account/tokens/{key}/revoke/")
    assert not ApiToken.objects.exists()
    other = get_user_model().objects.create_user("other")
    theirs = api_token_create(user=other)
    client.post(f"/account/tokens/{theirs.record.token_key}/revoke/")
    assert ApiToken.objects.filter(user=other).exists()  # only your own


def test_the_command_prints_the_token(lead) -> None:
    out = StringIO()
    call_command("create_api_token", "lead", "--name", "cron", "--days", "10", stdout=out)
    token = out.getvalue().strip()
    assert _api(token).get("/api/v1/health/").status_code == 200


def test_plain_text_drf_tokens_become_hashed_tokens_with_the_same_key(lead) -> None:
    key = "9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, "
            "created timestamp)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, %s)", [key, lead.pk, None])
    migration = importlib.import_module("apps.accounts.migrations.0002_api_token")
    from django.apps import apps

    migration.drf_tokens_hash(apps, SimpleNamespace(connection=connection))
    with connection.cursor() as cursor:
        cursor.execute("SELECT COUNT(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
        cursor.execute("DROP TABLE authtoken_token")
    assert key not in _stored_columns()
    assert _api(key).get("/api/v1/health/").status_code == 200
    assert ApiToken.objects.get().read_only is True
