"""A fast FOCUS CSV reader on Apache Arrow, for bulk loads (the PostgreSQL import's fast path).

Same rules and results as ``read_cost_export(path, format="focus")`` for ``.csv`` and
``.csv.gz`` files, but about ten times faster:

- pyarrow's multithreaded CSV reader parses blocks of ``block_bytes`` (gzip inflated on the fly);
- repeated values (timestamps, categories, tags) are dictionary-encoded, so each distinct value
  is parsed once, with the reference helpers of ``values.py`` / ``focus.py``;
- it yields :class:`FocusBlock` (an Arrow table and the block's distinct tag sets), not pandas.

The reference reader stays the judge. A block failing a fast check is normalised again by the
reference (``focus.normalise`` and the currency check), so a bad value raises exactly the
reference's CostExportError (file, row, column). What the reference accepts but this reader
cannot vouch for (an Arrow parse error, a number or timestamp spelling only pandas reads, a
duplicated header name...) raises :class:`Declined`: the caller then imports the file with
``read_cost_export``. pyarrow CSV: https://arrow.apache.org/docs/python/csv.html
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pcsv

from . import focus
from .errors import CostExportError
from .reader import check_batch, check_header
from .schema import CURRENCY_CODE, TEXT_LIMITS
from .sources import container_of
from .values import _BIGQUERY_UTC, NULLS, Chunk, parse_tags

_NULLS = pa.array(sorted(NULLS))
_TEXT = ("BillingCurrency", "ServiceName", "SubAccountId", "ResourceId")
BLOCK_BYTES = 8 << 20


class Declined(Exception):
    """The fast reader cannot vouch for this file: read it with ``read_cost_export``."""


class _Suspect(Exception):
    """A fast check failed on a block: the reference normaliser must look at it."""


@dataclass(frozen=True)
class FocusBlock:
    """One block of normalised FOCUS lines.

    ``table`` columns: ChargePeriodStart, ChargePeriodEnd (timestamp[us, UTC]); BilledCost,
    EffectiveCost (float64, file currency); BillingCurrency, ServiceCategory, ServiceName,
    SubAccountId, ResourceId, ChargeCategory (str, as ``schema.COLUMNS``); SourceRow (int64,
    line number). ``tags`` (int32 per row) indexes ``tag_sets``, the block's distinct parsed
    Tags. ``start``/``end``: min ChargePeriodStart and max ChargePeriodEnd (UTC).
    ``currency``: the block's single BillingCurrency.
    """

    table: pa.Table
    tags: pa.Array
    tag_sets: list[dict[str, str]]
    start: pd.Timestamp
    end: pd.Timestamp
    currency: str


def fast_focus_supported(path: str | Path) -> bool:
    """Whether ``path`` is a CSV or CSV.gz file (what this reader reads)."""
    try:
        return container_of(path) == "csv"
    except CostExportError:
        return False


def read_focus_blocks(path: str | Path, block_bytes: int = BLOCK_BYTES) -> Iterator[FocusBlock]:
    """Stream a FOCUS CSV/CSV.gz as :class:`FocusBlock` s (memory bounded by ``block_bytes``).

    Raises:
        CostExportError: as ``read_cost_export`` (header checked before this returns).
        Declined: see the module docstring; may come after some blocks were yielded.
    """
    header = check_header(path, "focus")
    columns = [name for name in header if focus.FORMAT.wanted(name)]
    if len(set(columns)) != len(columns):
        raise Declined("a FOCUS column is named twice in the header")
    return _blocks(str(path), columns, block_bytes)


def _blocks(file: str, columns: list[str], block_bytes: int) -> Iterator[FocusBlock]:
    options = pcsv.ConvertOptions(
        column_types={name: pa.string() for name in columns},
        include_columns=columns,
        strings_can_be_null=False,
        quoted_strings_can_be_null=False,
    )
    seen, currency = 0, None
    try:
        batches = pcsv.open_csv(
            file, pcsv.ReadOptions(block_size=block_bytes), convert_options=options
        )
        for batch in batches:
            if batch.num_rows:
                block = _block(batch, file, seen + 2, currency)
                seen, currency = seen + batch.num_rows, block.currency
                yield block
    except (pa.ArrowException, OSError, EOFError) as exc:
        raise Declined(f"Arrow cannot read the file: {exc}") from None
    if seen == 0:
        raise CostExportError("no cost rows (the file has only a header)", file=file)


def _block(batch: pa.RecordBatch, file: str, first: int, currency: str | None) -> FocusBlock:
    try:
        return _normalise(batch, first, currency)
    except _Suspect:
        _diagnose(batch, file, first, currency)
        raise Declined(f"fast checks failed near row {first}; the reference accepts it") from None


def _diagnose(batch: pa.RecordBatch, file: str, first: int, currency: str | None) -> None:
    """Normalise the block with the reference reader: raises its exact CostExportError."""
    frame = batch.to_pandas()
    frame["SourceRow"] = np.arange(first, first + len(frame), dtype="int64")
    chunk = Chunk(frame=frame, file=file)
    check_batch(focus.normalise(chunk), currency, chunk, focus.FORMAT)


def _normalise(batch: pa.RecordBatch, first: int, currency: str | None) -> FocusBlock:
    names = batch.schema.names
    column = {name: _text(batch.column(name)) for name in names if name != "Tags"}
    blank = pa.array([""] * batch.num_rows, pa.string())
    start, low, _ = _timestamps(column["ChargePeriodStart"])
    end, _, high = _timestamps(column["ChargePeriodEnd"])
    table = {
        "ChargePeriodStart": start,
        "ChargePeriodEnd": end,
        "BilledCost": _money(column["BilledCost"]),
        "EffectiveCost": _money(column["EffectiveCost"]),
        **{name: column.get(name, blank) for name in _TEXT},
        "ServiceCategory": _mapped(column["ServiceCategory"], _service_categories),
        "ChargeCategory": _mapped(column["ChargeCategory"], _charge_categories),
        "SourceRow": pa.array(np.arange(first, first + batch.num_rows, dtype="int64")),
    }
    the_currency = _currency(table["BillingCurrency"], currency)
    _check_text(table)
    tags, tag_sets = _tags(batch.column("Tags") if "Tags" in names else None, batch.num_rows)
    return FocusBlock(pa.table(table), tags, tag_sets, low, high, the_currency)


def _text(values: pa.Array) -> pa.Array:
    """``values.text``: stripped, ``NULL`` spellings → ``""``."""
    stripped = pc.utf8_trim_whitespace(values)
    return pc.if_else(pc.is_in(stripped, value_set=_NULLS), "", stripped)


def _money(values: pa.Array) -> pa.Array:
    """``values.money``: float64, blank → 0.0; anything else unparseable or not finite → suspect."""
    try:
        parsed = pc.cast(pc.if_else(pc.equal(values, ""), "0", values), pa.float64())
    except pa.ArrowInvalid:
        raise _Suspect from None
    if not pc.all(pc.is_finite(parsed)).as_py():
        raise _Suspect
    return parsed


def _timestamps(values: pa.Array) -> tuple[pa.Array, pd.Timestamp, pd.Timestamp]:
    """``values.timestamps`` on the distinct values: timestamp[us, UTC] per row, min, max."""
    encoded = pc.dictionary_encode(values)
    raw = encoded.dictionary.to_pandas().str.replace(_BIGQUERY_UTC, "", regex=True)
    parsed = pd.to_datetime(raw.mask(raw == ""), utc=True, format="ISO8601", errors="coerce")
    if parsed.isna().any():
        raise _Suspect
    naive = parsed.dt.tz_localize(None).to_numpy().astype("datetime64[us]")
    distinct = pa.array(naive, pa.timestamp("us", tz="UTC"))
    return pc.take(distinct, encoded.indices), parsed.min(), parsed.max()


def _mapped(values: pa.Array, mapping) -> pa.Array:
    encoded = pc.dictionary_encode(values)
    return pc.take(pa.array(mapping(encoded.dictionary.to_pandas()), pa.string()), encoded.indices)


def _service_categories(raw: pd.Series) -> list[str]:
    return focus.service_category(raw).tolist()


def _charge_categories(raw: pd.Series) -> list[str]:
    values = raw.str.casefold().map(focus.CANONICAL_CHARGE)
    if values.isna().any():
        raise _Suspect
    return values.tolist()


def _currency(values: pa.Array, currency: str | None) -> str:
    distinct = pc.unique(values).to_pylist()
    if len(distinct) != 1 or distinct[0] == "" or currency not in (None, distinct[0]):
        raise _Suspect
    if not re.fullmatch(CURRENCY_CODE, distinct[0]):
        raise _Suspect
    return distinct[0]


def _check_text(table: dict[str, pa.Array]) -> None:
    """``reader.check_text``'s limits: a value too long or holding a NUL → suspect."""
    for name, limit in TEXT_LIMITS.items():
        values = table[name]
        if len(values) and pc.max(pc.utf8_length(values)).as_py() > limit:
            raise _Suspect
        if pc.any(pc.match_substring(values, "\x00")).as_py():
            raise _Suspect


def _tags(values: pa.Array | None, rows: int) -> tuple[pa.Array, list[dict[str, str]]]:
    """Distinct tag sets parsed once by ``values.parse_tags``; bad JSON → suspect."""
    if values is None:
        return pa.array(np.zeros(rows, dtype="int32")), [{}]
    encoded = pc.dictionary_encode(values)
    try:
        sets = [parse_tags(value) for value in encoded.dictionary.to_pylist()]
    except (ValueError, TypeError):
        raise _Suspect from None
    return encoded.indices, sets


def tags_json(tag_sets: list[dict[str, str]]) -> list[str]:
    """Compact JSON text of each tag set (what the lines table stores)."""
    return [json.dumps(tags, separators=(",", ":")) for tags in tag_sets]
