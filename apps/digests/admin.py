"""Deliveries are a record: read-only in the admin."""

from django.contrib import admin

from apps.digests.models import DigestDelivery


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(admin.ModelAdmin):
    list_display = ("recipient", "month", "kind", "status", "attempts", "sent_at", "claimed_at")
    list_filter = ("status", "kind", "month")
    search_fields = ("recipient",)
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
