"""REST pieces of access: token authentication with scopes, permissions from the one permission
check (apps.accounts.access), and the token endpoint (docs/api.md#authentication)."""

from datetime import timedelta
from typing import TYPE_CHECKING

from django.utils import timezone
from knox.auth import TokenAuthentication
from rest_framework import exceptions, permissions

if TYPE_CHECKING:  # DRF's settings import this module while rest_framework.views loads
    from rest_framework.request import Request
    from rest_framework.views import APIView

from apps.accounts.access import is_admin
from apps.accounts.models import ApiToken

LAST_USED_EVERY = timedelta(minutes=5)


class ApiTokenAuthentication(TokenAuthentication):
    """`Authorization: Token keel_...` (django-rest-knox: the token is hashed at rest). An
    expired token is refused with "token expired"; `last_used_at` is written at most every
    five minutes, so a busy BI tool does not write on every request."""

    def _cleanup_token(self, auth_token: ApiToken) -> bool:
        # Knox also deletes the user's other expired tokens on every request (a query each
        # time); `api_tokens_prune` does that daily instead.
        if auth_token.expiry is not None and auth_token.expiry < timezone.now():
            raise exceptions.AuthenticationFailed(
                f"token expired on {auth_token.expiry:%Y-%m-%d}: create a new one"
            )
        return False

    def validate_user(self, auth_token: ApiToken):
        user, token = super().validate_user(auth_token)
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token


class TokenScopeAllows(permissions.BasePermission):
    """A read-only token may only read (GET, HEAD, OPTIONS); sessions and read-write tokens may
    do what their role allows."""

    message = "this API token is read-only"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        token = request.auth
        if isinstance(token, ApiToken) and token.read_only:
            return request.method in permissions.SAFE_METHODS
        return True


class IsKeelAdmin(permissions.BasePermission):
    """Admins only (docs/operations.md#roles); everyone else gets 403."""

    message = "admins only"

    def has_permission(self, request: "Request", view: "APIView") -> bool:
        return is_admin(request.user)
