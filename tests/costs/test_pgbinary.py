"""PostgreSQL binary COPY encoding (apps.costs.pgbinary), byte for byte; no database needed."""

import inspect
import struct

import numpy as np
import pyarrow as pa
from psycopg.copy import QueuedLibpqWriter

from apps.costs import pgbinary


def test_one_tuple_byte_for_byte():
    # 2000-01-01T00:00:01Z = 946,684,801 s after 1970
    start = pa.array([946_684_801_000_000], pa.int64()).cast(pa.timestamp("us", tz="UTC"))
    fixed = pgbinary.fixed_fields(
        4, [np.array([7], dtype="int64"), pgbinary.timestamps_pg(start), np.array([0.5])]
    )
    payload = pgbinary.rows_payload(
        [
            fixed,
            pgbinary.text_field(pa.array(["ab"])),
            pgbinary.int8_field(pa.array([None], pa.int64())),
        ]
    )
    expected = (
        b"\x00\x04"  # 4 fields
        + b"\x00\x00\x00\x08"
        + (7).to_bytes(8, "big")  # int8 7
        + b"\x00\x00\x00\x08"
        + (1_000_000).to_bytes(8, "big")  # 1 s after 2000-01-01 in µs
        + b"\x00\x00\x00\x08"
        + struct.pack(">d", 0.5)  # float8 0.5
        + b"\x00\x00\x00\x02ab"  # text "ab"
        + b"\xff\xff\xff\xff"  # NULL
    )
    assert bytes(payload) == expected


def test_rows_are_contiguous_and_nulls_only_where_null():
    teams = pgbinary.int8_field(pa.array([3, None], pa.int64()))
    text = pgbinary.text_field(pa.array(["é", ""]))  # 2 UTF-8 bytes, then empty (not NULL)
    payload = bytes(pgbinary.rows_payload([text, teams]))
    assert payload == (
        b"\x00\x00\x00\x02"
        + "é".encode()
        + b"\x00\x00\x00\x08"
        + (3).to_bytes(8, "big")
        + b"\x00\x00\x00\x00"
        + b"\xff\xff\xff\xff"
    )


def test_psycopg_queue_attribute_still_exists():
    # writers.BoundedQueuedWriter replaces QueuedLibpqWriter._queue to bound memory
    assert "self._queue" in inspect.getsource(QueuedLibpqWriter.__init__)
