"""The audit log (docs/operations.md#audit-log): who viewed which engineer's numbers, config
applied from a file, API tokens and single sign-on. Changes made in the admin (config, secrets
by field name only, roles, users) are Django's own admin log (`LogEntry`), listed beside it."""

from django.conf import settings
from django.db import models


class AuditEvent(models.Model):
    class Action(models.TextChoices):
        ENGINEER_VIEWED = "engineer_viewed", "viewed engineer numbers"
        CONFIG_APPLIED = "config_applied", "applied the config file"
        TOKEN_CREATED = "token_created", "made an API token"
        TOKEN_REVOKED = "token_revoked", "revoked an API token"
        SSO_LOGIN = "sso_login", "signed in with single sign-on"
        ROLE_CHANGED = "role_changed", "role changed by single sign-on"

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    # The actor's username then (kept when the user is deleted); "" for a command.
    actor_name = models.CharField(max_length=150, blank=True)
    action = models.CharField(max_length=32, choices=Action.choices, db_index=True)
    # What it was about: engineers' e-mails (comma-separated), a file, a token's key.
    target = models.CharField(max_length=1000, blank=True)
    # Where and how (a URL, counts, a role); never a secret.
    detail = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_name or 'system'} {self.action} {self.target}"
