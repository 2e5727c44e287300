"""Every bad input raises CostExportError naming the file (and row/column where they apply)."""

from __future__ import annotations

import gzip
import json
import shutil

import pandas as pd
import pytest

from integrations.cost_exports import CostExportError, read_cost_export

from .builders import CUR_SAMPLE, focus_frame, gcp_records, write_csv, write_jsonl


def consume(path, format="focus", **kwargs) -> list[pd.DataFrame]:
    return list(read_cost_export(path, format=format, **kwargs))


def test_message_format():
    error = CostExportError("not a number: 'x'", file="a.csv", row=3, column="BilledCost")
    assert str(error) == "a.csv, row 3, column BilledCost: not a number: 'x'"
    assert str(CostExportError("file is empty", file="a.csv")) == "a.csv: file is empty"


def test_missing_required_column_is_named(tmp_path):
    path = write_csv(tmp_path / "focus.csv", focus_frame().drop(columns=["BilledCost"]))
    with pytest.raises(CostExportError, match=r"focus\.csv, column BilledCost: missing required"):
        read_cost_export(path, format="focus")  # checked before the first batch


def test_cur_file_read_as_focus_says_what_it_looks_like():
    with pytest.raises(CostExportError) as raised:
        read_cost_export(CUR_SAMPLE, format="focus")
    message = str(raised.value)
    assert "aws-cur-legacy-sample.csv" in message
    assert "missing required columns ChargePeriodStart, ChargePeriodEnd, BilledCost" in message
    assert "this looks like 'aws-cur'" in message
    assert raised.value.column == "ChargePeriodStart"


def test_non_numeric_cost_names_row_and_column(tmp_path):
    path = write_csv(tmp_path / "focus.csv", focus_frame(BilledCost=["1", "2", "12,50"]))
    with pytest.raises(CostExportError) as raised:
        consume(path)
    assert str(raised.value) == f"{path}, row 4, column BilledCost: not a number: '12,50'"


def test_non_numeric_cost_in_legacy_cur_names_the_legacy_column(tmp_path):
    frame = pd.read_csv(CUR_SAMPLE, dtype=str, keep_default_na=False, nrows=5)
    frame.loc[3, "lineItem/UnblendedCost"] = "n/a"
    with pytest.raises(CostExportError) as raised:
        consume(write_csv(tmp_path / "cur.csv", frame), "aws-cur")
    assert (raised.value.row, raised.value.column) == (5, "lineItem/UnblendedCost")


def test_two_currencies_in_one_chunk(tmp_path):
    path = write_csv(tmp_path / "focus.csv", focus_frame(BillingCurrency=["USD", "USD", "EUR"]))
    with pytest.raises(CostExportError, match="two currencies in one file: USD and EUR") as raised:
        consume(path)
    assert (raised.value.file, raised.value.row) == (str(path), 4)
    assert raised.value.column == "BillingCurrency"


def test_second_currency_in_a_later_chunk_raises_after_earlier_batches(tmp_path):
    path = write_csv(tmp_path / "focus.csv", focus_frame(BillingCurrency=["EUR", "EUR", "USD"]))
    batches = read_cost_export(path, format="focus", chunk_rows=1)
    assert len(next(batches)) == 1 and len(next(batches)) == 1
    with pytest.raises(CostExportError, match="EUR and USD"):
        next(batches)


def test_missing_currency(tmp_path):
    path = write_csv(tmp_path / "focus.csv", focus_frame(BillingCurrency=["USD", "NULL", "USD"]))
    with pytest.raises(CostExportError, match="row 3, column BillingCurrency: missing currency"):
        consume(path)


def test_unknown_format(tmp_path):
    path = write_csv(tmp_path / "focus.csv", focus_frame())
    with pytest.raises(CostExportError, match=r"focus\.csv: unknown format 'oracle'"):
        read_cost_export(path, format="oracle")


def test_undetectable_header(tmp_path):
    path = write_csv(tmp_path / "other.csv", pd.DataFrame({"a": ["1"], "b": ["2"]}))
    with pytest.raises(CostExportError, match=r"other\.csv: cannot tell the export format"):
        read_cost_export(path)


