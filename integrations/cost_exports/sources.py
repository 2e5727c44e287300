"""Streaming raw readers for the file containers: CSV (optionally gzipped), Parquet, JSON Lines.

Each yields :class:`~.values.Chunk` objects of at most ``chunk_rows`` rows with the file's own
column names and an added ``SourceRow``; none reads the whole file into memory. Nested JSON and
Parquet structs are flattened with dots (``project.id``), as BigQuery names flattened columns.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .errors import CostExportError
from .values import Chunk

Wanted = Callable[[str], bool]

#: File-name endings and the container each means.
SUFFIXES: dict[str, str] = {
    ".csv": "csv",
    ".csv.gz": "csv",
    ".parquet": "parquet",
    ".jsonl": "jsonl",
    ".jsonl.gz": "jsonl",
    ".json": "jsonl",
    ".json.gz": "jsonl",
    ".ndjson": "jsonl",
}


def container_of(path: str | Path) -> str:
    """``"csv"``, ``"parquet"`` or ``"jsonl"`` from the file name; raises CostExportError."""
    name = Path(path).name.lower()
    for suffix in sorted(SUFFIXES, key=len, reverse=True):
        if name.endswith(suffix):
            return SUFFIXES[suffix]
    known = ", ".join(sorted(SUFFIXES))
    raise CostExportError(f"unsupported file type; expected one of {known}", file=str(path))


def check_file(path: str | Path) -> None:
    """Raise CostExportError if ``path`` is missing or has zero bytes."""
    file = Path(path)
    if not file.is_file():
        raise CostExportError("file not found", file=str(path))
    if file.stat().st_size == 0:
        raise CostExportError("file is empty", file=str(path))


@contextmanager
def reading(file: str) -> Iterator[None]:
    """Turn the decoding and I/O errors of a read into CostExportError naming ``file``."""
    try:
        yield
    except UnicodeDecodeError as exc:
        # The reader's own offset is relative to the block it was decoding: find the real spot.
        line, offset, reason = first_invalid_utf8(file) or (None, exc.start, exc.reason)
        message = f"not UTF-8 text ({reason} at byte {offset}); export as UTF-8"
        raise CostExportError(message, file=file, row=line) from exc
    except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
        raise CostExportError(f"truncated or corrupt gzip file ({exc})", file=file) from exc
    except pd.errors.EmptyDataError as exc:
        raise CostExportError("file is empty", file=file) from exc
    except pd.errors.ParserError as exc:
        raise CostExportError(f"malformed CSV: {exc}", file=file) from exc
    except (pa.ArrowInvalid, OSError) as exc:
        raise CostExportError(f"unreadable file: {exc}", file=file) from exc


def first_invalid_utf8(path: str | Path) -> tuple[int, int, str] | None:
    """``(line, byte offset, reason)`` of the first byte sequence of the (gunzipped) file that
    is not UTF-8, or None when it all decodes. Lines are 1-based, offsets 0-based."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    line, offset = 1, 0
    opener = gzip.open if str(path).lower().endswith(".gz") else open
    try:
        with opener(path, "rb") as handle:
            while block := handle.read(1 << 20):
                try:
                    decoder.decode(block)
                except UnicodeDecodeError as exc:
                    start = max(exc.start, 0)
                    return line + block.count(b"\n", 0, start), offset + start, exc.reason
                line, offset = line + block.count(b"\n"), offset + len(block)
    except (OSError, EOFError, zlib.error):  # a corrupt gzip: the caller's message stands
        return None
    return None


def read_header(path: str | Path) -> list[str]:
    """Column names of the file (for JSON Lines: the flattened keys of the first record)."""
    file = str(path)
    check_file(path)
    kind = container_of(path)
    with reading(file):
        if kind == "parquet":
            return [leaf for field in pq.read_schema(path) for leaf in _leaves(field)]
        with _open_text(path) as handle:
            if kind == "csv":
                header = next(csv.reader(handle), None)
            else:
                first = next(_json_records(handle, file), None)
                header = None if first is None else list(pd.json_normalize([first[1]]).columns)
    if not header:
        raise CostExportError("file is empty", file=file)
    return header


