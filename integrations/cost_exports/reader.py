"""The public entry points: read a cost export as normalised FOCUS batches, detect, summarise."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from . import aws, azure, focus, gcp
from .base import ExportFormat
from .errors import CostExportError
from .schema import CURRENCY_CODE, TEXT_LIMITS
from .sources import iter_chunks, read_header
from .values import Chunk

#: Format name → its reader, in the order ``detect_format`` tries them.
FORMATS: dict[str, ExportFormat] = {
    spec.name: spec for spec in (aws.LEGACY, aws.CUR2, azure.FORMAT, gcp.FORMAT, focus.FORMAT)
}


def detect_format(path: str | Path) -> str | None:
    """The format a file's header looks like (a key of FORMATS), or ``None`` if none matches.

    Reads only the header (CSV), the schema (Parquet) or the first record (JSON Lines).

    Raises:
        CostExportError: the file is missing, empty, not UTF-8 or of an unsupported type.
    """
    return _format_of(read_header(path))


def read_cost_export(
    path: str | Path, format: str | None = None, chunk_rows: int = 100_000
) -> Iterator[pd.DataFrame]:
    """Stream a cost export as batches of normalised FOCUS columns.

    Args:
        path: a ``.csv``, ``.csv.gz``, ``.parquet``, ``.jsonl`` / ``.json`` (``.gz``) file.
        format: one of FORMATS (``focus``, ``aws-cur``, ``aws-cur2``, ``gcp``, ``azure``);
            ``None`` detects it from the header.
        chunk_rows: the most rows per batch; memory use is bounded by it, not the file size.

    Returns:
        An iterator of DataFrames with exactly ``schema.COLUMNS`` (see there for types and
        units). The file, header and format are checked before this returns; rows are
        checked as they stream, so an error may come after some batches were yielded: a caller
        that stores them must do so atomically. The first row's currency is the file's; a row
        in another currency raises.

    Raises:
        CostExportError: unknown format, missing file, empty file, a header missing a required
            column (with the format the header looks like), and while iterating: non-numeric
            cost, bad timestamp or tags, a second currency, truncated gzip, non-UTF-8 text, an
            HTML page in a JSON Lines file, a file with a header but no rows.
    """
    if chunk_rows < 1:
        raise ValueError("chunk_rows must be at least 1")
    spec = _spec_for(path, format)
    return _stream(path, spec, chunk_rows)


def summarise(
    path: str | Path, format: str | None = None, chunk_rows: int = 100_000
) -> dict[str, Any]:
    """Stream a file once and total it, for tests and the import record.

    Returns:
        ``{"format": str, "rows": int, "currency": str,
        "totals": {currency: {"BilledCost": float, "EffectiveCost": float}},
        "by_service_category": {category: {"rows": int, "BilledCost": float,
        "EffectiveCost": float}}, "by_charge_category": {same shape},
        "period_start": Timestamp (min ChargePeriodStart, UTC),
        "period_end": Timestamp (max ChargePeriodEnd, UTC)}``.

    Raises:
        CostExportError: as :func:`read_cost_export`.
    """
    spec = _spec_for(path, format)
    totals = {"service": pd.DataFrame(), "charge": pd.DataFrame()}
    rows, currency, start, end = 0, "", None, None
    for batch in _stream(path, spec, chunk_rows):
        rows += len(batch)
        currency = str(batch["BillingCurrency"].iloc[0])
        start = _extreme(start, batch["ChargePeriodStart"].min(), min)
        end = _extreme(end, batch["ChargePeriodEnd"].max(), max)
        totals["service"] = _add(totals["service"], batch, "ServiceCategory")
        totals["charge"] = _add(totals["charge"], batch, "ChargeCategory")
    by_service = _as_dict(totals["service"])
    billed = sum(group["BilledCost"] for group in by_service.values())
    effective = sum(group["EffectiveCost"] for group in by_service.values())
    return {
        "format": spec.name,
        "rows": rows,
        "currency": currency,
        "totals": {currency: {"BilledCost": billed, "EffectiveCost": effective}},
        "by_service_category": by_service,
        "by_charge_category": _as_dict(totals["charge"]),
        "period_start": start,
        "period_end": end,
    }


def check_header(path: str | Path, format: str) -> list[str]:
    """The file's header after the checks ``read_cost_export`` makes before streaming (format
    known, file present and non-empty, required columns); raises CostExportError as it does."""
    _spec_for(path, format)
    return read_header(path)


def _spec_for(path: str | Path, format: str | None) -> ExportFormat:
    """The reader for ``format`` after checking the header has its required columns."""
    if format is not None and format not in FORMATS:
        known = ", ".join(FORMATS)
        raise CostExportError(f"unknown format {format!r}; expected one of {known}", file=str(path))
    header = read_header(path)
    name = format or _format_of(header)
    if name is None:
        message = f"cannot tell the export format from the header; pass one of {', '.join(FORMATS)}"
        raise CostExportError(message, file=str(path))
    spec = FORMATS[name]
    missing = spec.missing(header)
    if missing:
        message = f"missing required column{'s' if len(missing) > 1 else ''} {', '.join(missing)}"
        guess = _format_of(header)
        if guess is not None and guess != name:
            message += f" for format {name!r}; this looks like {guess!r}"
        raise CostExportError(message, file=str(path), column=missing[0])
    return spec


def _stream(path: str | Path, spec: ExportFormat, chunk_rows: int) -> Iterator[pd.DataFrame]:
    currency: str | None = None
    rows = 0
    for chunk in iter_chunks(path, chunk_rows, spec.wanted):
        if chunk.frame.empty:  # pandas yields one empty chunk for a header-only CSV
            continue
        batch = spec.normalise(chunk)
        currency = check_batch(batch, currency, chunk, spec)
        rows += len(batch)
        yield batch
    if rows == 0:
        raise CostExportError("no cost rows (the file has only a header)", file=str(path))


def check_batch(batch: pd.DataFrame, currency: str | None, chunk: Chunk, spec: ExportFormat) -> str:
    """:func:`check_text` then :func:`check_currency` on a normalised batch; the currency."""
    check_text(batch, chunk)
    return check_currency(batch, currency, chunk, spec)


def check_text(batch: pd.DataFrame, chunk: Chunk) -> None:
    """Raise CostExportError (row, normalised column) for a text longer than Keel stores
    (``schema.TEXT_LIMITS``) or holding a NUL byte (binary data; PostgreSQL refuses it)."""
    for name, limit in TEXT_LIMITS.items():
        values = batch[name]
        too_long = values.str.len() > limit
        if too_long.any():
            size = len(values[too_long].iloc[0])
            message = f"{name} is {size:,} characters long; Keel stores at most {limit}"
            _fail_at(batch, too_long, message, chunk.file, name)
        nul = values.str.contains("\x00", regex=False)
        if nul.any():
            _fail_at(batch, nul, f"{name} contains a NUL byte", chunk.file, name)


def _fail_at(batch: pd.DataFrame, bad: pd.Series, message: str, file: str, column: str) -> None:
    row = int(batch["SourceRow"][bad].iloc[0])
    raise CostExportError(message, file=file, row=row, column=column)


def check_currency(
    batch: pd.DataFrame, currency: str | None, chunk: Chunk, spec: ExportFormat
) -> str:
    """The file's currency (the first row's); raises on a blank, a value that is not an
    ISO 4217 code, or a second currency (a mixed-currency file is refused)."""
    column = chunk.pick(*spec.currency)
    values = batch["BillingCurrency"]
    blank = values == ""
    if blank.any():
        row = int(batch["SourceRow"][blank].iloc[0])
        raise CostExportError("missing currency", file=chunk.file, row=row, column=column)
    invalid = ~values.str.fullmatch(CURRENCY_CODE)
    if invalid.any():
        row = int(batch["SourceRow"][invalid].iloc[0])
        message = f"not an ISO 4217 currency code: {values[invalid].iloc[0][:40]!r}"
        raise CostExportError(message, file=chunk.file, row=row, column=column)
    currency = currency or str(values.iloc[0])
    other = values != currency
    if other.any():
        row = int(batch["SourceRow"][other].iloc[0])
        message = (
            f"two currencies in one file: {currency} and {values[other].iloc[0]}; "
            "Keel does not convert currencies, so split the file by currency"
        )
        raise CostExportError(message, file=chunk.file, row=row, column=column)
    return currency


def _format_of(header: Sequence[str]) -> str | None:
    return next((name for name, spec in FORMATS.items() if spec.looks_like(header)), None)


def _add(totals: pd.DataFrame, batch: pd.DataFrame, by: str) -> pd.DataFrame:
    part = batch.groupby(by).agg(
        rows=("SourceRow", "size"),
        BilledCost=("BilledCost", "sum"),
        EffectiveCost=("EffectiveCost", "sum"),
    )
    return part if totals.empty else totals.add(part, fill_value=0)


def _as_dict(totals: pd.DataFrame) -> dict[str, dict[str, Any]]:
    return {
        str(key): {
            "rows": int(row["rows"]),
            "BilledCost": float(row["BilledCost"]),
            "EffectiveCost": float(row["EffectiveCost"]),
        }
        for key, row in totals.iterrows()
    }


def _extreme(current: Any, candidate: Any, pick: Any) -> Any:
    return candidate if current is None else pick(current, candidate)
