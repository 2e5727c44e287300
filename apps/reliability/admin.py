"""Admin: PagerDuty incidents and the webhook deliveries seen (replay protection)."""

from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.reliability.models import Incident, WebhookDelivery


@admin.register(Incident)
class IncidentAdmin(ReadOnlyAdmin):
    list_display = (
        "pd_id",
        "service",
        "number",
        "title",
        "urgency",
        "status",
        "created_at",
        "resolved_at",
    )
    list_filter = ("service", "urgency", "status")
    search_fields = ("pd_id", "title")


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("provider", "delivery_id", "received_at")
    list_filter = ("provider",)
