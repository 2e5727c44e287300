"""Admin: metric rows. Engineer-scope rows are shown only to superusers and to the managers of
that engineer's team, exactly as in the API (docs/api.md)."""

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from apps.core.admin_base import ReadOnlyAdmin
from apps.metrics.models import MetricRow
from apps.metrics.selectors import metric_rows_visible


@admin.register(MetricRow)
class MetricRowAdmin(ReadOnlyAdmin):
    list_display = (
        "metric",
        "scope",
        "scope_key",
        "granularity",
        "period_start",
        "value",
        "unit",
        "sample_size",
        "smoothed",
        "anomaly",
        "note",
    )
    list_filter = ("metric", "scope", "granularity", "anomaly")
    search_fields = ("scope_key", "note")
    date_hierarchy = "period_start"

    def get_queryset(self, request: HttpRequest) -> QuerySet[MetricRow]:
        return metric_rows_visible(user=request.user)
