"""Celery tasks: interfaces only. Each takes ids, loads objects and calls one service.
Queues come from `task_routes` in config/celery.py (this module: `sync`)."""

from celery import shared_task

from apps.ingestion.cost_files import cost_exports_scan, cost_metrics_refresh
from apps.ingestion.deliveries import webhook_deliveries_prune
from apps.ingestion.selectors import runs_changed_from
from apps.ingestion.services import source_sync
from apps.organization.models import Source


@shared_task(acks_late=True, time_limit=3600, soft_time_limit=3500)
def sync_source_task(source_id: int, full: bool = False, scopes: list[str] | None = None) -> int:
    """Sync one source (or only the repos / services named in `scopes`, as a webhook asks),
    then recompute the metrics from the first day its changes can affect (all of them after a
    full sync, which may also have removed records). Returns the run id."""
    from apps.metrics.tasks import compute_metrics_task

    run = source_sync(source=Source.objects.get(pk=source_id), full=full, scopes=scopes)
    if full:
        compute_metrics_task.delay()
    elif (since := runs_changed_from([run])) is not None:
        compute_metrics_task.delay(since=since.isoformat())
    return run.pk


@shared_task(time_limit=60)
def sync_all_sources() -> list[int]:
    """Beat entry point: enqueue one sync per enabled source (expiring before the next hour)."""
    ids = list(Source.objects.filter(enabled=True).values_list("pk", flat=True))
    for source_id in ids:
        sync_source_task.apply_async(args=(source_id,), expires=50 * 60)
    return ids


@shared_task(time_limit=300)
def prune_webhook_deliveries() -> int:
    """Daily: forget webhook delivery ids older than the replay window."""
    return webhook_deliveries_prune()


@shared_task(time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def import_cost_exports() -> list[int]:
    """Beat entry point: import new files under each costs.exports path, recompute if any.
    Returns the ids of the imports made (or found unchanged)."""
    imports = cost_exports_scan()
    cost_metrics_refresh(imports=imports)
    return [record.pk for record in imports]
