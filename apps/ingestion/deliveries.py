"""Webhook delivery bookkeeping (replay protection): claim a delivery id once, forget old ones."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.ingestion.models import WebhookDelivery


def webhook_delivery_claim(*, provider: str, delivery_id: str) -> bool:
    """Record a delivery id; False when it was seen before (a replay: do nothing)."""
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(provider=provider, delivery_id=delivery_id[:200])
    except IntegrityError:
        return False
    return True


# How long a delivery id is remembered. GitHub and PagerDuty redeliver within hours; a capture
# replayed later than this is still refused by its signature only if the secret was rotated,
# so keep it generous.
WEBHOOK_REPLAY_WINDOW_DAYS = 30


def webhook_deliveries_prune(*, now: datetime | None = None) -> int:
    """Forget delivery ids older than WEBHOOK_REPLAY_WINDOW_DAYS. Returns how many."""
    cutoff = (now or timezone.now()) - timedelta(days=WEBHOOK_REPLAY_WINDOW_DAYS)
    deleted, _ = WebhookDelivery.objects.filter(received_at__lt=cutoff).delete()
    return deleted
