"""Writing and trimming the audit log (apps.core.models.AuditEvent; docs/operations.md#audit-log).

Every view of engineer numbers calls `engineers_viewed` (the dashboard's engineer and metric
pages, the API's metric rows and records, the digest preview); the config, token and sign-in
services call `audit_record`. Events are kept `KEEL_AUDIT_RETENTION_DAYS` (400) days, and so is
the admin's own change log; `audit_prune` (daily) deletes what is older.
"""

from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.utils import timezone

from apps.core.models import AuditEvent

TARGET_MAX = 1000


def audit_record(
    *,
    actor: AuthUser | AnonymousUser | None,
    action: str,
    target: str = "",
    detail: dict[str, Any] | None = None,
) -> AuditEvent:
    """Record one event. `actor` None (or anonymous) is a command or the system."""
    user = actor if actor is not None and actor.is_authenticated else None
    return AuditEvent.objects.create(
        actor=user,
        actor_name=user.get_username() if user else "",
        action=action,
        target=target[:TARGET_MAX],
        detail=detail or {},
    )


def _joined(emails: list[str]) -> str:
    text = ", ".join(emails)
    if len(text) <= TARGET_MAX:
        return text
    cut = text[: TARGET_MAX - 40].rsplit(", ", 1)[0]
    return f"{cut} and {len(emails) - cut.count(', ') - 1} more"


def engineers_viewed(
    *, user: AuthUser | AnonymousUser, emails: Iterable[str], via: str, **detail: Any
) -> AuditEvent | None:
    """Record that `user` was shown the numbers of the engineers `emails` through `via` (a
    path); nothing when `emails` is empty."""
    unique = sorted(set(emails))
    if not unique:
        return None
    return audit_record(
        actor=user,
        action=AuditEvent.Action.ENGINEER_VIEWED,
        target=_joined(unique),
        detail={"via": via[:500], "engineers": len(unique), **detail},
    )


def audit_prune(*, now: datetime | None = None) -> int:
    """Delete audit events and admin log entries older than KEEL_AUDIT_RETENTION_DAYS; how many."""
    cutoff = (now or timezone.now()) - timedelta(days=settings.KEEL_AUDIT_RETENTION_DAYS)
    events, _ = AuditEvent.objects.filter(at__lt=cutoff).delete()
    entries, _ = LogEntry.objects.filter(action_time__lt=cutoff).delete()
    return events + entries
