"""Every API route refuses anonymous clients and bad tokens; every webhook route refuses
missing, malformed and wrong signatures and replayed deliveries.

Routes come from Django's URL resolver (tests/security/routes.py), so a route added later is
covered without editing this file; a webhook route this file cannot sign for fails the test.
tests/reliability/test_webhooks.py covers the signature schemes themselves (published test
vector, PagerDuty secret rotation, tampered bodies); this file covers every route alike.
"""

import json
from collections.abc import Callable
from dataclasses import dataclass
from unittest import mock

import pytest
from django.test import Client

from apps.costs.models import CostImport
from apps.ingestion.models import SyncRun, WebhookDelivery
from apps.ingestion.webhooks import signature_hex
from apps.organization.models import PagerDutyService, Repo, Source
from tests.security.routes import all_routes, api_routes, webhook_routes

BAD_AUTHORIZATION = [
    "Token wrong-token-0000000000000000000000000",
    "Token",  # keyword without a key
    "Token a b",  # a key with a space
    "Bearer 0123456789abcdef",  # another scheme
    "Basic cm9vdDpwdw==",  # root:pw, the superuser's real password
]
DELAY = "apps.ingestion.tasks.sync_source_task.delay"


def _values(seeded) -> dict[str, str]:
    """A real value for every path parameter, so a route that skipped its permission check
    would answer 200 with data rather than 404."""
    return {
        "slug": "platform",
        "email": "ann@acme.test",
        "name": seeded.source_name,
        "key": "globex",
        "metric": "release_frequency",
        "token_key": "keel_0123456789",
        "id": str(SyncRun.objects.order_by("id").first().pk),
        "service_id": PagerDutyService.objects.order_by("id").first().service_id,
    }


def _url(template: str, values: dict[str, str]) -> str:
    url = template.format(**values)
    if template.startswith("/api/v1/cost-imports/{id}"):
        url = template.format(**{**values, "id": CostImport.objects.order_by("id").first().pk})
    if "{metric}/records" in template:
        url += "?scope=org&granularity=month&period_start=2026-03-01"
    return url


def _assert_refused(response, marker: str) -> None:
    assert response.status_code in (401, 403), (response.status_code, response.content[:200])
    body = response.content.decode()
    assert marker not in body  # no data of the organisation
    assert len(body) < 300


# The token endpoint takes a username and password in its body (tests/accounts/test_tokens.py).
PUBLIC_API = {"/api/v1/auth/token/"}
# POST only, and a POST would revoke the token used: the control expects 405 to a GET.
POST_ONLY = {"/api/v1/auth/token/revoke/"}


@pytest.mark.parametrize("template", sorted(set(api_routes()) - PUBLIC_API))
def test_every_api_route_refuses_anonymous_and_bad_tokens(seeded_module, db, template) -> None:
    url = _url(template, _values(seeded_module))
    client = Client()
    _assert_refused(client.get(url), "platform")
    _assert_refused(client.post(url, {}), "platform")
    for header in BAD_AUTHORIZATION:
        response = client.get(url, headers={"Authorization": header})
        _assert_refused(response, "platform")
    # Control: the same URL with a valid token is served (the refusals above are about auth).
    good = client.get(url, headers={"Authorization": f"Token {seeded_module.superuser_token}"})
    assert good.status_code == (405 if template in POST_ONLY else 200), (url, good.content[:300])


def test_every_api_route_is_covered(seeded_module) -> None:
    routes = api_routes()
    assert "/api/v1/metrics/" in routes and "/api/v1/quality/unmapped/" in routes
    assert len(routes) >= 15


def test_unmapped_identities_are_refused_to_a_user_who_manages_no_team(seeded_module, db):
    from django.contrib.auth import get_user_model

    from apps.accounts.tokens import api_token_create

    plain = get_user_model().objects.create_user("plain", "plain@acme.test", "pw")
    token = api_token_create(user=plain).token
    client = Client(headers={"Authorization": f"Token {token}"})
    response = client.get("/api/v1/quality/unmapped/")
    assert response.status_code == 403
    assert "identities" not in response.content.decode()
    manager = Client(headers={"Authorization": f"Token {seeded_module.manager_token}"})
    assert manager.get("/api/v1/quality/unmapped/").json()["identities"]


