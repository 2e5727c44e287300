"""System checks of Keel's own settings, run by `manage.py check --deploy` (docs/operations.md).

keel.W001: KEEL_ENCRYPTION_KEY is weak. It is the key material of every secret stored in the
database (apps.core.crypto), so it must be long and random, and not SECRET_KEY (a leaked session
signing key must not also open the stored tokens).

keel.W002: KEEL_BASE_URL is not the site's address. Digests and alerts link into the dashboard
with it; left at the default (http://127.0.0.1:8000) or another loopback address, every link a
manager clicks in an e-mail opens their own machine."""

from urllib.parse import urlparse

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


LOOPBACK_HOSTS = ("localhost", "127.0.0.1", "::1", "0.0.0.0")


def base_url_problem(url: str) -> str | None:
    """Why `url` cannot be the address people open Keel at, or None."""
    parts = urlparse(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return f"{url!r} is no http(s) address"
    host = parts.hostname
    if host in LOOPBACK_HOSTS or host.startswith("127.") or host.endswith(".localhost"):
        return f"{url!r} points at this machine, not at the site"
    return None


@register(Tags.security, deploy=True)
def base_url_check(app_configs=None, **kwargs) -> list[CheckMessage]:
    url = str(getattr(settings, "KEEL_BASE_URL", ""))
    problem = base_url_problem(url)
    if problem is None:
        return []
    return [
        Warning(
            f"KEEL_BASE_URL is not the site's address: {problem}.",
            hint="Set KEEL_BASE_URL to the address managers open Keel at, e.g. "
            "https://keel.example.com: digests and alerts link into the dashboard with it.",
            id="keel.W002",
        )
    ]
