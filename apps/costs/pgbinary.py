"""PostgreSQL binary COPY rows built from Arrow columns, vectorised (numpy and Arrow kernels).

Why: for the cost lines, the server stores binary COPY rows 1.3 s per million faster than the
same rows as CSV (no text parsing of floats and timestamps; docs/performance-costs.md).
Format (https://www.postgresql.org/docs/current/sql-copy.html, "Binary Format"): SIGNATURE,
then per tuple an int16 field count and per field an int32 byte length (-1 = NULL) and the
value in its type's binary send format, big-endian: int8 and float8 8 bytes, timestamptz int64
microseconds since 2000-01-01 UTC, text/varchar the UTF-8 bytes; TRAILER (int16 -1) at the end.
Pure: no Django, no I/O.
"""

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

SIGNATURE = b"PGCOPY\n\xff\r\n\x00" + bytes(8)  # + int32 flags 0, int32 extension length 0
TRAILER = b"\xff\xff"
NULL_FIELD = b"\xff\xff\xff\xff"
_PG_EPOCH_US = 946_684_800_000_000  # 2000-01-01T00:00:00Z in µs since 1970


def _binary(buffer: np.ndarray, width: int, rows: int) -> pa.Array:
    """`rows` values of `width` bytes each from a packed numpy array, as Arrow binary."""
    fixed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(width), rows, [None, pa.py_buffer(buffer)]
    )
    return fixed.cast(pa.binary())


def fixed_fields(count: int, values: list[np.ndarray]) -> pa.Array:
    """Per row: the tuple's int16 field `count`, then each of `values` (int64 or float64, no
    nulls) as an 8-byte field. Returns binary, one value per row."""
    layout = [("count", ">i2")]
    for i, column in enumerate(values):
        layout += [(f"l{i}", ">i4"), (f"v{i}", ">f8" if column.dtype.kind == "f" else ">i8")]
    packed = np.empty(len(values[0]), dtype=np.dtype(layout))
    packed["count"] = count
    for i, column in enumerate(values):
        packed[f"l{i}"], packed[f"v{i}"] = 8, column
    return _binary(packed, packed.dtype.itemsize, len(packed))


def text_field(values: pa.Array) -> pa.Array:
    """Per row: int32 byte length + UTF-8 bytes of a non-null string array."""
    lengths = pc.binary_length(values).to_numpy(zero_copy_only=False).astype(">i4")
    return pc.binary_join_element_wise(
        _binary(lengths, 4, len(values)), values.cast(pa.binary()), b""
    )


def int8_field(values: pa.Array) -> pa.Array:
    """Per row: a nullable int64 as an 8-byte field, or the NULL marker."""
    packed = np.empty(len(values), dtype=np.dtype([("l", ">i4"), ("v", ">i8")]))
    packed["l"], packed["v"] = 8, pc.fill_null(values, 0).to_numpy(zero_copy_only=False)
    full = _binary(packed, 12, len(values))
    return pc.if_else(pc.is_null(values), pa.scalar(NULL_FIELD, pa.binary()), full)


def timestamps_pg(values: pa.Array) -> np.ndarray:
    """timestamp[us, UTC] → int64 µs since 2000-01-01 UTC (timestamptz's binary value)."""
    return pc.cast(values, pa.int64()).to_numpy(zero_copy_only=False) - _PG_EPOCH_US


def rows_payload(fields: list[pa.Array]) -> memoryview:
    """The tuples (fields joined per row, in order) as one contiguous buffer, without a copy."""
    rows = pc.binary_join_element_wise(*fields, b"")
    offsets = np.frombuffer(
        rows.buffers()[1], dtype=np.int32, count=len(rows) + 1, offset=rows.offset * 4
    )
    return memoryview(rows.buffers()[2])[offsets[0] : offsets[-1]]
