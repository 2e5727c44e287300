"""cost_file_import: real samples' totals, each bad input, idempotence, restatement, currency
(docs/metrics.md#cost-metrics)."""

import gzip
import math
import shutil

import pandas as pd
import pytest
from django.db import DataError
from django.db.models import Count, Sum

from apps.costs.models import CostGroup, CostImport, CostLine
from apps.ingestion import cost_files as services
from apps.ingestion.cost_files import cost_file_import
from apps.organization.models import CostExport
from tests.integrations.cost_exports.builders import focus_frame, write_csv

from .conftest import REAL

pytestmark = pytest.mark.django_db


def by_category() -> dict[str, tuple[int, float, float]]:
    rows = CostLine.objects.values("service_category").annotate(
        e=Sum("effective_cost"), b=Sum("billed_cost")
    )
    counts = {
        r["service_category"]: CostLine.objects.filter(
            service_category=r["service_category"]
        ).count()
        for r in rows
    }
    return {r["service_category"]: (counts[r["service_category"]], r["e"], r["b"]) for r in rows}


def test_focus_sample_totals_match_the_readme(org_costs):
    record = cost_file_import(path=REAL / "focus-1.0-sample.csv", format="focus")
    assert (record.status, record.rows, record.currency) == ("succeeded", 1000, "USD")
    # tests/fixtures/README.md "Costs": rows, Σ EffectiveCost, Σ BilledCost per ServiceCategory
    expected = {
        "Compute": (443, 14.75656109020, 17.56473934470),
        "Storage": (209, 0.00088291550, 0.79179840783),
        "Networking": (168, 0, 0.49177673460),
        "Management and Governance": (79, 0, 0.22020958380),
        "Other": (47, 0, 0.46277298090),
        "Databases": (21, 0.37096774194, 1.12763032714),
        "Integration": (18, 0, 0.00008580060),
        "AI and Machine Learning": (9, -0.15189756178, -0.15189756178),
        "Identity": (4, 0, 0.00416666670),
        "Security": (2, 0, 0.00894444450),
    }
    got = by_category()
    assert set(got) == set(expected)
    for category, (rows, effective, billed) in expected.items():
        assert got[category][0] == rows
        assert got[category][1] == pytest.approx(effective, abs=1e-9)
        assert got[category][2] == pytest.approx(billed, abs=1e-9)
    assert record.totals["USD"]["effective"] == pytest.approx(14.97651418586, abs=1e-9)
    assert record.totals["USD"]["billed"] == pytest.approx(20.52022672899, abs=1e-9)
    assert record.months == ["2024-09"]
    assert CostLine.objects.filter(charge_category="Credit").count() == 1


def test_legacy_cur_sample_totals(org_costs):
    record = cost_file_import(path=REAL / "aws-cur-legacy-sample.csv", format="aws-cur")
    assert (record.status, record.rows) == ("succeeded", 1281)
    # tests/fixtures/README.md: Σ lineItem/UnblendedCost 1.68230869740 USD; Tax 12 rows, 0.08
    assert record.totals["USD"]["billed"] == pytest.approx(1.68230869740, abs=1e-9)
    tax = CostLine.objects.filter(charge_category="Tax").aggregate(s=Sum("billed_cost"))["s"]
    assert CostLine.objects.filter(charge_category="Tax").count() == 12
    assert tax == pytest.approx(0.08, abs=1e-9)
    assert record.months == ["2023-11"]


def test_azure_sample_is_rejected_without_a_rate_and_converted_with_one(org_costs):
    path = REAL / "azure-ea-sample.csv"
    failed = cost_file_import(path=path, format="azure")
    assert failed.status == "failed" and CostLine.objects.count() == 0
    assert failed.error == (
        f"{path}, row 2, column BillingCurrency: currency CAD differs from "
        "the billing currency USD and costs.fx_rates has no rate for CAD"
    )
    org_costs(fx_rates={"CAD": 0.75})
    record = cost_file_import(path=path, format="azure")
    # tests/fixtures/README.md: 27 rows, Σ CostInBillingCurrency 1.26136926505726 CAD
    # (× 0.75 USD/CAD)
    assert (record.status, record.rows, record.fx_rate) == ("succeeded", 27, 0.75)
    assert record.totals["CAD"]["billed"] == pytest.approx(1.26136926505726, abs=1e-12)
    cost = CostLine.objects.aggregate(s=Sum("cost"))["s"]
    assert cost == pytest.approx(1.26136926505726 * 0.75, abs=1e-12)
    assert CostLine.objects.first().currency == "CAD"


