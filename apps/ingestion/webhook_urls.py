"""Webhook routes (under /webhooks/): `<kind>/` for every source kind whose adapter takes
webhooks (apps.organization.sources), named `webhook-<kind>`."""

from django.urls import path

from apps.organization.sources import source_adapters

urlpatterns: list = [
    path(f"{adapter.kind}/", adapter.webhook, name=f"webhook-{adapter.kind}")
    for adapter in source_adapters()
    if adapter.webhook is not None
]
