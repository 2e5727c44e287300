"""System checks of Keel's own settings, run by `manage.py check --deploy` (docs/operations.md).

keel.W001: KEEL_ENCRYPTION_KEY is weak. It is the key material of every secret stored in the
database (apps.core.crypto), so it must be long and random, and not SECRET_KEY (a leaked session
signing key must not also open the stored tokens)."""

from django.conf import settings
from django.core.checks import CheckMessage, Tags, Warning, register

MIN_LENGTH, MIN_UNIQUE = 32, 10
PLACEHOLDER_PREFIXES = ("change-me", "keel-insecure")


def encryption_key_problem(key: str, *, secret_key: str) -> str | None:
    """Why `key` is too weak to encrypt stored secrets, or None."""
    if len(key) < MIN_LENGTH or len(set(key)) < MIN_UNIQUE:
        return f"it has fewer than {MIN_LENGTH} characters or fewer than {MIN_UNIQUE} distinct ones"
    if key == secret_key:
        return "it is the same as SECRET_KEY"
    if key.startswith(PLACEHOLDER_PREFIXES):
        return "it is the example value"
    return None


@register(Tags.security, deploy=True)
def encryption_key_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    key = str(getattr(settings, "KEEL_ENCRYPTION_KEY", ""))
    problem = encryption_key_problem(key, secret_key=str(settings.SECRET_KEY))
    if problem is None:
        return []
    return [
        Warning(
            f"KEEL_ENCRYPTION_KEY is weak: {problem}.",
            hint=(
                "Set it to a long random value of its own, e.g. "
                '`python -c "import secrets; print(secrets.token_urlsafe(48))"`; changing it '
                "makes stored secrets unreadable, so re-enter them in the admin afterwards."
            ),
            id="keel.W001",
        )
    ]
