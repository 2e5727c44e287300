"""Cost export files as a source (the `cost_files` adapter, apps.ingestion.adapters): import one
file atomically, a folder, or every configured export's new files, into apps.costs' lines
(docs/metrics.md#cost-metrics). The files are read by integrations.cost_exports; the costs
family computes from the stored lines only.

An import is all or nothing: the lines and the replacement of a restated period are written in
one transaction; on any CostExportError the transaction rolls back and the CostImport is kept
with status `failed` and the reader's message (file, row, column). Same file (sha256) again from
the same export: nothing changes. A file whose billing months overlap those of an earlier
successful import of the same export and format replaces it (providers restate exports).
"""

import hashlib
import logging
from datetime import timedelta
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from apps.costs.allocation import billing_months, fx_rate_for, lines_allocate
from apps.costs.models import CostGroup, CostImport, CostLine
from apps.costs.writers import lines_writer
from apps.ingestion.cost_copy import (
    FastPathDeclined,
    LinesSummary,
    fast_path_applies,
    lines_copy_focus,
)
from apps.organization.models import CostExport, Team
from apps.organization.selectors import org_settings
from integrations.cost_exports import CostExportError, read_cost_export

logger = logging.getLogger(__name__)

CHUNK_ROWS = 100_000
SUFFIXES = (".csv", ".csv.gz", ".parquet", ".jsonl", ".json", ".jsonl.gz", ".json.gz")


def file_sha256(path: Path) -> str:
    """Hex sha256 of the file's bytes, read in 1 MiB blocks."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while block := handle.read(1 << 20):
            digest.update(block)
    return digest.hexdigest()


def cost_file_import(
    *, path: str | Path, format: str, export: CostExport | None = None
) -> CostImport:
    """Import one cost export file (see the module docstring for the rules).

    Returns the CostImport: `succeeded` (new), the earlier `succeeded` one (same sha256 and
    export: nothing changed), or `failed` with `error` naming file, row and column.
    Lines spanning periods are stored whole and split by time when metrics are computed.
    """
    path = Path(path)
    export_name = export.name if export else ""
    try:
        sha = file_sha256(path)
    except OSError as exc:
        return _failed(path, "", format, export, f"{path}: cannot read the file: {exc.strerror}")
    done = CostImport.objects.filter(
        sha256=sha, export_name=export_name, status=CostImport.Status.SUCCEEDED
    ).first()
    if done is not None:
        done.unchanged = True  # transient: tells callers there is nothing to recompute
        return done
    record = CostImport.objects.create(
        path=str(path), sha256=sha, export=export, export_name=export_name, format=format
    )
    try:
        with transaction.atomic():
            _import_lines(record, path)
            _replace_restated(record)
    except CostExportError as exc:
        return _mark_failed(record, str(exc))
    except DatabaseError as exc:
        # A value the reader let through but the database refuses (a NUL byte in a text, a
        # code longer than its column): the whole file is rolled back all the same.
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        return _mark_failed(record, f"{path}: the database refused a value: {reason}")
    logger.info("cost import %s: %s rows from %s", record.pk, record.rows, path)
    return record


def _failed(path: Path, sha: str, format: str, export: CostExport | None, error: str) -> CostImport:
    return _mark_failed(
        CostImport(
            path=str(path),
            sha256=sha,
            export=export,
            export_name=export.name if export else "",
            format=format,
        ),
        error,
    )


def _mark_failed(record: CostImport, error: str) -> CostImport:
    record.status, record.error, record.finished_at = (
        CostImport.Status.FAILED,
        error,
        timezone.now(),
    )
    record.rows, record.totals, record.months = 0, {}, []
    record.period_start = record.period_end = None
    record.save()
    logger.warning("cost import of %s failed: %s", record.path, error)
    return record


def _import_lines(record: CostImport, path: Path) -> None:
    """Write every line of the file (fast path if it applies, else the reference reader) and
    fill the record's summary fields."""
    settings = org_settings().costs
    teams = dict(Team.objects.values_list("slug", "pk"))
    summary = _lines_fast(record, path, settings, teams) or _lines_read(
        record, path, settings, teams
    )
    record.rows, record.currency, record.fx_rate = summary.rows, summary.currency, summary.fx_rate
    record.totals = {
        summary.currency: {"billed": summary.billed, "effective": summary.effective},
        "cost": summary.cost,
        "billing_currency": settings.currency,
    }
    if summary.start is None or summary.end is None:  # the readers refuse a file without lines
        raise CostExportError("no cost rows", file=str(path))
    record.period_start = summary.start.to_pydatetime()
    record.period_end = summary.end.to_pydatetime()
    record.months = billing_months(summary.start, summary.end)
    record.status, record.finished_at = CostImport.Status.SUCCEEDED, timezone.now()
    record.save()
    cost_groups_rollup(import_ids=[record.pk])