# Pages open to anyone: the login form, logout (POST only), the versioned static assets and
# the single sign-on redirects.
PUBLIC_PAGES = {
    "/login/",
    "/logout/",
    "/assets/{version}/{name}",
    # Single sign-on: the redirect to the provider and its answer (tests/accounts/test_oidc.py).
    "/oidc/authenticate/",
    "/oidc/callback/",
}


def _pages() -> list[str]:
    return sorted(
        {
            path
            for path, _ in all_routes()
            if not path.startswith(("/api/", "/admin/", "/webhooks/"))
        }
        - PUBLIC_PAGES
    )


@pytest.mark.parametrize("template", _pages())
def test_every_page_sends_anonymous_visitors_to_the_login(seeded_module, db, template) -> None:
    url = _url(template, _values(seeded_module))
    for method in (Client().get, Client().post):
        response = method(url)
        assert response.status_code == 302, (url, response.status_code)
        assert response["Location"].startswith("/login/?next=")


def test_the_sync_button_needs_the_csrf_token(seeded_module, db) -> None:
    from django.contrib.auth import get_user_model

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(get_user_model().objects.get(username="root"))
    with mock.patch(DELAY) as delay:
        response = browser.post(f"/sources/{seeded_module.source_name}/sync/")
    assert response.status_code == 403 and b"CSRF verification failed" in response.content
    delay.assert_not_called()


# --- webhooks ----------------------------------------------------------------------------------

SECRET = "hook-secret-3f1d"


@dataclass(frozen=True)
class Hook:
    """How to build one delivery for a webhook route: the signature header, how to sign, a
    valid body for delivery `n` and the extra headers of a delivery."""

    kind: str
    header: str
    sign: Callable[[str, bytes], str]
    body: Callable[[str], bytes]
    headers: Callable[[str], dict[str, str]]
    # What a refused delivery is told, and whether the header signs the body (GitLab sends the
    # secret itself, the same for every body).
    refused: str = "missing or invalid signature"
    signs_body: bool = True


HOOKS = {
    "/webhooks/github/": Hook(
        kind="github",
        header="X-Hub-Signature-256",
        sign=lambda secret, body: f"sha256={signature_hex(secret, body)}",
        body=lambda n: json.dumps({"repository": {"full_name": "acme/api"}, "n": n}).encode(),
        headers=lambda n: {"X-GitHub-Delivery": f"delivery-{n}", "X-GitHub-Event": "push"},
    ),
    "/webhooks/pagerduty/": Hook(
        kind="pagerduty",
        header="X-PagerDuty-Signature",
        sign=lambda secret, body: f"v1={signature_hex(secret, body)}",
        body=lambda n: json.dumps(
            {
                "event": {
                    "id": f"evt-{n}",
                    "event_type": "incident.resolved",
                    "data": {"service": {"id": "PSVC1"}},
                }
            }
        ).encode(),
        headers=lambda n: {},
    ),
    "/webhooks/gitlab/": Hook(
        kind="gitlab",
        header="X-Gitlab-Token",
        sign=lambda secret, body: secret,
        body=lambda n: json.dumps(
            {"object_kind": "merge_request", "project": {"path_with_namespace": "acme/app"}}
        ).encode(),
        headers=lambda n: {"X-Gitlab-Event": "Merge Request Hook", "X-Gitlab-Event-UUID": f"u-{n}"},
        refused="missing or invalid X-Gitlab-Token",
        signs_body=False,
    ),
}


