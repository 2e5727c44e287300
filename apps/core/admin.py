"""Admin: the audit log (docs/operations.md#audit-log), read-only, for admins. Two lists: Keel's
audit events, and Django's log of every change made in the admin (config, secrets by field name
only, roles and users)."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from apps.core.admin_base import ReadOnlyAdmin
from apps.core.models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdmin):
    list_display = ("at", "actor_name", "action", "target", "detail")
    list_filter = ("action",)
    search_fields = ("actor_name", "target")
    date_hierarchy = "at"


@admin.register(LogEntry)
class AdminChangeAdmin(ReadOnlyAdmin):
    list_display = ("action_time", "user", "content_type", "object_repr", "action_flag", "change")
    list_filter = ("action_flag", "content_type")
    search_fields = ("object_repr", "user__username", "change_message")
    date_hierarchy = "action_time"

    @admin.display(description="change")
    def change(self, entry: LogEntry) -> str:
        return entry.get_change_message()
