"""The PostgreSQL fast path of cost_file_import (FOCUS CSV → one COPY): same lines, same errors
naming file/row/column, all or nothing, and the reference reader when it declines."""

import gzip

import pandas as pd
import pytest
from django.db import connection

from apps.costs.models import CostLine
from apps.ingestion import cost_copy as copy_import
from apps.ingestion import cost_files as services
from apps.ingestion.cost_files import cost_file_import
from integrations.cost_exports import read_cost_export
from tests.integrations.cost_exports.builders import focus_frame, write_csv

from .conftest import REAL

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY fast path: PostgreSQL"),
]


@pytest.fixture
def paths(monkeypatch) -> list[str]:
    """Which path each import took: "fast" (the COPY path finished) or "read" (the reader)."""
    taken: list[str] = []
    fast, read = copy_import.lines_copy_focus, services._lines_read

    def spy_fast(**kwargs):
        summary = fast(**kwargs)
        taken.append("fast")
        return summary

    def spy_read(*args):
        taken.append("read")
        return read(*args)

    monkeypatch.setattr(services, "lines_copy_focus", spy_fast)
    monkeypatch.setattr(services, "_lines_read", spy_read)
    return taken


def test_real_focus_sample_lines_equal_the_readers(org_costs, teams, paths):
    org_costs(team_tag_keys=["team"], accounts={"224168795495": "platform"})
    record = cost_file_import(path=REAL / "focus-1.0-sample.csv", format="focus")
    assert (paths, record.status, record.rows, record.months) == (
        ["fast"],
        "succeeded",
        1000,
        ["2024-09"],
    )
    # tests/fixtures/README.md: Σ EffectiveCost 14.97651418586, Σ BilledCost 20.52022672899 USD
    assert record.totals["USD"]["effective"] == pytest.approx(14.97651418586, abs=1e-9)
    assert record.totals["USD"]["billed"] == pytest.approx(20.52022672899, abs=1e-9)
    reference = pd.concat(list(read_cost_export(REAL / "focus-1.0-sample.csv", format="focus")))
    lines = {line.source_row: line for line in CostLine.objects.all()}
    for row in reference.itertuples():
        line = lines[row.SourceRow]
        assert (line.charge_period_start, line.charge_period_end) == (
            row.ChargePeriodStart.to_pydatetime(),
            row.ChargePeriodEnd.to_pydatetime(),
        )
        assert (line.billed_cost, line.effective_cost, line.cost) == (
            row.BilledCost,
            row.EffectiveCost,
            row.EffectiveCost,
        )
        assert (line.service_category, line.charge_category, line.resource_id, line.tag_map) == (
            row.ServiceCategory,
            row.ChargeCategory,
            row.ResourceId,
            row.Tags,
        )
    assert record.period_start == reference["ChargePeriodStart"].min().to_pydatetime()


def test_allocation_and_currency_rule_on_the_fast_path(org_costs, teams, tmp_path, paths):
    org_costs(
        team_tag_keys=["team", "user:team"], accounts={"222": "payments"}, fx_rates={"EUR": 1.08}
    )
    tags = [
        '{"team": "Platform"}',
        '{"user:team": "payments", "team": ""}',
        "{}",
        '{"team": "ghosts"}',
        "NULL",
    ]
    frame = focus_frame(
        rows=5, Tags=tags, SubAccountId=["1", "1", "222", "222", "9"], BillingCurrency="EUR"
    )
    record = cost_file_import(path=write_csv(tmp_path / "a.csv.gz", frame), format="focus")
    assert (paths, record.currency, record.fx_rate) == (["fast"], "EUR", 1.08)
    got = dict(CostLine.objects.values_list("source_row", "team__slug"))
    # tag (case-insensitive), then the second key, then account 222, else unallocated
    assert got == {2: "platform", 3: "payments", 4: "payments", 5: "payments", 6: None}
    # EffectiveCost (i+1)/2 for i = 0..4 → 7.5 EUR; × 1.08 = 8.1 USD
    assert record.totals["EUR"]["effective"] == 7.5
    assert record.totals["cost"] == pytest.approx(8.1, abs=1e-12)
    assert CostLine.objects.get(source_row=6).tags == "{}"


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        (
            {"BilledCost": ["1", "2", "3", "4", "5", "6", "x", "8"]},
            "row 8, column BilledCost: not a number: 'x'",
        ),
        # values PostgreSQL itself would store: NaN, the timestamp 'yesterday'
        (
            {"EffectiveCost": ["1", "2", "3", "4", "5", "6", "7", "NaN"]},
            "row 9, column EffectiveCost: not a number: 'NaN'",
        ),
        (
            {"ChargePeriodStart": ["2024-09-01T00:00:00Z"] * 6 + ["yesterday", "2024-09-01"]},
            "row 8, column ChargePeriodStart: not a timestamp: 'yesterday'",
        ),
        (
            {"BillingCurrency": ["USD"] * 6 + ["EUR", "USD"]},
            "row 8, column BillingCurrency: two currencies in one file: USD and EUR",
        ),
    ],
)
def test_bad_value_in_a_later_block_rolls_back_and_names_row_and_column(
    org_costs, tmp_path, monkeypatch, paths, overrides, expected
):
    monkeypatch.setattr(copy_import, "BLOCK_BYTES", 400)  # ≈ 1 line per block: lines 2-7 are
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=8, **overrides))  # COPYed first
    record = cost_file_import(path=path, format="focus")
    assert record.error.startswith(f"{path}, {expected}")
    assert (record.status, paths, CostLine.objects.count()) == ("failed", [], 0)


def test_unknown_currency_names_the_first_line(org_costs, tmp_path, paths):
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=2, BillingCurrency="CAD"))
    record = cost_file_import(path=path, format="focus")
    assert record.error == (
        f"{path}, row 2, column BillingCurrency: currency CAD differs from "
        "the billing currency USD and costs.fx_rates has no rate for CAD"
    )
    assert paths == []  # the fast path raised: no lines, no fallback


def test_what_the_fast_reader_declines_the_reference_imports(org_costs, tmp_path, paths):
    text = focus_frame(rows=3).to_csv(index=False)
    path = tmp_path / "twice.csv"  # two ServiceName columns: pandas keeps the first
    path.write_text(text.replace("ResourceId,", "ServiceName,", 1))
    record = cost_file_import(path=path, format="focus")
    assert (paths, record.status, record.rows, CostLine.objects.count()) == (
        ["read"],
        "succeeded",
        3,
        3,
    )


def test_truncated_gzip_is_judged_by_the_reference(org_costs, tmp_path, paths):
    data = gzip.compress(focus_frame(rows=2000).to_csv(index=False).encode())
    path = tmp_path / "a.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    record = cost_file_import(path=path, format="focus")
    assert paths == ["read"] and record.status == "failed"
    assert record.error.startswith(f"{path}: truncated or corrupt gzip file")
    assert CostLine.objects.count() == 0
