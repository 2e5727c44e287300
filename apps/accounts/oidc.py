"""Single sign-on with OpenID Connect (docs/operations.md#single-sign-on), on
mozilla-django-oidc: its backend and views run the authorization code flow with PKCE, state and
nonce, and check the ID token's signature (the provider's JWKS) and expiry. Keel adds:

- discovery: every endpoint comes from `{KEEL_OIDC_ISSUER}/.well-known/openid-configuration`
  (cached for an hour), whose `issuer` must be the configured one;
- the ID token's `iss` and `aud` are checked too (mozilla-django-oidc skips them);
- only a verified e-mail signs in (`email_verified`, or Entra ID's `xms_edov`), matched to the
  one user with that e-mail (a configured manager), else a new user when the e-mail is a
  configured person or manager (or anyone, with KEEL_OIDC_NEW_USERS=anyone);
- the optional group claim sets the role (apps.accounts.roles);
- logging out ends the provider's session too (`end_session_endpoint`).
"""

import logging
from typing import Any
from urllib.parse import urlencode

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from apps.accounts.roles import role_from_groups, user_role_set
from apps.core.audit import audit_record
from apps.core.errors import KeelError
from apps.core.models import AuditEvent
from apps.organization.models import Person

logger = logging.getLogger(__name__)
DISCOVERY_TTL = 3600
DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


class SingleSignOnUnavailable(KeelError):
    """The provider's discovery document cannot be read or does not fit."""


def sso_enabled() -> bool:
    return bool(getattr(settings, "KEEL_OIDC_ISSUER", ""))


def provider_configuration() -> dict[str, Any]:
    """The provider's discovery document (OpenID Connect Discovery 1.0, section 4), cached.
    Raises SingleSignOnUnavailable when it cannot be fetched or its `issuer` differs.
    # OIDC: https://openid.net/specs/openid-connect-discovery-1_0.html#ProviderConfig"""
    issuer = settings.KEEL_OIDC_ISSUER.rstrip("/")
    key = f"keel:oidc:discovery:{issuer}"
    if (found := cache.get(key)) is not None:
        return found
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = requests.get(url, timeout=settings.KEEL_HTTP_TIMEOUT_SECONDS)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        raise SingleSignOnUnavailable(f"cannot read {url}: {exc}") from None
    if not isinstance(document, dict) or document.get("issuer", "").rstrip("/") != issuer:
        raise SingleSignOnUnavailable(f"{url} names another issuer than {issuer}")
    missing = [name for name in DISCOVERED.values() if not document.get(name)]
    if missing:
        raise SingleSignOnUnavailable(f"{url} lacks {', '.join(missing)}")
    cache.set(key, document, DISCOVERY_TTL)
    return document


def _settings(attr: str, *args: Any) -> Any:
    """mozilla-django-oidc's settings, with the provider's endpoints from discovery."""
    if attr in DISCOVERED:
        return provider_configuration()[DISCOVERED[attr]]
    return import_from_settings(attr, *args)


def email_verified(claims: dict[str, Any]) -> bool:
    """Whether the provider vouches for the e-mail: `email_verified` (OIDC Core 5.1), or
    `xms_edov` (Entra ID: the e-mail's domain is verified by its owner), or every e-mail when
    KEEL_OIDC_TRUST_EMAIL is set (a provider that only releases verified addresses)."""
    if settings.KEEL_OIDC_TRUST_EMAIL:
        return True
    return claims.get("email_verified") in (True, "true") or claims.get("xms_edov") in (
        True,
        "true",
    )


