"""Deliveries are a record: read-only in the admin."""

from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.digests.models import DigestDelivery, DigestSettings


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = (
        "recipient",
        "month",
        "cadence",
        "kind",
        "status",
        "attempts",
        "sent_at",
        "claimed_at",
    )
    list_filter = ("status", "cadence", "kind", "month")
    search_fields = ("recipient",)
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]


@admin.register(DigestSettings)
class DigestSettingsAdmin(admin.ModelAdmin):
    """Weekly digest recipients and the monthly digest's Slack channel (docs/digests.md)."""

    list_display = ("__str__", "weekly", "slack_channel")

    def has_add_permission(self, request) -> bool:
        return super().has_add_permission(request) and not DigestSettings.objects.exists()
