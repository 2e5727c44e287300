"""The admin site is for admins only (docs/operations.md#roles): staff status alone, even with
model permissions, no longer opens it."""

from django.contrib.admin import AdminSite
from django.http import HttpRequest

from apps.accounts.access import is_admin


class KeelAdminSite(AdminSite):
    site_header = "Keel admin"
    site_title = "Keel admin"

    def has_permission(self, request: HttpRequest) -> bool:
        return is_admin(request.user)
