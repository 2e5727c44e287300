"""Model fields shared by the apps."""

from typing import Any

from django.db import models

from apps.core import crypto


class UnreadableSecret(str):
    """What an EncryptedTextField reads when its ciphertext cannot be decrypted (the
    KEEL_ENCRYPTION_KEY changed, or the value is corrupt): an empty, falsy string that keeps the
    ciphertext, so loading the row never fails and saving it keeps the stored value until a new
    one is entered. Callers that need the secret check `secret_unreadable` and say so."""

    ciphertext: str

    def __new__(cls, ciphertext: str) -> "UnreadableSecret":
        secret = super().__new__(cls, "")
        secret.ciphertext = ciphertext
        return secret


def secret_unreadable(value: object) -> bool:
    """Whether `value` (read from an EncryptedTextField) could not be decrypted."""
    return isinstance(value, UnreadableSecret)


class EncryptedTextField(models.TextField):
    """A text field stored encrypted (apps.core.crypto); Python code sees the plaintext, or an
    `UnreadableSecret` when it cannot be decrypted (only that source is affected).

    The database column holds only the Fernet token, never the secret. Forms must treat it as
    write-only (see apps.organization.admin): the plaintext is never rendered back.
    """

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str:
        if value in (None, ""):
            return ""
        try:
            return crypto.decrypt(value)
        except crypto.SecretDecryptionError:
            return UnreadableSecret(value)

    def get_prep_value(self, value: Any) -> str:
        if isinstance(value, UnreadableSecret):
            return value.ciphertext
        value = super().get_prep_value(value)
        return crypto.encrypt(value or "")


def provider_field() -> models.CharField:
    """The source kind that wrote a synced record (`Source.kind`, e.g. "github"): records of
    every code host share one table. Rows stored before the column existed are GitHub's (their
    migration filled it)."""
    return models.CharField(max_length=32, help_text="The source kind that wrote the row.")
