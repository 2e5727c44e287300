"""The admin site is for admins only (docs/operations.md#roles): staff status alone, even with
model permissions, no longer opens it."""

from urllib.parse import urlencode

from django.conf import settings
from django.contrib.admin import AdminSite
from django.http import HttpRequest
from django.shortcuts import redirect
from django.urls import reverse

from apps.accounts.access import is_admin


class KeelAdminSite(AdminSite):
    site_header = "Keel admin"
    site_title = "Keel admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)

    def login(self, request: HttpRequest, extra_context=None):
        # Without passwords, admins sign in like everyone else (single sign-on).
        if not settings.KEEL_PASSWORD_LOGIN:
            target = request.GET.get("next", reverse("admin:index"))
            return redirect(f"{reverse('dashboard:login')}?{urlencode({'next': target})}")
        return super().login(request, extra_context)