class KeelOIDCBackend(OIDCAuthenticationBackend):
    """The authentication backend of single sign-on (module docstring)."""

    get_settings = staticmethod(_settings)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Endpoints are read when a login happens (discovery), not when Django loads backends.
        self.UserModel = get_user_model()

    def authenticate(self, request: HttpRequest | None, **kwargs: Any):
        # Only the callback view's call (it passes the nonce): a password login never starts a
        # token exchange, whatever its query string holds.
        if request is None or "nonce" not in kwargs or not sso_enabled():
            return None
        self.OIDC_OP_TOKEN_ENDPOINT = self.get_settings("OIDC_OP_TOKEN_ENDPOINT")
        self.OIDC_OP_USER_ENDPOINT = self.get_settings("OIDC_OP_USER_ENDPOINT")
        self.OIDC_OP_JWKS_ENDPOINT = self.get_settings("OIDC_OP_JWKS_ENDPOINT")
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_RP_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = settings.OIDC_RP_SIGN_ALGO
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, **kwargs)

    def _verify_jws(self, payload: Any, key: Any) -> dict[str, Any]:
        """The ID token's signature, expiry, issuer and audience (OIDC Core 3.1.3.7)."""
        alg = jwt.get_unverified_header(payload).get("alg")
        if alg != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(f"ID token signed with {alg}, not {self.OIDC_RP_SIGN_ALGO}")
        try:
            return jwt.decode(
                payload,
                key,
                algorithms=[alg],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=provider_configuration()["issuer"],
                options={"require": ["exp", "iat", "iss", "aud", "sub"]},
                leeway=60,
            )
        except jwt.PyJWTError as exc:
            raise SuspiciousOperation(f"ID token refused: {exc}") from None

    def retrieve_matching_jwk(self, token: str) -> jwt.PyJWK:
        """The provider's signing key for `token`: by `kid` when the token names one, else the
        one signing key of its algorithm (a provider with a single key may omit `kid`)."""
        header = jwt.get_unverified_header(token)
        response = requests.get(self.OIDC_OP_JWKS_ENDPOINT, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        keys = [
            key
            for key in response.json().get("keys", [])
            if key.get("use", "sig") == "sig"
            and key.get("alg", header.get("alg")) == header.get("alg")
        ]
        if "kid" in header:
            keys = [key for key in keys if key.get("kid") == header["kid"]]
        if len(keys) != 1:
            raise SuspiciousOperation(f"no single signing key for the ID token ({len(keys)} found)")
        return jwt.PyJWK(keys[0])

    def verify_claims(self, claims: dict[str, Any]) -> bool:
        if not claims.get("email") or not email_verified(claims):
            logger.warning("single sign-on refused: no verified e-mail in the claims")
            return False
        return role_from_groups(claims) is not False

    def filter_users_by_claims(self, claims: dict[str, Any]):
        return self.UserModel.objects.filter(email__iexact=claims["email"], is_active=True)

    def create_user(self, claims: dict[str, Any]):
        email = claims["email"].lower()
        if settings.KEEL_OIDC_NEW_USERS != "anyone" and not _configured(email):
            logger.warning("single sign-on refused: %s is no configured person or manager", email)
            raise SuspiciousOperation(f"{email} is not a configured person or manager")
        user = self.UserModel.objects.create_user(email, email=email)
        return self.update_user(user, claims)

    def update_user(self, user, claims: dict[str, Any]):
        name = (claims.get("given_name") or "", claims.get("family_name") or "")
        if any(name) and (user.first_name, user.last_name) != name:
            user.first_name, user.last_name = name[0][:150], name[1][:150]
            user.save(update_fields=["first_name", "last_name"])
        role = role_from_groups(claims)
        if role:
            user_role_set(user=user, role=role, by="the single sign-on group claim")
        audit_record(
            actor=user,
            action=AuditEvent.Action.SSO_LOGIN,
            target=user.email,
            detail={"issuer": settings.KEEL_OIDC_ISSUER, "role": str(role or "")},
        )
        return user


def _configured(email: str) -> bool:
    """Whether `email` is a configured person or a team manager's account."""
    users = get_user_model().objects.filter(email__iexact=email, managed_teams__isnull=False)
    return Person.objects.filter(email__iexact=email).exists() or users.exists()


class SignInView(OIDCAuthenticationRequestView):
    """`/oidc/authenticate/`: redirect to the provider (endpoints from discovery)."""

    get_settings = staticmethod(_settings)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)
        self.OIDC_RP_CLIENT_ID = settings.OIDC_RP_CLIENT_ID

    def get(self, request: HttpRequest):
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except SingleSignOnUnavailable as exc:
            logger.error("single sign-on unavailable: %s", exc)
            return redirect(f"{reverse('dashboard:login')}?sso=unavailable")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    """`/oidc/callback/`: the provider's answer; a refusal goes back to the login page, which
    says single sign-on did not let the user in."""

    get_settings = staticmethod(_settings)

    @property
    def failure_url(self) -> str:
        return f"{reverse('dashboard:login')}?sso=failed"

    def get(self, request: HttpRequest):
        try:
            return super().get(request)
        except SingleSignOnUnavailable as exc:
            logger.error("single sign-on unavailable: %s", exc)
            return redirect(f"{reverse('dashboard:login')}?sso=unavailable")
        except (SuspiciousOperation, requests.RequestException, jwt.PyJWTError) as exc:
            # A forged or replayed answer, a refused token exchange, a bad ID token.
            logger.warning("single sign-on refused: %s", exc)
            return self.login_failure()


def provider_logout_url(request: HttpRequest) -> str:
    """Where to send a user who signed in with single sign-on when they log out: the provider's
    `end_session_endpoint` (RP-initiated logout) back to the login page; the login page when the
    provider has none.
    # OIDC: https://openid.net/specs/openid-connect-rpinitiated-1_0.html"""
    back = request.build_absolute_uri(reverse("dashboard:login"))
    id_token = request.session.get("oidc_id_token")
    try:
        end = provider_configuration().get("end_session_endpoint") if id_token else None
    except SingleSignOnUnavailable:
        end = None
    if not end:
        return back
    query = {"id_token_hint": id_token, "post_logout_redirect_uri": back}
    return f"{end}?{urlencode({**query, 'client_id': settings.OIDC_RP_CLIENT_ID})}"