def _malformed(hook: Hook, body: bytes) -> list[str]:
    good = hook.sign(SECRET, body)
    if not hook.signs_body:  # a token: near misses of the secret itself
        return ["", good[:-1], good.upper(), good + " ", f"{good}{'0' * 10_000}", good + "\u00e9"]
    scheme, _, digest = good.partition("=")
    return [
        "",
        f"{scheme}=",
        digest,  # no scheme
        f"sha1={digest}" if scheme == "sha256" else f"v0={digest}",  # another scheme
        f"{scheme}={digest.upper()}",
        f"{scheme}={digest[:-2]}",  # truncated
        f"{scheme}={'zz' * 32}",  # not hex
        f"{scheme}={digest}{'0' * 10_000}",  # very long
        f"{scheme}={signature_hex('', body)}",  # HMAC with an empty key
        good + "\u00e9",  # non-ASCII
    ]


@pytest.fixture
def hook_sources(db) -> dict[str, Source]:
    """An enabled source per webhook kind with SECRET, a disabled one with another secret, and
    an enabled one with no webhook secret at all."""
    github = Source.objects.create(
        name="hook-gh", kind="github", base_url="https://x.test", token="t", webhook_secret=SECRET
    )
    Repo.objects.create(source=github, full_name="acme/api")
    pagerduty = Source.objects.create(
        name="hook-pd",
        kind="pagerduty",
        base_url="https://x.test",
        token="t",
        webhook_secret=SECRET,
    )
    PagerDutyService.objects.create(source=pagerduty, service_id="PSVC1")
    gitlab = Source.objects.create(
        name="hook-gl", kind="gitlab", base_url="https://x.test", token="t", webhook_secret=SECRET
    )
    Repo.objects.create(source=gitlab, full_name="acme/app")
    for kind in ("github", "pagerduty", "gitlab"):
        Source.objects.create(
            name=f"{kind}-off",
            kind=kind,
            base_url="https://x.test",
            token="t",
            webhook_secret="disabled-secret",
            enabled=False,
        )
        Source.objects.create(
            name=f"{kind}-nosecret", kind=kind, base_url="https://x.test", token="t"
        )
    return {"github": github, "pagerduty": pagerduty, "gitlab": gitlab}


def _post(route: str, hook: Hook, body: bytes, signature: str | None, n: str):
    headers = hook.headers(n)
    if signature is not None:
        headers[hook.header] = signature
    return Client().post(route, data=body, content_type="application/json", headers=headers)


def test_every_webhook_route_is_known_here() -> None:
    assert webhook_routes() == sorted(HOOKS)


@pytest.mark.parametrize("route", webhook_routes())
def test_webhook_refuses_missing_malformed_and_wrong_signatures(route, hook_sources) -> None:
    hook = HOOKS[route]
    body = hook.body("1")
    refused = [
        None,
        *_malformed(hook, body),
        hook.sign("wrong-secret", body),
        hook.sign("disabled-secret", body),
        *([hook.sign(SECRET, hook.body("2"))] if hook.signs_body else []),
    ]
    with mock.patch(DELAY) as delay:
        for signature in refused:
            response = _post(route, hook, body, signature, "1")
            assert response.status_code == 401, (signature and signature[:80], response.content)
            assert response.json() == {"detail": hook.refused}
    delay.assert_not_called()
    assert WebhookDelivery.objects.count() == 0  # a refused delivery claims no id


@pytest.mark.parametrize("route", webhook_routes())
def test_webhook_accepts_a_signed_delivery_once(route, hook_sources) -> None:
    hook = HOOKS[route]
    body = hook.body("7")
    with mock.patch(DELAY) as delay:
        # A forged delivery with the real delivery id is refused and does not block it...
        assert _post(route, hook, body, hook.sign("forged", body), "7").status_code == 401
        assert _post(route, hook, body, hook.sign(SECRET, body), "7").status_code == 202
        # ...and the same delivery again is a replay.
        replay = _post(route, hook, body, hook.sign(SECRET, body), "7")
        assert replay.status_code == 409
    delay.assert_called_once()
    assert delay.call_args.args == (hook_sources[hook.kind].pk,)


@pytest.mark.parametrize("route", webhook_routes())
def test_webhook_refuses_other_methods(route, hook_sources) -> None:
    client = Client()
    for method in (client.get, client.put, client.delete):
        assert method(route).status_code == 405
