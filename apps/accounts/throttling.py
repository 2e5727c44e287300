"""Login throttling (django-axes; docs/operations.md#login-throttling): what a locked-out client
is told. The login page, the admin's login and the token endpoint all authenticate through
Django's `authenticate()`, which axes counts; after KEEL_LOGIN_FAILURE_LIMIT failures for one
username from one address, logins for that pair are refused for KEEL_LOGIN_LOCKOUT_MINUTES, even
with the right password."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render


def lockout_response(
    request: HttpRequest, original_response: HttpResponse | None = None, credentials=None
) -> HttpResponse:
    """429 with `Retry-After`: JSON under /api/, the login page with the reason elsewhere."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    detail = (
        f"too many failed logins: try again in {minutes} minutes, or ask an admin to unlock "
        "the account (admin: Axes, Access attempts)"
    )
    if request.path.startswith("/api/"):
        response: HttpResponse = JsonResponse({"detail": detail}, status=429)
    else:
        response = render(request, "registration/locked_out.html", {"detail": detail}, status=429)
    response["Retry-After"] = str(minutes * 60)
    return response
