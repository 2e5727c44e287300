"""Who a user is in Keel: their role (docs/operations.md#roles). The rules that read it are in
`apps.accounts.access`; the models stay thin."""

from django.conf import settings
from django.db import models


class Role(models.TextChoices):
    """What a user may see (docs/operations.md#roles)."""

    VIEWER = "viewer", "Viewer: organisation and team aggregates"
    MANAGER = "manager", "Manager: their teams, with engineers"
    ADMIN = "admin", "Admin: everything, and the admin site"


class UserRole(models.Model):
    """A role set for one user by an admin or by the single sign-on group claim. Without a row
    the role follows from the user (`apps.accounts.access.role_of`). `admin` is kept equal to
    the user's superuser flag by `apps.accounts.services.user_role_set`."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="keel_role"
    )
    role = models.CharField(max_length=16, choices=Role.choices)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.user}: {self.role}"
