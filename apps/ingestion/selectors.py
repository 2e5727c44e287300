"""Read side of ingestion: what the latest sync runs changed, for the metric recompute."""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import Max

from apps.ingestion.models import SyncRun
from apps.organization.selectors import organization_get


def local_day(instant: datetime) -> date:
    """The organisation-local date of an aware instant (a recompute's `since`)."""
    return instant.astimezone(ZoneInfo(organization_get().timezone)).date()


def runs_changed_from(runs: Iterable[SyncRun] | None = None) -> date | None:
    """The local first day the metrics must be recomputed from after `runs` (default: the
    latest run of each source): the earliest `changed_from` among them, or None when they
    changed nothing."""
    if runs is None:
        latest = SyncRun.objects.values("source").annotate(last=Max("id")).values("last")
        runs = SyncRun.objects.filter(id__in=latest)
    instants = [r.changed_from for r in runs if r.changed_from is not None]
    return local_day(min(instants)) if instants else None
