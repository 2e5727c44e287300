"""Chunked streaming: batch sizes, row numbering and totals across chunks."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from integrations.cost_exports import COLUMNS, read_cost_export, summarise

from .builders import CUR_SAMPLE, focus_frame, gcp_records, write_csv, write_jsonl

ROWS = 2500  # BilledCost 1..2500, so Σ = 2500 × 2501 / 2


@pytest.fixture
def focus_csv(tmp_path):
    return write_csv(tmp_path / "big.csv", focus_frame(rows=ROWS))


def test_csv_2500_rows_in_chunks_of_1000_gives_3_batches(focus_csv):
    batches = list(read_cost_export(focus_csv, format="focus", chunk_rows=1000))
    assert [len(batch) for batch in batches] == [1000, 1000, 500]
    assert all(list(batch.columns) == list(COLUMNS) for batch in batches)
    rows = pd.concat([batch["SourceRow"] for batch in batches]).tolist()
    assert rows == list(range(2, ROWS + 2))  # line numbers: the header is line 1
    assert sum(batch["BilledCost"].sum() for batch in batches) == ROWS * (ROWS + 1) / 2


def test_csv_gz_chunks(tmp_path):
    path = write_csv(tmp_path / "big.csv.gz", focus_frame(rows=ROWS))
    assert [len(b) for b in read_cost_export(path, format="focus", chunk_rows=1000)] == [
        1000,
        1000,
        500,
    ]


def test_parquet_chunks(tmp_path):
    pq.write_table(pa.Table.from_pandas(focus_frame(rows=ROWS)), tmp_path / "big.parquet")
    batches = list(read_cost_export(tmp_path / "big.parquet", format="focus", chunk_rows=1000))
    assert [len(batch) for batch in batches] == [1000, 1000, 500]
    assert batches[2]["SourceRow"].tolist() == list(range(2001, 2501))


def test_jsonl_chunks(tmp_path):
    path = write_jsonl(tmp_path / "big.jsonl", gcp_records() * 834)  # 2,502 lines
    batches = list(read_cost_export(path, format="gcp", chunk_rows=1000))
    assert [len(batch) for batch in batches] == [1000, 1000, 502]
    assert sum(batch["BilledCost"].sum() for batch in batches) == pytest.approx(11.8 * 834)


def test_real_cur_sample_in_small_chunks_matches_one_chunk():
    small = pd.concat(read_cost_export(CUR_SAMPLE, format="aws-cur", chunk_rows=100))
    assert len(small) == 1281
    assert small["BilledCost"].sum() == pytest.approx(1.68230869740, abs=1e-9)
    assert small["SourceRow"].tolist() == list(range(2, 1283))


def test_batches_are_yielded_lazily(focus_csv):
    batches = read_cost_export(focus_csv, format="focus", chunk_rows=10)
    first = next(batches)
    assert len(first) == 10 and first["SourceRow"].iloc[0] == 2
    batches.close()


def test_summarise_generated_file_across_chunks(focus_csv):
    summary = summarise(focus_csv, "focus", chunk_rows=700)
    assert summary["format"] == "focus" and summary["rows"] == ROWS
    assert summary["totals"] == {
        "USD": {"BilledCost": ROWS * (ROWS + 1) / 2, "EffectiveCost": ROWS * (ROWS + 1) / 4},
    }
    assert summary["by_service_category"]["Compute"]["rows"] == ROWS
    assert summary["period_start"] == pd.Timestamp("2024-09-01 00:00", tz="UTC")
    assert summary["period_end"] == pd.Timestamp("2024-09-01 23:59:59", tz="UTC")
