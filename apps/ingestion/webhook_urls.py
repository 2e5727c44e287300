"""Webhook routes (under /webhooks/)."""

from django.urls import path

from apps.ingestion.webhooks import github_webhook, pagerduty_webhook

urlpatterns: list = [
    path("github/", github_webhook, name="webhook-github"),
    path("pagerduty/", pagerduty_webhook, name="webhook-pagerduty"),
]
