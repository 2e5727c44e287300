"""PostgreSQL fast path of the cost import, for FOCUS CSV / CSV.gz (figures in
docs/performance-costs.md).

The file is parsed by `integrations.cost_exports.fast` (pyarrow, multithreaded, repeated values
parsed once), allocated per distinct tag set and account, encoded as binary COPY tuples by
vectorised numpy and Arrow kernels (apps.costs.pgbinary) and streamed by one
`COPY costs_costline FROM STDIN (FORMAT binary)` straight into the lines table, inside the
caller's transaction: the server stores a block while Python prepares the next. No staging
table: a staging COPY plus `INSERT ... SELECT` writes every row twice (measured 1.3 s + 4.2 s
per million lines; docs/performance-costs.md).

Bad input raises the reference reader's CostExportError (file, row, column). When the fast
reader cannot vouch for a file, or the server rejects a value the reference would have judged
(psycopg.DataError...), `FastPathDeclined` tells the caller to roll back to its savepoint and
import with the reference reader (apps.ingestion.cost_files).
PostgreSQL COPY: https://www.postgresql.org/docs/current/sql-copy.html
"""

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import psycopg
import pyarrow as pa
import pyarrow.compute as pc
from django.db import connection

from apps.costs import pgbinary
from apps.costs.allocation import tag_key_variants, tag_team
from apps.costs.writers import LINE_COLUMNS, lines_copy
from integrations.cost_exports.fast import (
    Declined,
    FocusBlock,
    fast_focus_supported,
    read_focus_blocks,
    tags_json,
)

# binary COPY columns: the 8-byte ones first (one packed numpy record per row), then text
FIXED_COLUMNS = [
    "cost_import_id",
    "charge_period_start",
    "charge_period_end",
    "billed_cost",
    "effective_cost",
    "cost",
    "source_row",
]
TEXT_COLUMNS = [
    "currency",
    "service_category",
    "service_name",
    "sub_account_id",
    "resource_id",
    "charge_category",
    "tags",
]
COPY_COLUMNS = [*FIXED_COLUMNS, *TEXT_COLUMNS, "team_id"]
# CSV bytes parsed per block: ≈ 11,000 FOCUS lines (8 MiB cost 150 MB more RSS); tests shrink it
BLOCK_BYTES = 2 << 20


class FastPathDeclined(Exception):
    """Import this file with the reference reader instead (the message says why)."""


@dataclass
class LinesSummary:
    """What an import wrote: rows; Σ billed/effective (file currency) and Σ cost (billing
    currency); min ChargePeriodStart and max ChargePeriodEnd (UTC); currency and its rate."""

    rows: int = 0
    billed: float = 0.0
    effective: float = 0.0
    cost: float = 0.0
    start: pd.Timestamp | None = None
    end: pd.Timestamp | None = None
    currency: str = ""
    fx_rate: float = 1.0

    def add(
        self,
        *,
        rows: int,
        billed: float,
        effective: float,
        cost: float,
        start: pd.Timestamp,
        end: pd.Timestamp,
    ) -> None:
        self.rows += rows
        self.billed, self.effective, self.cost = (
            self.billed + billed,
            self.effective + effective,
            self.cost + cost,
        )
        self.start = start if self.start is None else min(self.start, start)
        self.end = end if self.end is None else max(self.end, end)


def fast_path_applies(*, path: Path, format: str) -> bool:
    """PostgreSQL, format `focus`, and a .csv / .csv.gz file."""
    return connection.vendor == "postgresql" and format == "focus" and fast_focus_supported(path)


def lines_copy_focus(
    *,
    cost_import_id: int,
    path: Path,
    rate_for,
    tag_keys: list[str],
    accounts: Mapping[str, str],
    teams: Mapping[str, int],
) -> LinesSummary:
    """COPY every line of the FOCUS CSV `path` into costs_costline under `cost_import_id`.

    `rate_for(currency, row)` returns the fx rate of the file's currency (raising
    CostExportError naming `row`); `tag_keys`, `accounts`, `teams` as lines_allocate.
    Raises CostExportError (bad input) or FastPathDeclined; must run in a transaction.
    """
    keys = tag_key_variants(tag_keys)
    account_team = {account: teams.get(slug) for account, slug in accounts.items()}
    summary = LinesSummary()
    try:
        with lines_copy(columns=COPY_COLUMNS, binary=True) as copy:
            copy.write(pgbinary.SIGNATURE)
            for block in read_focus_blocks(path, block_bytes=BLOCK_BYTES):
                if not summary.currency:
                    summary.currency = block.currency
                    summary.fx_rate = rate_for(block.currency, block.table["SourceRow"][0].as_py())
                copy.write(_block_rows(block, cost_import_id, summary, keys, account_team, teams))
            copy.write(pgbinary.TRAILER)
    except Declined as exc:
        raise FastPathDeclined(str(exc)) from None
    except psycopg.DataError as exc:  # e.g. a value the server refuses: let the reference judge
        raise FastPathDeclined(f"PostgreSQL refused a value: {exc.sqlstate}") from None
    return summary


def _block_rows(
    block: FocusBlock,
    cost_import_id: int,
    summary: LinesSummary,
    keys: list[str],
    account_team: Mapping[str, int | None],
    teams: Mapping[str, int],
) -> memoryview:
    """The block as binary COPY tuples in COPY_COLUMNS order; adds its totals to `summary`."""
    column = {name: block.table[name].combine_chunks() for name in block.table.column_names}
    effective = column["EffectiveCost"].to_numpy()
    cost = effective * summary.fx_rate
    fixed = [
        np.full(len(cost), cost_import_id, dtype="int64"),
        pgbinary.timestamps_pg(column["ChargePeriodStart"]),
        pgbinary.timestamps_pg(column["ChargePeriodEnd"]),
        column["BilledCost"].to_numpy(),
        effective,
        cost,
        column["SourceRow"].to_numpy(),
    ]
    tags = pc.take(pa.array(tags_json(block.tag_sets), pa.string()), block.tags)
    text = [column[LINE_COLUMNS[name]] for name in TEXT_COLUMNS[:-1]] + [tags]
    summary.add(
        rows=len(cost),
        billed=float(fixed[3].sum()),
        effective=float(effective.sum()),
        cost=float(cost.sum()),
        start=block.start,
        end=block.end,
    )
    return pgbinary.rows_payload(
        [pgbinary.fixed_fields(len(COPY_COLUMNS), fixed)]
        + [pgbinary.text_field(values) for values in text]
        + [pgbinary.int8_field(_teams(block, keys, account_team, teams))]
    )


def _teams(
    block: FocusBlock, keys, account_team: Mapping[str, int | None], teams: Mapping[str, int]
) -> pa.Array:
    """Team pk per line (lines_allocate's rule), computed once per distinct tag set/account."""
    by_tag = pa.array(
        [tag_team(tags, keys=keys, teams=teams) for tags in block.tag_sets], pa.int64()
    )
    accounts = pc.dictionary_encode(block.table["SubAccountId"]).combine_chunks()
    by_account = pa.array(
        [account_team.get(a) for a in accounts.dictionary.to_pylist()], pa.int64()
    )
    return pc.coalesce(pc.take(by_tag, block.tags), pc.take(by_account, accounts.indices))
