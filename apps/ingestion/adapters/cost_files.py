"""Cost export files as a source: FOCUS, AWS CUR / CUR 2.0, GCP and Azure billing exports
(integrations.cost_exports) read from the folders of `costs.exports` by
apps.ingestion.cost_files, hourly and by `manage.py import_costs`. They are configured under
`costs` rather than as `sources[]` entries, so they are no `Source.kind` choice; the dashboard
asks this adapter whether any is set up and whether the newest import failed.
"""

from apps.costs.models import CostImport
from apps.organization.models import CostExport
from apps.organization.sources import SourceAdapter, source_register

KIND = "cost_files"


def cost_files_configured() -> bool:
    """Whether a cost export is configured or a file was ever imported by hand."""
    return CostExport.objects.exists() or CostImport.objects.exists()


def cost_import_failure() -> str:
    """ "last cost import failed: <error>" when the newest import (replaced ones aside)
    failed, else ""."""
    imports = CostImport.objects.exclude(status=CostImport.Status.REPLACED).order_by("-id")
    newest = imports.only("status", "error", "path").first()
    if newest is not None and newest.status == CostImport.Status.FAILED:
        return f"last cost import failed: {newest.error}"
    return ""


ADAPTER = source_register(
    SourceAdapter(
        kind=KIND,
        label="cost export",
        roles=frozenset({"costs"}),
        source_rows=False,
        configured=cost_files_configured,
        last_failure=cost_import_failure,
    )
)
