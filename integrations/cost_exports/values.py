"""Parsing helpers shared by the format modules: text, money, timestamps and tags.

Every helper takes a :class:`Chunk` (the raw rows plus the file name) so that a bad value is
reported with its file, ``SourceRow`` and source column.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, NoReturn

import numpy as np
import pandas as pd
from pandas.api.types import is_bool_dtype, is_datetime64_any_dtype, is_numeric_dtype

from .errors import CostExportError

#: Spellings of "no value" seen in real exports (the FOCUS sample writes an unquoted NULL).
NULLS: frozenset[str] = frozenset({"", "NULL", "null"})

_BIGQUERY_UTC = r"\s*UTC$"  # BigQuery renders TIMESTAMP as "2024-01-01 00:00:00 UTC"


@dataclass(frozen=True)
class Chunk:
    """Raw rows of one export chunk, with the file's own column names.

    ``frame`` holds the raw values (``str`` from CSV; native types from Parquet and JSON Lines)
    and an ``int64`` column ``SourceRow``; ``file`` is the path used in error messages;
    ``aliases`` maps a renamed column back to the file's name for those messages.
    """

    frame: pd.DataFrame
    file: str
    aliases: Mapping[str, str] = field(default_factory=dict)  # column → name shown in errors

    def pick(self, *names: str) -> str | None:
        """The first of ``names`` that is a column of this chunk, else ``None``."""
        return next((name for name in names if name in self.frame.columns), None)

    def fail(self, message: str, where: pd.Series | int, column: str | None) -> NoReturn:
        """Raise CostExportError at the first row of ``where`` (a bool mask or a position)."""
        position = int(np.argmax(where.to_numpy())) if isinstance(where, pd.Series) else where
        row = int(self.frame["SourceRow"].iloc[position])
        shown = None if column is None else self.aliases.get(column, column)
        raise CostExportError(message, file=self.file, row=row, column=shown)


def text(series: pd.Series) -> pd.Series:
    """``series`` as stripped ``str``; missing values and ``NULL`` become ``""``."""
    values = series.astype(str).fillna("").str.strip()
    return values.mask(values.isin(NULLS), "")


def column_text(chunk: Chunk, *names: str) -> pd.Series:
    """Text of the first present column of ``names``; all ``""`` when none is present."""
    name = chunk.pick(*names)
    if name is None:
        return pd.Series("", index=chunk.frame.index, dtype=str)
    return text(chunk.frame[name])


def money(chunk: Chunk, column: str, empty: float = 0.0) -> pd.Series:
    """Parse a cost column to ``float64``; empty and ``NULL`` become ``empty`` (0.0).

    Accepts plain and E-notation decimals (``1.81E-8``) or numeric Parquet/JSON values.

    Raises:
        CostExportError: a value is not a finite number (names row and column).
    """
    series = chunk.frame[column]
    if is_numeric_dtype(series) and not is_bool_dtype(series):
        raw = series.astype("float64")
        blank = raw.isna()
        values = raw
    else:
        raw = text(series)
        blank = raw == ""
        values = pd.to_numeric(raw.mask(blank, "0"), errors="coerce").astype("float64")
    bad = ~np.isfinite(values.to_numpy()) & ~blank.to_numpy()
    if bad.any():
        mask = pd.Series(bad, index=series.index)
        chunk.fail(f"not a number: {raw[mask].iloc[0]!r}", mask, column)
    return values.mask(blank, empty)


def optional_money(chunk: Chunk, *names: str, empty: float = 0.0) -> pd.Series:
    """:func:`money` of the first present column of ``names``; all ``empty`` if none is."""
    name = chunk.pick(*names)
    if name is None:
        return pd.Series(empty, index=chunk.frame.index, dtype="float64")
    return money(chunk, name, empty)


def timestamps(chunk: Chunk, column: str, formats: Iterable[str] = ("ISO8601",)) -> pd.Series:
    """Parse a timestamp column to tz-aware UTC; a value without a zone is taken as UTC.

    ``formats`` are ``pandas.to_datetime`` formats tried in order on the values still
    unparsed (e.g. ``("%m/%d/%Y", "ISO8601")`` for Azure's ``9/2/2023``). ISO 8601 covers
    ``2024-09-18 22:00:00``, ``2023-11-01T00:00:00.000Z`` and offsets; BigQuery's trailing
    `` UTC`` is dropped first.

    Raises:
        CostExportError: a value is missing or matches no format (names row and column).
    """
    series = chunk.frame[column]
    if is_datetime64_any_dtype(series):
        parsed = pd.to_datetime(series, utc=True)
        raw = series.astype(str)
    else:
        raw = text(series).str.replace(_BIGQUERY_UTC, "", regex=True)
        parsed = pd.Series(pd.NaT, index=series.index, dtype="datetime64[us, UTC]")
        for fmt in formats:
            todo = parsed.isna() & (raw != "")
            if todo.any():
                parsed[todo] = pd.to_datetime(raw[todo], utc=True, format=fmt, errors="coerce")
    bad = parsed.isna()
    if bad.any():
        value = raw[bad].iloc[0]
        problem = f"not a timestamp: {value!r}" if value not in NULLS else "missing timestamp"
        chunk.fail(problem, bad, column)
    return parsed


def tags(chunk: Chunk, column: str | None) -> pd.Series:
    """Parse a tags/labels column to one ``dict[str, str]`` per row (``{}`` when untagged).

    Accepted per value: a JSON object string; Azure EA's object without outer braces
    (``"a": "b","c": "d"``); a JSON list of ``{"key", "value"}`` (GCP labels); a dict; a list
    of pairs (Arrow map) or of ``{"key", "value"}`` dicts. Keys are kept verbatim.

    Raises:
        CostExportError: a value is none of these (names row and column).
    """
    if column is None:
        return pd.Series([{} for _ in range(len(chunk.frame))], index=chunk.frame.index)
    cache: dict[str, dict[str, str]] = {}
    out: list[dict[str, str]] = []
    for position, value in enumerate(chunk.frame[column].tolist()):
        try:
            if isinstance(value, str):
                parsed = cache.get(value)
                if parsed is None:
                    parsed = cache[value] = parse_tags(value)
            else:
                parsed = parse_tags(value)
        except (ValueError, TypeError):
            chunk.fail(f"tags are not a key/value object: {str(value)[:80]!r}", position, column)
        out.append(dict(parsed))  # a copy per row: rows must not share one mutable dict
    return pd.Series(out, index=chunk.frame.index, dtype=object)


def parse_tags(value: Any) -> dict[str, str]:
    """One tags value (see :func:`tags`) as ``dict[str, str]``; raises ValueError if malformed."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return {}
    if isinstance(value, dict):
        return _clean(value.items())
    if isinstance(value, list | tuple | np.ndarray):
        return _clean(_pairs(value))
    if not isinstance(value, str):
        raise TypeError(f"unexpected tags value {value!r}")
    value = value.strip()
    if value in NULLS:
        return {}
    if not value.startswith(("{", "[")):
        value = "{" + value + "}"  # Azure EA writes the object without its braces
    loaded = json.loads(value)
    if not isinstance(loaded, dict | list):
        raise ValueError("not an object")
    return parse_tags(loaded)


def _pairs(items: Iterable[Any]) -> Iterable[tuple[Any, Any]]:
    for item in items:
        if isinstance(item, dict):
            yield item.get("key"), item.get("value")
        else:
            key, val = item
            yield key, val


def _clean(pairs: Iterable[tuple[Any, Any]]) -> dict[str, str]:
    return {str(k): "" if v is None else str(v) for k, v in pairs if k is not None}
