"""Celery tasks of access (queue from config/celery.py task_routes: `metrics`)."""

from celery import shared_task

from apps.accounts.tokens import api_tokens_prune
from apps.core.audit import audit_prune


@shared_task(time_limit=600)
def prune_access_records() -> dict[str, int]:
    """Daily: forget audit events and admin log entries past the retention, and expired tokens."""
    return {"audit": audit_prune(), "tokens": api_tokens_prune()}
