"""Model fields shared by the apps."""

from typing import Any

from django.db import models

from apps.core import crypto


class EncryptedTextField(models.TextField):
    """A text field stored encrypted (apps.core.crypto); Python code sees the plaintext.

    The database column holds only the Fernet token, never the secret. Forms must treat it as
    write-only (see apps.organization.admin): the plaintext is never rendered back.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value in (None, ""):
            return ""
        return crypto.decrypt(value)

    def get_prep_value(self, value: Any) -> str:
        value = super().get_prep_value(value)
        return crypto.encrypt(value or "")
