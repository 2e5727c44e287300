"""Single sign-on end to end: Debian's Chromium signs in to a live Keel through a real OpenID
Connect provider on loopback (tests/accounts/oidc_provider.py): discovery, the authorization
code flow with PKCE (the provider checks the verifier), the ID token's signature, issuer,
audience and nonce, the user matched by verified e-mail, the group claim's role, and logout at
the provider."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache

from apps.accounts.access import role_of
from apps.accounts.models import Role
from apps.core.models import AuditEvent
from apps.organization.models import Person, Team
from tests.dashboard.test_browser import ARGS, CHROMIUM

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="needs /usr/bin/chromium")
oidc_mock = pytest.importorskip("oidc_provider_mock")
from tests.accounts.oidc_provider import provider  # noqa: E402

USERS = [
    oidc_mock.User(
        sub="ann",
        claims={
            "email": "Ann@Acme.test",
            "email_verified": True,
            "given_name": "Ann",
            "family_name": "Lead",
            "groups": ["keel-managers"],
        },
    ),
    oidc_mock.User(sub="bo", claims={"email": "bo@acme.test", "email_verified": True}),
    oidc_mock.User(sub="eve", claims={"email": "a1@acme.test", "email_verified": False}),
]


@pytest.fixture
def idp(settings, monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    monkeypatch.setenv("AUTHLIB_INSECURE_TRANSPORT", "1")  # plain http on loopback
    cache.clear()
    with provider(USERS) as (issuer, pkce):
        settings.KEEL_OIDC_ISSUER = issuer
        settings.KEEL_OIDC_PROVIDER_NAME = "Acme SSO"
        settings.OIDC_RP_CLIENT_ID, settings.OIDC_RP_CLIENT_SECRET = "keel", "keel-secret"
        settings.KEEL_OIDC_MANAGER_GROUPS = ["keel-managers"]
        yield pkce
    cache.clear()


@pytest.fixture
def org(transactional_db):
    alpha = Team.objects.create(slug="alpha", name="Alpha")
    Person.objects.create(email="a1@acme.test", name="Ada One", team=alpha)
    Person.objects.create(email="bo@acme.test", name="Bo", team=alpha)
    # As apply_config makes a manager's account: username = e-mail, no usable password.
    ann = get_user_model().objects.create_user("ann@acme.test", email="ann@acme.test")
    alpha.managers.add(ann)
    return ann


@pytest.fixture
def page(live_server):
    playwright_sync = pytest.importorskip("playwright.sync_api")
    with playwright_sync.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        yield chromium.new_page()
        chromium.close()


def _sign_in(page, base: str, who: str) -> None:
    page.goto(f"{base}/teams/alpha/")
    page.click("text=Sign in with Acme SSO")
    page.click(f"button[name=sub][value={who}]")  # the provider's sign-in page


def test_a_manager_signs_in_and_out_through_the_provider(idp, org, page, live_server) -> None:
    base = live_server.url
    _sign_in(page, base, "ann")
    page.wait_for_url(f"{base}/teams/alpha/")  # back where they were going
    assert page.locator('a[href="/engineers/a1@acme.test/"]').count() == 1  # a manager's view
    assert idp.verified == 1 and idp.refused == 0  # PKCE checked by the provider
    ann = get_user_model().objects.get(email="ann@acme.test")  # matched, not duplicated
    assert ann.pk == org.pk and (ann.first_name, ann.last_name) == ("Ann", "Lead")
    assert role_of(ann) == Role.MANAGER
    assert AuditEvent.objects.filter(action="sso_login", actor=ann).count() == 1
    page.click("text=Log out")
    page.click("button:has-text('End session')")  # the provider's logout page
    page.wait_for_url(f"{base}/login/")
    page.goto(f"{base}/teams/alpha/")
    assert page.url.startswith(f"{base}/login/")  # signed out of Keel too


def test_a_configured_person_gets_a_viewer_account(idp, org, page, live_server) -> None:
    _sign_in(page, live_server.url, "bo")
    page.wait_for_url(f"{live_server.url}/teams/alpha/")
    bo = get_user_model().objects.get(email="bo@acme.test")
    assert bo.username == "bo@acme.test" and role_of(bo) == Role.VIEWER
    assert page.locator('a[href^="/engineers/"]').count() == 0  # aggregates only


def test_an_unverified_email_is_refused(idp, org, page, live_server) -> None:
    _sign_in(page, live_server.url, "eve")
    page.wait_for_url(f"{live_server.url}/login/?sso=failed")
    assert "Single sign-on did not let you in" in page.content()
    assert not get_user_model().objects.filter(email="a1@acme.test").exists()
