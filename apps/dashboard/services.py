"""Writes of the dashboard: "sync now"."""

from apps.ingestion.tasks import sync_source_task
from apps.metrics.selectors import User
from apps.organization.models import Source
from apps.organization.selectors import teams_managed_by


def sync_allowed(*, user: User) -> bool:
    """Staff and the managers of a team may start a sync (issue 6)."""
    return bool(getattr(user, "is_staff", False)) or teams_managed_by(user=user).exists()


def source_sync_enqueue(*, source: Source) -> None:
    """Queue `sync_source_task` for `source` (run in-process when Celery is eager; the task
    records failures in its SyncRun and never raises for an upstream problem)."""
    sync_source_task.delay(source.pk)
