"""The Arrow FOCUS reader (fast.py) against the reference reader: same values, same errors."""

from __future__ import annotations

import gzip

import pandas as pd
import pyarrow as pa
import pytest

from integrations.cost_exports import CostExportError, read_cost_export
from integrations.cost_exports.fast import Declined, fast_focus_supported, read_focus_blocks

from .builders import FOCUS_SAMPLE, focus_frame, write_csv

SMALL_BLOCK = 400  # bytes: one or two focus_frame lines per block after the header


def fast_frame(path, **kwargs) -> tuple[pd.DataFrame, list[dict]]:
    blocks = list(read_focus_blocks(path, **kwargs))
    frame = pa.concat_tables([b.table for b in blocks]).to_pandas()
    tags = [b.tag_sets[i] for b in blocks for i in b.tags.to_pylist()]
    return frame, tags


def test_real_focus_sample_reads_exactly_as_the_reference():
    reference = pd.concat(list(read_cost_export(FOCUS_SAMPLE, format="focus")), ignore_index=True)
    fast, tags = fast_frame(FOCUS_SAMPLE)
    assert len(fast) == len(reference) == 1000
    for column in (
        "BilledCost",
        "EffectiveCost",
        "BillingCurrency",
        "ServiceCategory",
        "ServiceName",
        "SubAccountId",
        "ResourceId",
        "ChargeCategory",
        "SourceRow",
    ):
        assert fast[column].tolist() == reference[column].tolist(), column
    for column in ("ChargePeriodStart", "ChargePeriodEnd"):
        parsed = pd.to_datetime(fast[column], utc=True)
        assert (parsed.to_numpy() == reference[column].to_numpy()).all()
    assert tags == reference["Tags"].tolist()


def test_timestamps_and_period_of_a_block(tmp_path):
    frame = focus_frame(
        rows=2,
        ChargePeriodStart=["2024-09-18 22:00:00", "2024-09-01T00:00:00Z"],
        ChargePeriodEnd=["2024-09-18T23:00:00+01:00", "2024-09-01T01:00:00.5Z"],
    )
    (block,) = read_focus_blocks(write_csv(tmp_path / "a.csv.gz", frame))
    # no zone = UTC; 23:00+01:00 = 22:00Z; fractions kept to the microsecond
    utc = [str(t) for t in block.table["ChargePeriodStart"].to_pandas()]
    assert utc == ["2024-09-18 22:00:00+00:00", "2024-09-01 00:00:00+00:00"]
    utc = [str(t) for t in block.table["ChargePeriodEnd"].to_pandas()]
    assert utc == ["2024-09-18 22:00:00+00:00", "2024-09-01 01:00:00.500000+00:00"]
    assert (block.start, block.end) == (
        pd.Timestamp("2024-09-01T00:00Z"),
        pd.Timestamp("2024-09-18T22:00Z"),
    )


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"BilledCost": ["1", "2", "12,50"]}, "row 4, column BilledCost: not a number: '12,50'"),
        # PostgreSQL's float8 would take NaN and its timestamptz 'yesterday': the reader does not
        ({"EffectiveCost": ["1", "NaN", "2"]}, "row 3, column EffectiveCost: not a number: 'NaN'"),
        (
            {"ChargePeriodEnd": ["2024-09-01T01:00:00Z", "yesterday", "2024-09-01T01:00:00Z"]},
            "row 3, column ChargePeriodEnd: not a timestamp: 'yesterday'",
        ),
        (
            {"ChargePeriodStart": ["2024-09-01T01:00:00Z", "NULL", "2024-09-01T01:00:00Z"]},
            "row 3, column ChargePeriodStart: missing timestamp",
        ),
        ({"ChargeCategory": ["Usage", "Usage", "Discount"]}, "row 4, column ChargeCategory: "),
        ({"Tags": ['{"a": "b"}', '{"a": ', "NULL"]}, "row 3, column Tags: tags are not a key/"),
        (
            {"BillingCurrency": ["USD", "USD", "EUR"]},
            "row 4, column BillingCurrency: two currencies in one file: USD and EUR",
        ),
        (
            {"BillingCurrency": ["USD", "NULL", "USD"]},
            "row 3, column BillingCurrency: missing currency",
        ),
    ],
)
def test_bad_values_raise_the_reference_error(tmp_path, overrides, expected):
    path = write_csv(tmp_path / "a.csv", focus_frame(**overrides))
    with pytest.raises(CostExportError) as raised:
        list(read_focus_blocks(path))
    assert str(raised.value).startswith(f"{path}, {expected}")


def test_bad_value_in_a_later_block_names_its_line(tmp_path):
    costs = ["1", "2", "3", "4", "5", "6", "x", "8"]
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=8, BilledCost=costs))
    blocks = read_focus_blocks(path, block_bytes=SMALL_BLOCK)
    first = next(blocks)
    assert first.table["SourceRow"].to_pylist() == [2]  # line 2 was read before line 8
    with pytest.raises(CostExportError) as raised:
        list(blocks)
    # header = line 1, so the 7th data row ("x") is line 8
    assert str(raised.value) == f"{path}, row 8, column BilledCost: not a number: 'x'"


def test_second_currency_in_a_later_block(tmp_path):
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=6, BillingCurrency=["EUR"] * 5 + ["USD"]))
    with pytest.raises(CostExportError) as raised:
        list(read_focus_blocks(path, block_bytes=SMALL_BLOCK))
    assert (raised.value.row, raised.value.column) == (7, "BillingCurrency")
    assert "two currencies in one file: EUR and USD" in str(raised.value)


def test_header_problems_are_the_reference_errors(tmp_path):
    path = write_csv(tmp_path / "a.csv", focus_frame().drop(columns=["BilledCost"]))
    with pytest.raises(CostExportError, match="a.csv, column BilledCost: missing required"):
        read_focus_blocks(path)
    with pytest.raises(CostExportError, match=r"h\.csv: no cost rows"):
        list(read_focus_blocks(write_csv(tmp_path / "h.csv", focus_frame(rows=0))))


def test_declines_what_it_cannot_vouch_for(tmp_path):
    data = gzip.compress(focus_frame(rows=2000).to_csv(index=False).encode())
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(Declined, match="Arrow cannot read"):
        list(read_focus_blocks(cut))
    text = focus_frame().to_csv(index=False)
    twice = tmp_path / "twice.csv"  # a second ServiceName column: pandas renames it, Arrow can't
    twice.write_text(text.replace("ResourceId,", "ServiceName,", 1))
    with pytest.raises(Declined, match="named twice"):
        read_focus_blocks(twice)


def test_supported_containers(tmp_path):
    assert fast_focus_supported("a.csv") and fast_focus_supported("b.CSV.GZ")
    assert not fast_focus_supported("a.parquet") and not fast_focus_supported("a.jsonl")
