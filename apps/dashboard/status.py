"""Why a metric family may show nothing (docs/dashboard.md#every-empty-number-says-why): no
source configured for it, or its last sync (or cost import) failed, with the error."""

from dataclasses import dataclass

from django.db.models import Max

from apps.ingestion.models import SyncRun
from apps.organization.models import Source
from apps.organization.sources import (
    source_adapter,
    source_adapters,
    source_kinds_of,
    source_label,
)

from .funnel import FAMILY_SOURCES

NO_SOURCE = "no source configured"
NO_DATA = "no data in the period"


def kind_label(kind: str) -> str:
    """How people write a source kind, from the source registry ("GitHub", "cost export")."""
    return source_label(kind)


def _feeds_team(kind: str, team: str) -> bool:
    """Whether a source of `kind` has a scope (repo, project, service: its adapter's
    `scope_relation`, docs/configuration.md#sources) of `team`; kinds without scopes feed all."""
    adapter = source_adapter(kind)
    if adapter is None or not adapter.scope_relation:
        return True
    return Source.objects.filter(
        kind=kind, **{f"{adapter.scope_relation}__team__slug": team}
    ).exists()


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
        kinds = {k for k in kinds if _feeds_team(k, scope_key)}
    # Kinds configured elsewhere than `sources[]` (cost files) say themselves.
    kinds |= {a.kind for a in source_adapters() if a.configured is not None and a.configured()}
    return kinds


def _failures() -> dict[str, str]:
    """kind → "last sync failed: ..." for sources whose newest run failed."""
    latest = SyncRun.objects.values("source").annotate(last=Max("id")).values("last")
    out: dict[str, str] = {}
    runs = SyncRun.objects.filter(id__in=latest, status=SyncRun.Status.FAILED)
    for run in runs.select_related("source").only("error", "source__name", "source__kind"):
        out.setdefault(run.source.kind, f"last sync of {run.source.name} failed: {run.error}")
    for adapter in source_adapters():
        if adapter.last_failure is not None and (failure := adapter.last_failure()):
            out.setdefault(adapter.kind, failure)
    return out


def family_statuses(*, scope: str, scope_key: str = "") -> dict[str, FamilyStatus]:
    """family name → its status for `scope`/`scope_key` (a team without repos has no code host
    source *for it*). Families with no known sources are always "configured"."""
    kinds, failures = _kinds_configured(scope, scope_key), _failures()
    out = {}
    for family, roles in FAMILY_SOURCES.items():
        needs = source_kinds_of(roles)
        labels = " or ".join(kind_label(k) for k in needs)
        where = " for this team" if scope == "team" else ""
        missing = "" if kinds & set(needs) else f"{NO_SOURCE}{where} ({labels})"
        failed = next((failures[k] for k in needs if k in failures), "")
        out[family] = FamilyStatus(missing=missing, failed=failed)
    return out
