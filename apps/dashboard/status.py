"""Why a metric family may show nothing (docs/dashboard.md#every-empty-number-says-why): no
source configured for it, or its last sync (or cost import) failed, with the error."""

from dataclasses import dataclass

from django.db.models import Max

from apps.costs.models import CostImport
from apps.ingestion.models import SyncRun
from apps.organization.models import CostExport, JiraProject, PagerDutyService, Repo, Source

from .funnel import FAMILY_SOURCES

NO_SOURCE = "no source configured"
NO_DATA = "no data in the period"
KIND_LABELS = {
    "github": "GitHub",
    "jira": "Jira",
    "pagerduty": "PagerDuty",
    "cost_export": "cost export",
}
# What a team needs configured for each kind of source (docs/configuration.md#sources: repos,
# projects, services).
_TEAM_SCOPED = {"github": Repo, "jira": JiraProject, "pagerduty": PagerDutyService}


@dataclass(frozen=True)
class FamilyStatus:
    """`missing`: why nothing can be computed ("" when a source is configured); `failed`:
    "last sync failed: <error>" of the newest failed run among its sources ("" if none)."""

    missing: str = ""
    failed: str = ""

    def empty_reason(self) -> str:
        """The words for a tile or row with no number at all."""
        return self.missing or self.failed or NO_DATA


def _kinds_configured(scope: str, scope_key: str) -> set[str]:
    kinds = set(Source.objects.filter(enabled=True).values_list("kind", flat=True))
    if scope == "team":
        kinds = {
            k
            for k in kinds
            if k not in _TEAM_SCOPED
            or _TEAM_SCOPED[k]._default_manager.filter(team__slug=scope_key).exists()
        }
    if CostExport.objects.exists() or CostImport.objects.exists():
        kinds.add("cost_export")
    return kinds


def _failures() -> dict[str, str]:
    """kind → "last sync failed: ..." for sources whose newest run failed."""
    latest = SyncRun.objects.values("source").annotate(last=Max("id")).values("last")
    out: dict[str, str] = {}
    runs = SyncRun.objects.filter(id__in=latest, status=SyncRun.Status.FAILED)
    for run in runs.select_related("source").only("error", "source__name", "source__kind"):
        out.setdefault(run.source.kind, f"last sync of {run.source.name} failed: {run.error}")
    last_import = CostImport.objects.exclude(status=CostImport.Status.REPLACED).order_by("-id")
    newest = last_import.only("status", "error", "path").first()
    if newest is not None and newest.status == CostImport.Status.FAILED:
        out["cost_export"] = f"last cost import failed: {newest.error}"
    return out


def family_statuses(*, scope: str, scope_key: str = "") -> dict[str, FamilyStatus]:
    """family name → its status for `scope`/`scope_key` (a team without repos has no GitHub
    source *for it*). Families with no known sources are always "configured"."""
    kinds, failures = _kinds_configured(scope, scope_key), _failures()
    out = {}
    for family, needs in FAMILY_SOURCES.items():
        labels = " or ".join(KIND_LABELS[k] for k in needs)
        where = " for this team" if scope == "team" else ""
        missing = "" if kinds & set(needs) else f"{NO_SOURCE}{where} ({labels})"
        failed = next((failures[k] for k in needs if k in failures), "")
        out[family] = FamilyStatus(missing=missing, failed=failed)
    return out
