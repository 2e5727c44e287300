"""Admin: cost imports read-only (they are made by `import_costs` and the beat task), cost lines
browsable with their allocation."""

from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.costs.models import CostImport, CostLine


@admin.register(CostImport)
class CostImportAdmin(ReadOnlyAdmin):
    deletable = True
    list_display = (
        "id",
        "path",
        "export_name",
        "format",
        "status",
        "rows",
        "currency",
        "period_start",
        "period_end",
        "created_at",
    )
    list_filter = ("status", "format", "export_name")
    search_fields = ("path", "sha256", "error")


@admin.register(CostLine)
class CostLineAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "cost_import",
        "source_row",
        "charge_period_start",
        "service_category",
        "service_name",
        "sub_account_id",
        "team",
        "effective_cost",
        "currency",
        "cost",
    )
    list_filter = ("service_category", "charge_category", "team")
    search_fields = ("resource_id", "service_name", "sub_account_id")
    raw_id_fields = ("cost_import",)
    list_select_related = ("team", "cost_import")
