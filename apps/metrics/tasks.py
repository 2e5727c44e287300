"""Celery tasks of the metric store: interfaces only, each calls one service."""

from datetime import date

from celery import shared_task

from apps.metrics.hooks import after_recompute_run
from apps.metrics.services import metrics_compute


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700)
def compute_metrics_task(
    since: str | None = None, metrics: list[str] | None = None
) -> dict[str, int]:
    """(Re)compute the metric rows; `since` is an ISO date. Returns rows per metric.

    Safe to run twice or concurrently with itself: each family replaces its rows in one
    transaction, so the last run wins and readers never see a half-written family. Then the
    hooks of apps.metrics.hooks run (the alert rules are evaluated: docs/alerts.md)."""
    first_day = date.fromisoformat(since) if since else None
    written = metrics_compute(since=first_day, metrics=metrics)
    after_recompute_run()
    return written
