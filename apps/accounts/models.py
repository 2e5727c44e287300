"""Who a user is in Keel: their role (docs/operations.md#roles). The rules that read it are in
`apps.accounts.access`; the models stay thin."""

from django.conf import settings
from django.db import models
from knox.models import AbstractAuthToken


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


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox, `KNOX_TOKEN_MODEL`). Only the SHA-512 digest of the token
    and its first 15 characters (`token_key`: the `keel_` prefix and 10 of its 64 random hex
    digits, knox's lookup key) are stored; the token itself is shown once, at creation.

    `read_only` tokens may only read (GET, HEAD, OPTIONS); `expiry` is when it stops working
    (null: never, for tokens migrated without one); `last_used_at` is updated at most every
    five minutes."""

    name = models.CharField(max_length=100, blank=True, help_text="what the token is for")
    read_only = models.BooleanField(default=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.token_key}… ({self.name or 'unnamed'}) of {self.user}"
