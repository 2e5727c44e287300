"""Single sign-on rules without a browser: the ID token's issuer, audience and expiry, the group
claim's roles, discovery that names another issuer, and password login turned off."""

import time
from unittest import mock

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.test import Client

from apps.accounts import oidc
from apps.accounts.access import role_of
from apps.accounts.models import Role
from apps.accounts.roles import role_from_groups, user_role_set

ISSUER = "https://idp.acme.test"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture
def configured(settings):
    settings.KEEL_OIDC_ISSUER = ISSUER
    settings.OIDC_RP_CLIENT_ID = "keel"
    document = {"issuer": ISSUER, **{name: f"{ISSUER}/{name}" for name in oidc.DISCOVERED.values()}}
    with mock.patch.object(oidc, "provider_configuration", return_value=document):
        yield


def _token(**claims) -> str:
    now = int(time.time())
    body = {"iss": ISSUER, "aud": "keel", "sub": "ann", "iat": now, "exp": now + 300, **claims}
    return jwt.encode(body, KEY, algorithm="RS256")


@pytest.mark.parametrize(
    ("claims", "why"),
    [
        ({"aud": "another-app"}, "Audience"),
        ({"iss": "https://evil.test"}, "issuer"),
        ({"exp": int(time.time()) - 3600}, "expired"),
    ],
)
def test_an_id_token_for_another_app_issuer_or_time_is_refused(configured, claims, why) -> None:
    backend = oidc.KeelOIDCBackend()
    backend.OIDC_RP_SIGN_ALGO, backend.OIDC_RP_CLIENT_ID = "RS256", "keel"
    assert backend._verify_jws(_token(), KEY.public_key())["sub"] == "ann"
    with pytest.raises(SuspiciousOperation, match=why):
        backend._verify_jws(_token(**claims), KEY.public_key())


def test_group_claims_give_roles(db, settings) -> None:
    assert role_from_groups({"groups": ["keel-admins"]}) is None  # no role groups configured
    settings.KEEL_OIDC_ADMIN_GROUPS = ["keel-admins"]
    settings.KEEL_OIDC_VIEWER_GROUPS = ["staff"]
    assert role_from_groups({"groups": ["staff", "keel-admins"]}) == Role.ADMIN
    assert role_from_groups({"groups": "staff"}) == Role.VIEWER
    assert role_from_groups({"groups": ["other"]}) is None
    settings.KEEL_OIDC_REQUIRE_GROUP = True
    assert role_from_groups({"groups": ["other"]}) is False
    user = get_user_model().objects.create_user("ann@acme.test", email="ann@acme.test")
    assert user_role_set(user=user, role=Role.ADMIN, by="test")
    user.refresh_from_db()
    assert (user.is_superuser, user.is_staff, role_of(user)) == (True, True, Role.ADMIN)
    assert user_role_set(user=user, role=Role.VIEWER, by="test")
    user.refresh_from_db()
    assert (user.is_superuser, role_of(user)) == (False, Role.VIEWER)
    assert not user_role_set(user=user, role=Role.VIEWER, by="test")  # no change, no event


def test_discovery_naming_another_issuer_makes_sso_unavailable(settings) -> None:
    settings.KEEL_OIDC_ISSUER = ISSUER
    cache.clear()
    answer = mock.Mock(status_code=200)
    answer.json.return_value = {"issuer": "https://evil.test"}
    with mock.patch.object(oidc.requests, "get", return_value=answer):
        with pytest.raises(oidc.SingleSignOnUnavailable, match="another issuer"):
            oidc.provider_configuration()


def test_signing_in_when_the_provider_is_down_says_so(db, settings) -> None:
    settings.KEEL_OIDC_ISSUER = "http://127.0.0.1:9"  # nothing listens
    cache.clear()
    response = Client().get("/oidc/authenticate/")
    assert response.status_code == 302 and response["Location"] == "/login/?sso=unavailable"
    page = Client().get(response["Location"]).content.decode()
    assert "Single sign-on is unavailable right now" in page


def test_password_login_can_be_turned_off(db, settings) -> None:
    settings.KEEL_PASSWORD_LOGIN = False
    settings.KEEL_OIDC_ISSUER = ISSUER
    get_user_model().objects.create_superuser("root", "root@acme.test", "pw")
    page = Client().get("/login/").content.decode()
    assert "Sign in with" in page and 'name="password"' not in page
    refused = Client().post("/login/", {"username": "root", "password": "pw"})
    assert refused.status_code == 403
    admin = Client().get("/admin/login/?next=/admin/")
    assert admin.status_code == 302 and admin["Location"].startswith("/login/?next=")
