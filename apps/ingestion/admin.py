"""Admin: sync runs (status, counts, requests, rate-limit waits, errors), cursors and the
webhook deliveries seen (replay protection)."""

from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.ingestion.models import SyncCursor, SyncRun, WebhookDelivery


@admin.register(SyncRun)
class SyncRunAdmin(ReadOnlyAdmin):
    list_display = (
        "id",
        "source",
        "status",
        "full",
        "started_at",
        "finished_at",
        "requests_made",
        "not_modified",
        "rate_limit_waits",
        "changed_from",
        "short_error",
    )
    list_filter = ("status", "source", "full")
    readonly_fields = [f.name for f in SyncRun._meta.fields]

    @admin.display(description="error")
    def short_error(self, run: SyncRun) -> str:
        return run.error[:120]


@admin.register(SyncCursor)
class SyncCursorAdmin(ReadOnlyAdmin):
    list_display = ("source", "scope", "endpoint", "value", "updated_at")
    list_filter = ("source", "endpoint")
    search_fields = ("scope",)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdmin):
    list_display = ("provider", "delivery_id", "received_at")
    list_filter = ("provider",)