def test_empty_file(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    with pytest.raises(CostExportError, match=r"empty\.csv: file is empty"):
        read_cost_export(path, format="focus")


def test_header_only_file(tmp_path):
    path = write_csv(tmp_path / "header.csv", focus_frame(rows=0))
    with pytest.raises(CostExportError, match=r"header\.csv: no cost rows"):
        consume(path)


def test_missing_file_and_unsupported_suffix(tmp_path):
    with pytest.raises(CostExportError, match=r"nope\.csv: file not found"):
        read_cost_export(tmp_path / "nope.csv", format="focus")
    path = tmp_path / "costs.xlsx"
    path.write_bytes(b"PK")
    with pytest.raises(CostExportError, match=r"costs\.xlsx: unsupported file type"):
        read_cost_export(path, format="focus")


def test_truncated_gzip(tmp_path):
    whole = write_csv(tmp_path / "whole.csv.gz", focus_frame(rows=2000))
    path = tmp_path / "cut.csv.gz"
    path.write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    with pytest.raises(CostExportError, match=r"cut\.csv\.gz: truncated or corrupt gzip"):
        consume(path, chunk_rows=100)


def test_not_utf8(tmp_path):
    path = tmp_path / "latin1.csv"
    text = focus_frame(ServiceName="Caf\u00e9 Compute").to_csv(index=False)
    path.write_bytes(text.encode("latin-1"))
    with pytest.raises(CostExportError, match=r"latin1\.csv, row 2: not UTF-8 text"):
        consume(path)


def test_html_error_page_saved_as_jsonl(tmp_path):
    path = tmp_path / "billing.jsonl"
    path.write_text("<!DOCTYPE html>\n<html><body>403 Forbidden</body></html>\n")
    with pytest.raises(CostExportError, match=r"billing\.jsonl, row 1: this is an HTML page"):
        read_cost_export(path, format="gcp")


def test_json_api_error_instead_of_export(tmp_path):
    path = write_jsonl(tmp_path / "billing.jsonl", [{"error": {"code": 403, "message": "no"}}])
    with pytest.raises(CostExportError, match=r"billing\.jsonl, column usage_start_time: missing"):
        read_cost_export(path, format="gcp")


def test_json_array_instead_of_json_lines(tmp_path):
    path = tmp_path / "billing.json"
    path.write_text(json.dumps(gcp_records(), indent=1))
    with pytest.raises(CostExportError, match=r"billing\.json, row 1: expected JSON Lines"):
        read_cost_export(path, format="gcp")


def test_invalid_json_line_names_the_line(tmp_path):
    path = write_jsonl(tmp_path / "billing.jsonl", gcp_records())
    with path.open("a") as handle:
        handle.write('\n{"cost": 1.0, "currency": \n')
    with pytest.raises(CostExportError, match=r"billing\.jsonl, row 5: invalid JSON"):
        consume(path, "gcp")


def test_bad_credits_name_row_and_column(tmp_path):
    records = gcp_records()
    records[1]["credits"] = [{"name": "promo"}]  # no amount
    with pytest.raises(CostExportError, match=r"row 2, column credits: credits are not a list"):
        consume(write_jsonl(tmp_path / "billing.jsonl", records), "gcp")


def test_bad_timestamp_names_row_and_column(tmp_path):
    frame = focus_frame(ChargePeriodEnd=["2024-09-01T01:00:00Z", "yesterday", ""])
    with pytest.raises(CostExportError) as raised:
        consume(write_csv(tmp_path / "focus.csv", frame))
    assert str(raised.value).endswith("row 3, column ChargePeriodEnd: not a timestamp: 'yesterday'")


def test_missing_timestamp(tmp_path):
    frame = focus_frame(ChargePeriodStart=["2024-09-01T01:00:00Z", "NULL", ""])
    with pytest.raises(CostExportError, match="row 3, column ChargePeriodStart: missing timestamp"):
        consume(write_csv(tmp_path / "focus.csv", frame))


def test_bad_tags_name_row_and_column(tmp_path):
    frame = focus_frame(Tags=['{"a": "b"}', '{"a": ', "NULL"])
    with pytest.raises(CostExportError, match="row 3, column Tags: tags are not a key/value"):
        consume(write_csv(tmp_path / "focus.csv", frame))


def test_charge_category_outside_focus(tmp_path):
    frame = focus_frame(ChargeCategory=["Usage", "Usage", "Discount"])
    with pytest.raises(CostExportError, match="row 4, column ChargeCategory: .*'Discount'"):
        consume(write_csv(tmp_path / "focus.csv", frame))


def test_gzip_that_is_not_gzip(tmp_path):
    path = tmp_path / "plain.csv.gz"
    shutil.copy(CUR_SAMPLE, path)
    with pytest.raises(CostExportError, match=r"plain\.csv\.gz: truncated or corrupt gzip"):
        read_cost_export(path, format="aws-cur")


def test_gzip_helper_roundtrip_sanity(tmp_path):
    # The truncated-gzip test relies on builders writing real gzip.
    path = write_csv(tmp_path / "ok.csv.gz", focus_frame())
    assert gzip.decompress(path.read_bytes()).startswith(b"ChargePeriodStart")
