"""REST permissions from the one permission check (apps.accounts.access)."""

from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.views import APIView

from apps.accounts.access import is_admin


class IsKeelAdmin(permissions.BasePermission):
    """Admins only (docs/operations.md#roles); everyone else gets 403."""

    message = "admins only"

    def has_permission(self, request: Request, view: APIView) -> bool:
        return is_admin(request.user)
