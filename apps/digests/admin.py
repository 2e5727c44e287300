"""Deliveries are a record: read-only in the admin."""

from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.digests.models import DigestDelivery


@admin.register(DigestDelivery)
class DigestDeliveryAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = ("recipient", "month", "kind", "status", "attempts", "sent_at", "claimed_at")
    list_filter = ("status", "kind", "month")
    search_fields = ("recipient",)
    readonly_fields = [f.name for f in DigestDelivery._meta.fields]