def iter_chunks(path: str | Path, chunk_rows: int, wanted: Wanted) -> Iterator[Chunk]:
    """Stream ``path`` in chunks of at most ``chunk_rows`` rows, keeping the ``wanted`` columns."""
    readers = {"csv": _csv_chunks, "parquet": _parquet_chunks, "jsonl": _jsonl_chunks}
    file = str(path)
    check_file(path)
    with reading(file):
        for frame in readers[container_of(path)](path, chunk_rows, wanted):
            yield Chunk(frame=frame, file=file)


def _csv_chunks(path: str | Path, chunk_rows: int, wanted: Wanted) -> Iterator[pd.DataFrame]:
    # SourceRow = line number: the header is line 1 (exact unless a quoted field holds newlines).
    options: dict[str, Any] = {"dtype": str, "keep_default_na": False, "na_filter": False}
    with pd.read_csv(
        path, chunksize=chunk_rows, usecols=wanted, encoding="utf-8-sig", **options
    ) as reader:
        seen = 0
        for frame in reader:
            frame["SourceRow"] = np.arange(seen + 2, seen + 2 + len(frame), dtype="int64")
            seen += len(frame)
            yield frame


def _parquet_chunks(path: str | Path, chunk_rows: int, wanted: Wanted) -> Iterator[pd.DataFrame]:
    # SourceRow = 1-based row index (Parquet has no lines).
    parquet = pq.ParquetFile(path)
    columns = [f.name for f in parquet.schema_arrow if any(map(wanted, _leaves(f)))]
    seen = 0
    for batch in parquet.iter_batches(batch_size=chunk_rows, columns=columns):
        table = pa.Table.from_batches([batch])
        while any(pa.types.is_struct(field.type) for field in table.schema):
            table = table.flatten()
        frame = table.to_pandas()
        frame = frame[[name for name in frame.columns if wanted(name)]].copy()
        frame["SourceRow"] = np.arange(seen + 1, seen + 1 + len(frame), dtype="int64")
        seen += len(frame)
        yield frame


def _jsonl_chunks(path: str | Path, chunk_rows: int, wanted: Wanted) -> Iterator[pd.DataFrame]:
    # SourceRow = line number; blank lines are skipped but counted.
    with _open_text(path) as handle:
        rows: list[int] = []
        records: list[dict[str, Any]] = []
        for number, record in _json_records(handle, str(path)):
            rows.append(number)
            records.append(record)
            if len(records) == chunk_rows:
                yield _json_frame(records, rows, wanted)
                rows, records = [], []
        if records:
            yield _json_frame(records, rows, wanted)


def _json_frame(records: list[dict[str, Any]], rows: list[int], wanted: Wanted) -> pd.DataFrame:
    frame = pd.json_normalize(records)
    frame = frame[[name for name in frame.columns if wanted(name)]].copy()
    frame["SourceRow"] = np.asarray(rows, dtype="int64")
    return frame


def _json_records(handle: IO[str], file: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for number, line in enumerate(handle, start=1):
        line = line.strip()
        if not line:
            continue
        if line.startswith("<"):
            message = "this is an HTML page, not JSON Lines (an error page saved as the export?)"
            raise CostExportError(message, file=file, row=number)
        if line.startswith("["):
            message = "expected JSON Lines (one object per line), not a JSON array"
            raise CostExportError(message, file=file, row=number)
        try:
            record = json.loads(line)
        except json.JSONDecodeError as exc:
            raise CostExportError(f"invalid JSON: {exc.msg}", file=file, row=number) from exc
        if not isinstance(record, dict):
            raise CostExportError("expected one JSON object per line", file=file, row=number)
        yield number, record


def _open_text(path: str | Path) -> IO[str]:
    if str(path).lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8-sig", newline="")
    return open(path, encoding="utf-8-sig", newline="")  # the caller closes it (with-block)


def _leaves(field: pa.Field, prefix: str = "") -> Iterator[str]:
    name = prefix + field.name
    if pa.types.is_struct(field.type):
        for child in field.type:
            yield from _leaves(child, name + ".")
    else:
        yield name
