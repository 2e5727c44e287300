"""Celery task of the alerts: an interface that calls one service (docs/alerts.md)."""

from celery import shared_task
from django.conf import settings

from apps.alerts.services import alerts_evaluate


@shared_task(acks_late=True, time_limit=900, soft_time_limit=840)
def evaluate_alerts_task() -> dict[str, int]:
    """Evaluate the alert rules on the stored rows and send what is due (exactly once)."""
    return alerts_evaluate()


def evaluate_alerts_after_recompute() -> bool:
    """The metric store's after-recompute hook (apps.metrics.hooks): queue an evaluation for a
    worker, so a slow channel never holds the compute worker. Without a broker, tasks run
    eagerly in whatever process asked (the web process, for "Sync now"): then nothing is queued
    and `manage.py evaluate_alerts` does the evaluation (docs/alerts.md). Whether it queued."""
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return False
    evaluate_alerts_task.delay()
    return True
