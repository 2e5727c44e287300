"""Writes of the dashboard: "sync now"."""

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from apps.accounts.access import User, source_sync_allowed
from apps.core.errors import KeelError
from apps.ingestion.models import SyncRun
from apps.ingestion.tasks import sync_source_task
from apps.organization.models import Source


class SyncRefused(KeelError):
    """A "sync now" that is too soon; the message says why, in people's words."""


class SyncForbidden(SyncRefused):
    """A "sync now" by a user who may not sync that source."""


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} minute" + ("" if minutes == 1 else "s")


def source_sync_enqueue(*, user: User, source: Source) -> int:
    """Queue `sync_source_task` for `source` on behalf of `user` (run in-process when Celery is
    eager; the task records failures in its SyncRun and never raises for an upstream problem).
    Returns the id of the source's newest run before this one (0 when it has none): any newer
    run is the one queued here or a later one, and its state replaces "queued".

    Raises SyncRefused when `user` may not sync this source (`apps.accounts.access`), when a run
    of it is queued or running, or when its newest run started less than
    `KEEL_SYNC_NOW_MIN_INTERVAL_SECONDS` (default 300) ago: each sync spends the source's rate
    limit, and the hourly schedule syncs every source anyway.
    """
    if not source_sync_allowed(user=user, source=source):
        raise SyncForbidden(f"you may not sync {source.name}: it feeds none of your teams")
    latest = SyncRun.objects.filter(source=source).order_by("-id").first()
    if latest is not None and latest.status in (SyncRun.Status.QUEUED, SyncRun.Status.RUNNING):
        raise SyncRefused(f"a sync of {source.name} is already running")
    interval = timedelta(seconds=getattr(settings, "KEEL_SYNC_NOW_MIN_INTERVAL_SECONDS", 300))
    started = latest.started_at if latest is not None else None
    if started is not None and (wait := started + interval - timezone.now()) > timedelta(0):
        raise SyncRefused(
            f"{source.name} was synced less than {_minutes(interval.total_seconds())} ago; "
            f"try again in {_minutes(wait.total_seconds())}"
        )
    sync_source_task.delay(source.pk)
    return latest.pk if latest is not None else 0
