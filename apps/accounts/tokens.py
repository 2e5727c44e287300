"""API tokens (docs/api.md#authentication): made, listed and revoked here, by the command, the
API tokens page and the token endpoint alike. Hashed at rest by django-rest-knox; the token is
returned once, by `api_token_create`, and never again."""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.contrib.auth.models import User as AuthUser
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.accounts.models import ApiToken
from apps.core.audit import audit_record
from apps.core.errors import KeelError
from apps.core.models import AuditEvent


@dataclass(frozen=True)
class NewToken:
    """A token just made: `token` is the secret (shown once), `record` what is stored."""

    token: str
    record: ApiToken


def token_days_check(days: int | None) -> int:
    """The token's life in days: `days`, or KEEL_API_TOKEN_TTL_DAYS (90) when None. KeelError
    unless 1 <= days <= KEEL_API_TOKEN_MAX_DAYS (366)."""
    days = settings.KEEL_API_TOKEN_TTL_DAYS if days is None else days
    if not 1 <= days <= settings.KEEL_API_TOKEN_MAX_DAYS:
        raise KeelError(f"a token lives 1 to {settings.KEEL_API_TOKEN_MAX_DAYS} days, not {days}")
    return days


def api_token_create(
    *, user: AuthUser, name: str = "", days: int | None = None, read_only: bool = True
) -> NewToken:
    """Make a token for `user` that expires in `days` (see `token_days_check`); read-only unless
    `read_only` is False. Raises KeelError for a bad life or an inactive user."""
    if not user.is_active:
        raise KeelError(f"user {user.get_username()} is inactive")
    life = timedelta(days=token_days_check(days))
    with transaction.atomic():
        record, token = ApiToken.objects.create(
            user=user, expiry=life, name=name[:100], read_only=read_only
        )
        audit_record(
            actor=user,
            action=AuditEvent.Action.TOKEN_CREATED,
            target=f"{record.token_key}…",
            detail={"name": record.name, "read_only": read_only, "days": life.days},
        )
    return NewToken(token=token, record=record)


def api_tokens_of(*, user: AuthUser) -> QuerySet[ApiToken]:
    """The tokens of `user` that still work, newest first."""
    now = timezone.now()
    return ApiToken.objects.filter(user=user).exclude(expiry__lte=now).order_by("-created")


def api_token_revoke(*, user: AuthUser, token_key: str) -> bool:
    """Revoke (delete) the token of `user` whose `token_key` is given; False when none."""
    deleted, _ = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    if deleted:
        audit_record(actor=user, action=AuditEvent.Action.TOKEN_REVOKED, target=f"{token_key}…")
    return bool(deleted)


def api_tokens_prune(*, now: datetime | None = None) -> int:
    """Delete expired tokens (they no longer work); how many."""
    deleted, _ = ApiToken.objects.filter(expiry__lte=now or timezone.now()).delete()
    return deleted
