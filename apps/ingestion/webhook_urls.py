"""Webhook routes (under /webhooks/)."""

urlpatterns: list = []