def _lines_fast(record: CostImport, path: Path, settings, teams: dict) -> LinesSummary | None:
    """PostgreSQL + FOCUS CSV: copy_import's fast path in a savepoint; None if it declined
    (its savepoint rolled back: nothing of it remains) or does not apply."""
    if not fast_path_applies(path=path, format=record.format):
        return None
    try:
        with transaction.atomic():
            return lines_copy_focus(
                cost_import_id=record.pk,
                path=path,
                tag_keys=settings.team_tag_keys,
                accounts=settings.accounts,
                teams=teams,
                rate_for=lambda currency, row: _rate(currency, settings, path, row),
            )
    except FastPathDeclined as exc:
        logger.info("cost import %s: fast path declined (%s); reading %s", record.pk, exc, path)
        return None


def _lines_read(record: CostImport, path: Path, settings, teams: dict) -> LinesSummary:
    """The reference path: stream, convert, allocate and write every batch."""
    summary = LinesSummary()
    with lines_writer() as lines_write:
        for batch in read_cost_export(path, format=record.format, chunk_rows=CHUNK_ROWS):
            if not summary.currency:
                summary.currency = str(batch["BillingCurrency"].iloc[0])
                row = int(batch["SourceRow"].iloc[0])
                summary.fx_rate = _rate(summary.currency, settings, path, row)
            batch["cost"] = batch["EffectiveCost"] * summary.fx_rate
            batch["team_id"] = lines_allocate(
                batch, tag_keys=settings.team_tag_keys, accounts=settings.accounts, teams=teams
            )
            batch["cost_import_id"] = record.pk
            summary.add(
                rows=lines_write(batch),
                billed=float(batch["BilledCost"].sum()),
                effective=float(batch["EffectiveCost"].sum()),
                cost=float(batch["cost"].sum()),
                start=batch["ChargePeriodStart"].min(),
                end=batch["ChargePeriodEnd"].max(),
            )
    return summary


def cost_groups_rollup(*, import_ids: list[int]) -> None:
    """Sum the lines of `import_ids` into CostGroup rows, in SQL (one INSERT ... SELECT ...
    GROUP BY over those imports' lines). Run inside the import's transaction."""
    groups, lines = CostGroup._meta.db_table, CostLine._meta.db_table
    marks = ", ".join(["%s"] * len(import_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {groups} (cost_import_id, charge_period_start, charge_period_end, "  # noqa: S608
            "team_id, service_category, cost, lines) "
            "SELECT cost_import_id, charge_period_start, charge_period_end, team_id, "
            f"service_category, SUM(cost), COUNT(*) FROM {lines} "
            f"WHERE cost_import_id IN ({marks}) GROUP BY cost_import_id, charge_period_start, "
            "charge_period_end, team_id, service_category",
            import_ids,
        )


def _rate(currency: str, settings, path: Path, row: int) -> float:
    try:
        return fx_rate_for(
            currency=currency, billing_currency=settings.currency, fx_rates=settings.fx_rates
        )
    except LookupError as exc:
        raise CostExportError(str(exc), file=str(path), row=row, column="BillingCurrency") from None


def _replace_restated(record: CostImport) -> None:
    """Earlier successful imports of the same export and format sharing a billing month lose
    their lines and become `replaced` (the new file restates those months)."""
    earlier = CostImport.objects.filter(
        export_name=record.export_name, format=record.format, status=CostImport.Status.SUCCEEDED
    ).exclude(pk=record.pk)
    replaced = [old.pk for old in earlier if set(old.months) & set(record.months)]
    if replaced:
        CostLine.objects.filter(cost_import_id__in=replaced).delete()
        CostGroup.objects.filter(cost_import_id__in=replaced).delete()
        CostImport.objects.filter(pk__in=replaced).update(
            status=CostImport.Status.REPLACED, replaced_by=record
        )


def export_files(path: str | Path) -> list[Path]:
    """The importable files of `path`: itself if a file, else those under it, sorted by name."""
    root = Path(path)
    if root.is_file():
        return [root]
    return sorted(p for p in root.rglob("*") if p.is_file() and p.name.lower().endswith(SUFFIXES))


def cost_path_import(
    *, path: str | Path, format: str, export: CostExport | None = None
) -> list[CostImport]:
    """Import a file, or each file of a folder (oldest name first), one transaction per file."""
    return [
        cost_file_import(path=file, format=format, export=export) for file in export_files(path)
    ]


def cost_exports_scan() -> list[CostImport]:
    """Import the new files under each configured CostExport's path (beat task entry point)."""
    results: list[CostImport] = []
    for export in CostExport.objects.order_by("name"):
        if Path(export.path).exists():
            results += cost_path_import(path=export.path, format=export.format, export=export)
    return results


def cost_metrics_refresh(*, imports: list[CostImport]) -> dict[str, int]:
    """Recompute the cost metrics from the first day the new successful `imports` cover (a
    day early, so any organisation time zone's period is included); {} when nothing changed."""
    from apps.costs.metrics import METRICS
    from apps.metrics.services import metrics_compute

    starts = [
        r.period_start
        for r in imports
        if r.status == CostImport.Status.SUCCEEDED and not r.unchanged and r.period_start
    ]
    if not starts:
        return {}
    since = min(starts).date() - timedelta(days=1)
    return metrics_compute(since=since, metrics=[m.name for m in METRICS])
