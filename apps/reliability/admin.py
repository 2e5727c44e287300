"""Admin: PagerDuty incidents."""

from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.reliability.models import Incident


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
