"""Encryption of secrets at rest (Fernet: AES-128-CBC + HMAC-SHA256, from `cryptography`).

The key is derived from `settings.KEEL_ENCRYPTION_KEY` (any string; SHA-256 → urlsafe base64),
so rotating that setting makes old ciphertexts unreadable: `decrypt` then raises
`SecretDecryptionError` instead of returning garbage.
"""

import base64
import hashlib

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


class SecretDecryptionError(Exception):
    """A stored secret cannot be decrypted with the current KEEL_ENCRYPTION_KEY."""


def _fernet() -> Fernet:
    digest = hashlib.sha256(str(settings.KEEL_ENCRYPTION_KEY).encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def encrypt(plaintext: str) -> str:
    """Return the Fernet token (ASCII) for `plaintext`; "" stays ""."""
    if not plaintext:
        return ""
    return _fernet().encrypt(plaintext.encode()).decode("ascii")


def decrypt(token: str) -> str:
    """Return the plaintext of a token made by `encrypt`; "" stays "".

    Raises SecretDecryptionError when the token was made with another key or is corrupt.
    """
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise SecretDecryptionError(
            "stored secret cannot be decrypted with KEEL_ENCRYPTION_KEY"
        ) from exc