def bad_missing_column(tmp):
    return write_csv(tmp / "a.csv", focus_frame().drop(columns=["BilledCost"])), "focus"


def bad_non_numeric(tmp):
    return write_csv(tmp / "a.csv", focus_frame(BilledCost=["1", "2", "12,50"])), "focus"


def bad_two_currencies(tmp):
    return write_csv(tmp / "a.csv", focus_frame(BillingCurrency=["USD", "USD", "EUR"])), "focus"


def bad_unknown_format(tmp):
    return write_csv(tmp / "a.csv", focus_frame()), "oracle"


def bad_empty(tmp):
    path = tmp / "a.csv"
    path.write_bytes(b"")
    return path, "focus"


def bad_truncated_gzip(tmp):
    data = gzip.compress(focus_frame(rows=2000).to_csv(index=False).encode())
    path = tmp / "a.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    return path, "focus"


def bad_wrong_flag(tmp):
    path = tmp / "a.csv"
    shutil.copy(REAL / "aws-cur-legacy-sample.csv", path)
    return path, "focus"


@pytest.mark.parametrize(
    ("build", "expected"),
    [
        (bad_missing_column, "a.csv, column BilledCost: missing required column BilledCost"),
        (bad_non_numeric, "a.csv, row 4, column BilledCost: not a number: '12,50'"),
        (bad_two_currencies, "a.csv, row 4, column BillingCurrency: two currencies in one file"),
        (bad_unknown_format, "a.csv: unknown format 'oracle'"),
        (bad_empty, "a.csv: "),
        (bad_truncated_gzip, "a.csv.gz"),
        (bad_wrong_flag, "this looks like 'aws-cur'"),
    ],
)
def test_bad_input_stores_nothing_and_records_the_error(org_costs, tmp_path, build, expected):
    path, format = build(tmp_path)
    record = cost_file_import(path=path, format=format)
    assert record.status == CostImport.Status.FAILED
    assert expected in record.error and str(path) in record.error
    assert (record.rows, record.totals, record.finished_at is not None) == (0, {}, True)
    assert CostLine.objects.count() == 0
    assert CostImport.objects.get().error == record.error


def test_error_in_a_later_batch_rolls_back_earlier_batches(org_costs, tmp_path, monkeypatch):
    monkeypatch.setattr(services, "CHUNK_ROWS", 2)
    costs = ["1", "2", "3", "4", "x"]
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=5, BilledCost=costs))
    record = cost_file_import(path=path, format="focus")
    assert record.error == f"{path}, row 6, column BilledCost: not a number: 'x'"
    assert CostLine.objects.count() == 0


def test_a_value_the_database_refuses_fails_the_import_cleanly(org_costs, tmp_path, monkeypatch):
    # The database refuses the last write (PostgreSQL does so for a NUL byte in a text):
    # the import is failed with the database's reason, and no line of the file stays.
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=3))
    real = services._replace_restated

    def refuse(record):
        real(record)
        raise DataError('invalid byte sequence for encoding "UTF8": 0x00')

    monkeypatch.setattr(services, "_replace_restated", refuse)
    record = cost_file_import(path=path, format="focus")
    assert record.status == CostImport.Status.FAILED
    assert record.error == (
        f'{path}: the database refused a value: invalid byte sequence for encoding "UTF8": 0x00'
    )
    assert CostLine.objects.count() == 0


def test_same_file_again_changes_nothing(org_costs, tmp_path):
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=4))
    first = cost_file_import(path=path, format="focus")
    again = cost_file_import(path=path, format="focus")
    assert again.pk == first.pk
    assert (CostImport.objects.count(), CostLine.objects.count()) == (1, 4)


