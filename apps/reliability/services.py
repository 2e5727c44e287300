"""Reliability writes: webhook delivery bookkeeping (replay protection)."""

from django.db import IntegrityError, transaction

from apps.reliability.models import WebhookDelivery


def webhook_delivery_claim(*, provider: str, delivery_id: str) -> bool:
    """Record a delivery id; False when it was seen before (a replay: do nothing)."""
    try:
        with transaction.atomic():
            WebhookDelivery.objects.create(provider=provider, delivery_id=delivery_id[:200])
    except IntegrityError:
        return False
    return True
