"""Read side of ingestion: sources with their last sync, sync runs, and what the latest runs
changed (for the metric recompute)."""

from collections.abc import Iterable
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.db.models import BooleanField, ExpressionWrapper, Max, Prefetch, Q, QuerySet

from apps.ingestion.models import SyncRun
from apps.organization.models import Source
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


def sync_run_latest(source_id: int) -> SyncRun | None:
    """The newest run of a source, or None when it never ran."""
    return SyncRun.objects.filter(source_id=source_id).order_by("-id").first()


def sync_runs_list() -> QuerySet[SyncRun]:
    """Sync runs with their source, the source's secrets deferred (the sync-runs API)."""
    return SyncRun.objects.select_related("source").defer("source__token", "source__webhook_secret")


def sources_list() -> QuerySet[Source]:
    """Sources with `token_set` (a token is stored, or an environment variable is named for it;
    decided on the ciphertext column, nothing is decrypted) and `latest_runs` (a list of at most
    one SyncRun, the latest). Secrets are deferred: serializers must not touch them."""
    _token_configured = ~Q(token="") | ~Q(token_env="")
    latest_ids = SyncRun.objects.values("source").annotate(last=Max("id")).values("last")
    return (
        Source.objects.defer("token", "webhook_secret", "email")
        .annotate(token_set=ExpressionWrapper(_token_configured, output_field=BooleanField()))
        .prefetch_related(
            Prefetch("sync_runs", SyncRun.objects.filter(id__in=latest_ids), to_attr="latest_runs")
        )
    )
