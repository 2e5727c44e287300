"""Celery tasks: interfaces only."""

from celery import shared_task

from apps.costs.services import cost_exports_scan, cost_metrics_refresh


# Its queue (sync) is routed in config/celery.py with every other task's.
@shared_task(time_limit=3 * 3600, soft_time_limit=3 * 3600 - 60)
def import_cost_exports() -> list[int]:
    """Beat entry point: import new files under each costs.exports path, recompute if any.
    Returns the ids of the imports made (or found unchanged)."""
    imports = cost_exports_scan()
    cost_metrics_refresh(imports=imports)
    return [record.pk for record in imports]
