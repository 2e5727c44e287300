"""Celery tasks of the reliability app (queue from config/celery.py task_routes: `sync`)."""

from celery import shared_task

from apps.reliability.services import webhook_deliveries_prune


@shared_task(time_limit=300)
def prune_webhook_deliveries() -> int:
    """Daily: forget webhook delivery ids older than the replay window."""
    return webhook_deliveries_prune()