def test_restated_period_replaces_the_earlier_import(org_costs, tmp_path):
    export = CostExport.objects.create(name="aws", format="focus", path=str(tmp_path))
    old = cost_file_import(
        path=write_csv(tmp_path / "sep-v1.csv", focus_frame(rows=3)), format="focus", export=export
    )
    new = cost_file_import(
        path=write_csv(tmp_path / "sep-v2.csv", focus_frame(rows=2)), format="focus", export=export
    )
    old.refresh_from_db()
    assert (old.status, old.replaced_by_id, new.status) == ("replaced", new.pk, "succeeded")
    # v2 rows: EffectiveCost (i+1)/2 for i = 0, 1 → 0.5 + 1.0
    assert set(CostLine.objects.values_list("cost_import_id", flat=True)) == {new.pk}
    assert CostLine.objects.aggregate(s=Sum("cost"))["s"] == 1.5
    october = focus_frame(
        rows=1, ChargePeriodStart="2024-10-01T00:00:00Z", ChargePeriodEnd="2024-10-01T01:00:00Z"
    )
    other = cost_file_import(
        path=write_csv(tmp_path / "oct.csv", october), format="focus", export=export
    )
    new.refresh_from_db()
    assert (new.status, other.status, other.months) == ("succeeded", "succeeded", ["2024-10"])
    # The rollup the metrics read follows the lines: the replaced import's groups are gone.
    assert groups_by_import() == lines_by_import() == {new.pk: (1.5, 2), other.pk: (0.5, 1)}


def groups_by_import() -> dict[int, tuple[float, int]]:
    rows = CostGroup.objects.values("cost_import_id").annotate(c=Sum("cost"), n=Sum("lines"))
    return {r["cost_import_id"]: (r["c"], r["n"]) for r in rows}


def lines_by_import() -> dict[int, tuple[float, int]]:
    rows = CostLine.objects.values("cost_import_id").annotate(c=Sum("cost"), n=Count("id"))
    return {r["cost_import_id"]: (r["c"], r["n"]) for r in rows}


def test_groups_sum_the_lines_by_period_team_and_category(org_costs):
    record = cost_file_import(path=REAL / "focus-1.0-sample.csv", format="focus")
    groups = CostGroup.objects.filter(cost_import=record)
    assert groups.aggregate(n=Sum("lines"))["n"] == 1000
    assert 0 < groups.count() < 1000  # lines of one period, team and category share a group
    assert groups.aggregate(c=Sum("cost"))["c"] == pytest.approx(
        CostLine.objects.aggregate(c=Sum("cost"))["c"], rel=1e-12
    )


def test_currency_converted_with_a_rate(org_costs, tmp_path):
    org_costs(currency="USD", fx_rates={"EUR": 1.08})
    path = write_csv(tmp_path / "a.csv", focus_frame(rows=2, BillingCurrency="EUR"))
    record = cost_file_import(path=path, format="focus")
    # EffectiveCost 0.5 + 1.0 = 1.5 EUR × 1.08 = 1.62 USD
    assert record.totals["EUR"]["effective"] == 1.5
    assert math.isclose(record.totals["cost"], 1.62)
    assert sorted(CostLine.objects.values_list("cost", flat=True)) == pytest.approx([0.54, 1.08])


def test_missing_file_is_a_failed_import(org_costs, tmp_path):
    record = cost_file_import(path=tmp_path / "nope.csv", format="focus")
    assert record.status == "failed" and "nope.csv" in record.error


def frame_for_allocation() -> pd.DataFrame:
    tags = [
        '{"team": "Platform"}',
        '{"user:team": "payments", "team": ""}',
        "{}",
        '{"team": "ghosts"}',
        "NULL",
    ]
    return focus_frame(rows=5, Tags=tags, SubAccountId=["1", "1", "222", "222", "9"])


def test_allocation_by_tag_then_account_else_unallocated(org_costs, teams, tmp_path):
    org_costs(team_tag_keys=["team", "user:team"], accounts={"222": "payments"})
    cost_file_import(path=write_csv(tmp_path / "a.csv", frame_for_allocation()), format="focus")
    got = dict(CostLine.objects.values_list("source_row", "team__slug"))
    # row 2: tag team=Platform (case-insensitive); row 3: "team" empty → "user:team" payments;
    # row 4: untagged, account 222 → payments; row 5: tag names no team → account 222;
    # row 6: untagged, unmapped account → unallocated
    assert got == {2: "platform", 3: "payments", 4: "payments", 5: "payments", 6: None}
