"""Bulk writers of cost lines: PostgreSQL `COPY` (psycopg 3 `cursor.copy`), else bulk_create.

Both take a frame in the shape of `LINE_COLUMNS` (one batch of an import) and run inside the
caller's transaction, so an import stays all or nothing.
PostgreSQL COPY: https://www.postgresql.org/docs/current/sql-copy.html;
psycopg 3 copy: https://www.psycopg.org/psycopg3/docs/basic/copy.html
"""

import json
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from queue import Queue

import numpy as np
import pandas as pd
from django.db import connection
from psycopg import Copy
from psycopg.abc import Buffer
from psycopg.copy import QueuedLibpqWriter

from apps.costs.models import CostLine

# CostLine column → batch column; the batch also carries team_id (Int64) and cost_import_id.
LINE_COLUMNS: dict[str, str] = {
    "cost_import_id": "cost_import_id",
    "charge_period_start": "ChargePeriodStart",
    "charge_period_end": "ChargePeriodEnd",
    "billed_cost": "BilledCost",
    "effective_cost": "EffectiveCost",
    "currency": "BillingCurrency",
    "cost": "cost",
    "service_category": "ServiceCategory",
    "service_name": "ServiceName",
    "sub_account_id": "SubAccountId",
    "resource_id": "ResourceId",
    "charge_category": "ChargeCategory",
    "tags": "Tags",
    "team_id": "team_id",
    "source_row": "SourceRow",
}
_TEXT = (
    "currency",
    "service_category",
    "service_name",
    "sub_account_id",
    "resource_id",
    "charge_category",
    "tags",
)
BULK_BATCH = 5_000
QUEUE_PIECES = 128  # × psycopg's 128 KiB pieces = 16 MiB queued for the server at most


class BoundedQueuedWriter(QueuedLibpqWriter):
    """psycopg's QueuedLibpqWriter with a shorter queue: its 1024 pieces of 128 KiB (128 MiB)
    pushed the 1M-line import's peak RSS past 500 MB while the server lagged behind Python.
    Relies on psycopg 3.2/3.3's `_queue` attribute (checked by tests/costs on PostgreSQL)."""

    def __init__(self, cursor) -> None:
        super().__init__(cursor)
        # psycopg's own Queue is this queue.Queue (psycopg._acompat); its stub names it apart.
        self._queue = Queue[Buffer](maxsize=QUEUE_PIECES)  # type: ignore[assignment]


@contextmanager
def lines_writer() -> Iterator[Callable[[pd.DataFrame], int]]:
    """A function that inserts one batch of lines and returns how many, valid inside the block.

    PostgreSQL: one `COPY ... FROM STDIN` for the whole file, fed by a queued writer thread so
    the server stores a batch while Python parses the next. Elsewhere: bulk_create. An exception
    in the block aborts the COPY; the caller's transaction then rolls everything back.
    """
    if connection.vendor != "postgresql":
        yield _lines_bulk_create
        return
    with lines_copy() as copy:
        yield lambda batch: _copy_batch(copy, batch)


@contextmanager
def lines_copy(*, columns: list[str] | None = None, binary: bool = False) -> Iterator[Copy]:
    """PostgreSQL only: a `COPY costs_costline (columns) FROM STDIN` open for the block.

    `columns` default to LINE_COLUMNS. CSV (default): rows in that order, text columns never
    NULL, team_id empty = NULL. `binary`: the caller writes the whole binary format (signature,
    tuples, trailer; see apps.costs.pgbinary). Fed by a queued writer thread
    (BoundedQueuedWriter) so the server stores while Python prepares the next batch.
    """
    names = ", ".join(columns or LINE_COLUMNS)
    options = "FORMAT binary" if binary else f"FORMAT csv, FORCE_NOT_NULL ({', '.join(_TEXT)})"
    sql = f"COPY {CostLine._meta.db_table} ({names}) FROM STDIN WITH ({options})"
    with connection.cursor() as cursor:
        raw = cursor.cursor
        with raw.copy(sql, writer=BoundedQueuedWriter(raw)) as copy:
            yield copy


def _copy_batch(copy: Copy, batch: pd.DataFrame) -> int:
    frame = pd.DataFrame({column: batch[source] for column, source in LINE_COLUMNS.items()})
    frame["tags"] = _tags_json(frame["tags"])
    for column in ("charge_period_start", "charge_period_end"):
        frame[column] = _timestamps_text(frame[column])
    copy.write(frame.to_csv(index=False, header=False))
    return len(frame)


def _tags_json(tags: pd.Series) -> list[str]:
    """JSON text of each tags dict; most lines share a few tag sets, so serialise each once."""
    cache: dict[tuple, str] = {}
    out = []
    for value in tags:
        key = tuple(value.items())
        text = cache.get(key)
        if text is None:
            text = cache[key] = json.dumps(value, separators=(",", ":"))
        out.append(text)
    return out


def _timestamps_text(values: pd.Series) -> np.ndarray:
    """ISO 8601 UTC text ("2024-09-01T00:00:00.000000Z") of aware timestamps, formatting each
    distinct value once (pandas' own CSV formatting of datetimes is the slowest step)."""
    naive = values.dt.tz_convert("UTC").dt.tz_localize(None).to_numpy()
    unique, inverse = np.unique(naive, return_inverse=True)
    return np.char.add(np.datetime_as_string(unique, unit="us"), "Z")[inverse]


def _lines_bulk_create(batch: pd.DataFrame) -> int:
    batch = batch.assign(Tags=_tags_json(batch["Tags"]))
    objects = [
        CostLine(**{column: _plain(getattr(row, source)) for column, source in _ATTRS})
        for row in batch.rename(columns=_SAFE).itertuples(index=False)
    ]
    CostLine.objects.bulk_create(objects, batch_size=BULK_BATCH)
    return len(objects)


_SAFE = {source: f"c{index}" for index, source in enumerate(LINE_COLUMNS.values())}
_ATTRS = [(column, _SAFE[source]) for column, source in LINE_COLUMNS.items()]


def _plain(value: object) -> object:
    if isinstance(value, pd.Timestamp):
        return value.to_pydatetime()
    if value is pd.NA:
        return None
    if isinstance(value, np.generic):
        return value.item()
    return value
