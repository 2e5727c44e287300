"""Read API of cost imports, mounted at /api/v1/
(docs/api.md#cost-imports--get-apiv1cost-imports)."""

from rest_framework import permissions, serializers, viewsets

from apps.accounts.api import IsKeelAdmin
from apps.costs.models import CostExport, CostImport
from apps.costs.selectors import cost_imports_list


class CostImportSerializer(serializers.ModelSerializer):
    export: "serializers.SlugRelatedField[CostExport]" = serializers.SlugRelatedField(
        read_only=True, slug_field="name", allow_null=True
    )
    # A plain string: an enum here collides with SyncRun's "status" enum in the OpenAPI schema.
    status = serializers.CharField(read_only=True, help_text="running, succeeded, failed, replaced")

    class Meta:
        model = CostImport
        fields = (
            "id",
            "path",
            "sha256",
            "export",
            "export_name",
            "format",
            "status",
            "rows",
            "currency",
            "fx_rate",
            "totals",
            "period_start",
            "period_end",
            "months",
            "error",
            "replaced_by",
            "created_at",
            "finished_at",
        )


class CostImportViewSet(viewsets.ReadOnlyModelViewSet):
    """Each imported cost export file: status, rows, totals per currency, period covered, error.
    Admins only: the paths are the server's files."""

    permission_classes = [permissions.IsAuthenticated, IsKeelAdmin]
    serializer_class = CostImportSerializer
    queryset = cost_imports_list()
    filterset_fields = ("status", "format", "export_name")
