"""Hostile cost exports (docs/operations.md#malformed-input-what-keel-says): every format (FOCUS,
AWS CUR legacy and 2.0, GCP CSV and JSON Lines, Azure EA and MCA) in every container (CSV, CSV.gz,
Parquet, JSON Lines). Each malformed file fails its import with an error naming the file and, where
it applies, the row and column; `manage.py import_costs` exits non-zero; no line of it is stored and
the good import made before is untouched. On PostgreSQL the FOCUS CSV cases run twice: through the
COPY fast path and through the reference reader, with the same message."""

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from io import StringIO
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.db.models import Sum

from apps.costs.models import CostImport, CostLine
from apps.ingestion import cost_copy as copy_import
from apps.ingestion import cost_files as services
from apps.ingestion.cost_files import cost_file_import
from tests.integrations.cost_exports.builders import (
    azure_mca_frame,
    cur2_frame,
    focus_frame,
    gcp_csv_frame,
    gcp_records,
    write_csv,
    write_jsonl,
)

pytestmark = pytest.mark.django_db

HUGE = 5_000_000  # characters (a 5 MB field), built in memory
Build = Callable[[Path], Path]


@dataclass(frozen=True)
class Case:
    """`build(tmp_path)` writes the file; `error` is what follows the file's path in the
    import's error (exact, or its start when `prefix`)."""

    format: str
    build: Build
    error: str
    prefix: bool = False


# --- builders ---------------------------------------------------------------------------------


def csv_bytes(name: str, frame: pd.DataFrame, encoding: str = "utf-8") -> Build:
    def build(tmp: Path) -> Path:
        data = frame.to_csv(index=False).encode(encoding)
        path = tmp / name
        path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)
        return path

    return build


def raw(name: str, data: bytes) -> Build:
    def build(tmp: Path) -> Path:
        (tmp / name).write_bytes(data)
        return tmp / name

    return build


def jsonl(name: str, records: list[dict], tail: str = "") -> Build:
    def build(tmp: Path) -> Path:
        path = write_jsonl(tmp / name, records)
        with path.open("a", encoding="utf-8") as handle:
            handle.write(tail)
        return path

    return build


def parquet(name: str, table: pa.Table) -> Build:
    def build(tmp: Path) -> Path:
        pq.write_table(table, tmp / name)
        return tmp / name

    return build


def truncated_gzip(tmp: Path) -> Path:
    data = gzip.compress(focus_frame(rows=2000).to_csv(index=False).encode())
    path = tmp / "cut.csv.gz"
    path.write_bytes(data[: len(data) // 2])
    return path


def focus(**overrides) -> pd.DataFrame:
    return focus_frame(rows=4, **overrides)


def focus_table(**columns: pa.Array) -> pa.Table:
    table = pa.Table.from_pandas(focus_frame(rows=3), preserve_index=False)
    for name, values in columns.items():
        index = table.schema.get_field_index(name)
        table = (
            table.set_column(index, name, values)
            if values is not None
            else (table.remove_column(index))
        )
    return table


def cur_legacy(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "lineItem/UsageStartDate": "2023-11-01T00:00:00Z",
            "lineItem/UsageEndDate": "2023-11-01T01:00:00Z",
            "lineItem/UnblendedCost": ["0.5", "1.25", "2"],
            "lineItem/LineItemType": "Usage",
            "lineItem/CurrencyCode": "USD",
            "lineItem/ProductCode": "AmazonEC2",
            "lineItem/UsageAccountId": "111122223333",
            "resourceTags/user:team": "payments",
        }
    )
    for column, value in overrides.items():
        frame[column] = value
    return frame


def azure_ea(**overrides) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "Date": ["09/02/2023", "09/02/2023", "09/03/2023"],
            "CostInBillingCurrency": ["1.5", "0.25", "3"],
            "BillingCurrencyCode": "USD",
            "MeterCategory": "Virtual Machines",
            "ConsumedService": "Microsoft.Compute",
            "SubscriptionId": "0f6b1c2d-0000-4000-8000-000000000001",
            "ResourceId": "/subscriptions/x/vm1",
            "Tags": '"team": "core"',
            "ChargeType": "Usage",
        }
    )
    for column, value in overrides.items():
        frame[column] = value
    return frame


def gcp(index: int, **overrides) -> list[dict]:
    records = gcp_records()
    records[index] = {**records[index], **overrides}
    for record in records:
        record["currency"] = "USD"
    return records


def latin1(text: str) -> bytes:
    return text.encode("latin-1")


FOCUS_TEXT = focus().to_csv(index=False)
GCP_CSV = gcp_csv_frame().assign(currency="USD")
MCA = azure_mca_frame().assign(billingCurrency="USD")

# --- the cases --------------------------------------------------------------------------------

CASES: dict[str, Case] = {
    # FOCUS, CSV
    "focus-csv-latin1-byte": Case(
        "focus",
        raw("a.csv", latin1(FOCUS_TEXT.replace("i-0002", "caf\u00e9"))),
        ", row 4: not UTF-8 text (invalid continuation byte at byte ",
        prefix=True,
    ),
    "focus-csv-utf16": Case(
        "focus",
        raw("a.csv", FOCUS_TEXT.encode("utf-16")),
        ", row 1: not UTF-8 text (invalid start byte at byte 0); export as UTF-8",
    ),
    "focus-csv-missing-column": Case(
        "focus",
        csv_bytes("a.csv", focus().drop(columns=["BilledCost"])),
        ", column BilledCost: missing required column BilledCost",
    ),
    "focus-csv-non-numeric-cost": Case(
        "focus",
        csv_bytes("a.csv", focus(BilledCost=["1", "twelve", "3", "4"])),
        ", row 3, column BilledCost: not a number: 'twelve'",
    ),
    "focus-csv-bad-date": Case(
        "focus",
        csv_bytes(
            "a.csv",
            focus(
                ChargePeriodStart=[
                    "2024-09-01T00:00:00Z",
                    "2024-09-01T01:00:00Z",
                    "2024-13-45T00:00:00Z",
                    "",
                ]
            ),
        ),
        ", row 4, column ChargePeriodStart: not a timestamp: '2024-13-45T00:00:00Z'",
    ),
    "focus-csv-huge-field": Case(
        "focus",
        csv_bytes("a.csv", focus(ServiceName=["EC2", "EC2", "x" * HUGE, "EC2"])),
        ", row 4, column ServiceName: ServiceName is 5,000,000 characters long; "
        "Keel stores at most 200",
    ),
    "focus-csv-wrong-currency-code": Case(
        "focus",
        csv_bytes("a.csv", focus(BillingCurrency="US$")),
        ", row 2, column BillingCurrency: not an ISO 4217 currency code: 'US$'",
    ),
    "focus-csv-nul-byte": Case(
        "focus",
        csv_bytes("a.csv", focus(ResourceId=["i-1", "i-2\x00", "i-3", "i-4"])),
        ", row 3, column ResourceId: ResourceId contains a NUL byte",
    ),
    "focus-csv-unknown-charge-category": Case(
        "focus",
        csv_bytes("a.csv", focus(ChargeCategory=["Usage", "Usage", "Usage", "Discount"])),
        ", row 5, column ChargeCategory: ChargeCategory 'Discount' is not one of FOCUS's "
        "(Adjustment, Credit, Purchase, Tax, Usage)",
    ),
    "focus-csv-tags-not-json": Case(
        "focus",
        csv_bytes(
            "a.csv", focus(Tags=['{"team": "a"}', "{team: a", '{"team": "a"}', '{"team": "a"}'])
        ),
        ", row 3, column Tags: tags are not a key/value object: '{team: a'",
    ),
    "focus-csv-unterminated-quote": Case(
        "focus",
        raw("a.csv", (FOCUS_TEXT + '"2024-09-01,x\n').encode()),
        ": malformed CSV: Error tokenizing data. C error: EOF inside string",
        prefix=True,
    ),
    "focus-csv-empty-file": Case("focus", raw("a.csv", b""), ": file is empty"),
    "focus-csv-header-only": Case(
        "focus",
        raw("a.csv", FOCUS_TEXT.split("\n")[0].encode() + b"\n"),
        ": no cost rows (the file has only a header)",
    ),
    # FOCUS, CSV.gz
    "focus-csvgz-truncated": Case(
        "focus", truncated_gzip, ": truncated or corrupt gzip file (", prefix=True
    ),
    "focus-csvgz-not-gzip": Case(
        "focus",
        raw("a.csv.gz", FOCUS_TEXT.encode()),
        ": truncated or corrupt gzip file (Not a gzipped file (b'Ch'))",
    ),
    "focus-csvgz-latin1-byte": Case(
        "focus",
        raw("a.csv.gz", gzip.compress(latin1(FOCUS_TEXT.replace("i-0003", "caf\u00e9")))),
        ", row 5: not UTF-8 text (invalid continuation byte at byte ",
        prefix=True,
    ),
    # FOCUS, Parquet
    "focus-parquet-not-parquet": Case(
        "focus",
        raw("a.parquet", FOCUS_TEXT.encode()),
        ": unreadable file: Parquet magic bytes not found in footer",
        prefix=True,
    ),
    "focus-parquet-text-cost": Case(
        "focus",
        parquet("a.parquet", focus_table(BilledCost=pa.array(["1", "n/a", "3"]))),
        ", row 2, column BilledCost: not a number: 'n/a'",
    ),
    "focus-parquet-missing-column": Case(
        "focus",
        parquet("a.parquet", focus_table(ChargePeriodEnd=None)),
        ", column ChargePeriodEnd: missing required column ChargePeriodEnd",
    ),
    # AWS CUR legacy
    "aws-cur-non-numeric-cost": Case(
        "aws-cur",
        csv_bytes("cur.csv", cur_legacy(**{"lineItem/UnblendedCost": ["0.5", "$1.25", "2"]})),
        ", row 3, column lineItem/UnblendedCost: not a number: '$1.25'",
    ),
    "aws-cur-missing-column": Case(
        "aws-cur",
        csv_bytes("cur.csv", cur_legacy().drop(columns=["lineItem/UsageStartDate"])),
        ", column lineItem/UsageStartDate: missing required column lineItem/UsageStartDate",
    ),
    "aws-cur-gz-latin1-byte": Case(
        "aws-cur",
        raw(
            "cur.csv.gz",
            gzip.compress(
                latin1(cur_legacy(**{"lineItem/ProductCode": "Caf\u00e9"}).to_csv(index=False))
            ),
        ),
        ", row 2: not UTF-8 text (invalid continuation byte at byte ",
        prefix=True,
    ),
    # AWS CUR 2.0
    "aws-cur2-bad-date": Case(
        "aws-cur2",
        csv_bytes(
            "cur2.csv",
            cur2_frame().assign(line_item_usage_end_date=["2025-01-01T01:00:00Z"] * 9 + ["soon"]),
        ),
        ", row 11, column line_item_usage_end_date: not a timestamp: 'soon'",
    ),
    "aws-cur2-tags-not-json": Case(
        "aws-cur2",
        csv_bytes(
            "cur2.csv", cur2_frame().assign(resource_tags=['{"user_team": "a"}'] * 9 + ["[1, 2"])
        ),
        ", row 11, column resource_tags: tags are not a key/value object: '[1, 2'",
    ),
    "aws-cur2-parquet-wrong-type": Case(
        "aws-cur2",
        parquet(
            "cur2.parquet",
            pa.Table.from_pandas(
                cur2_frame().assign(line_item_unblended_cost=[True] * 10), preserve_index=False
            ),
        ),
        ", row 1, column line_item_unblended_cost: not a number: 'True'",
    ),
    # GCP, JSON Lines
    "gcp-jsonl-html-error-page": Case(
        "gcp",
        raw(
            "billing.jsonl", b"<!DOCTYPE html><html><body><h1>502 Bad Gateway</h1></body></html>\n"
        ),
        ", row 1: this is an HTML page, not JSON Lines (an error page saved as the export?)",
    ),
    "gcp-jsonl-truncated-line": Case(
        "gcp",
        jsonl(
            "billing.jsonl",
            gcp(0),
            tail='{"usage_start_time": "2024-05-01 00:00:00 UTC", "cost": 1.',
        ),
        ", row 4: invalid JSON: Expecting ',' delimiter",
    ),
    "gcp-jsonl-cost-is-text": Case(
        "gcp",
        jsonl("billing.jsonl", gcp(1, cost="2,00")),
        ", row 2, column cost: not a number: '2,00'",
    ),
    "gcp-jsonl-credits-wrong-shape": Case(
        "gcp",
        jsonl("billing.jsonl", gcp(2, credits={"amount": -1})),
        ", row 3, column credits: credits must be a list, got an object",
    ),
    "gcp-jsonl-credit-amount-not-number": Case(
        "gcp",
        jsonl("billing.jsonl", gcp(0, credits=[{"name": "CUD", "amount": "lots"}])),
        ", row 1, column credits: credits are not a list of {name, amount}: "
        "\"[{'name': 'CUD', 'amount': 'lots'}]\"",
    ),
    "gcp-jsonl-array-not-lines": Case(
        "gcp",
        raw("billing.json", json.dumps(gcp(0)).encode()),
        ", row 1: expected JSON Lines (one object per line), not a JSON array",
    ),
    # GCP, CSV
    "gcp-csv-labels-not-json": Case(
        "gcp",
        csv_bytes("billing.csv", GCP_CSV.assign(labels=["[]", "team=checkout", "[]"])),
        ", row 3, column labels: tags are not a key/value object: 'team=checkout'",
    ),
    "gcp-csv-missing-currency": Case(
        "gcp",
        csv_bytes("billing.csv", GCP_CSV.assign(currency=["USD", "", "USD"])),
        ", row 3, column currency: missing currency",
    ),
    # Azure EA
    "azure-ea-bad-date": Case(
        "azure",
        csv_bytes("ea.csv", azure_ea(Date=["09/02/2023", "31/09/2023", "09/03/2023"])),
        ", row 3, column Date: not a timestamp: '31/09/2023'",
    ),
    "azure-ea-missing-meter-category": Case(
        "azure",
        csv_bytes("ea.csv", azure_ea().drop(columns=["MeterCategory"])),
        ", column MeterCategory or meterCategory: missing "
        "required column MeterCategory or meterCategory",
    ),
    "azure-ea-latin1-byte": Case(
        "azure",
        raw(
            "ea.csv",
            latin1(azure_ea(ResourceId=["/vm1", "/vm2", "/caf\u00e9"]).to_csv(index=False)),
        ),
        ", row 4: not UTF-8 text (invalid continuation byte at byte ",
        prefix=True,
    ),
    # Azure MCA
    "azure-mca-non-numeric-cost": Case(
        "azure",
        csv_bytes("mca.csv", MCA.assign(costInBillingCurrency=["1.5", "1E+2", "-", "0.25"])),
        ", row 4, column costInBillingCurrency: not a number: '-'",
    ),
    "azure-mca-huge-field": Case(
        "azure",
        csv_bytes("mca.csv", MCA.assign(subscriptionId=["s1", "s1", "s" * HUGE, "s1"])),
        ", row 4, column SubAccountId: SubAccountId is 5,000,000 characters long; "
        "Keel stores at most 200",
    ),
}

FAST_CASES = [
    name for name, case in CASES.items() if name.startswith(("focus-csv-", "focus-csvgz-"))
]


@pytest.fixture
def good_import(org_costs, tmp_path):
    """A successful import made before the bad one, and a snapshot of what is stored."""
    good = write_csv(
        tmp_path / "good.csv",
        focus_frame(
            rows=5, ChargePeriodStart="2024-08-01T00:00:00Z", ChargePeriodEnd="2024-08-01T01:00:00Z"
        ),
    )
    record = cost_file_import(path=good, format="focus")
    assert (record.status, record.rows) == ("succeeded", 5)

    def stored() -> tuple:
        lines = CostLine.objects.aggregate(total=Sum("billed_cost"))
        imports = list(
            CostImport.objects.filter(status="succeeded").values_list("pk", "rows", "months")
        )
        return CostLine.objects.count(), lines["total"], imports

    return stored


@pytest.fixture
def fast_path(monkeypatch) -> Callable[[bool], list[str]]:
    """fast_path(True/False) forces or forbids the COPY fast path; returns the paths taken."""
    taken: list[str] = []

    def choose(enabled: bool) -> list[str]:
        applies = copy_import.fast_path_applies if enabled else (lambda **kwargs: False)

        def spy(**kwargs) -> bool:
            result = applies(**kwargs)
            taken.append("fast" if result else "reader")
            return result

        monkeypatch.setattr(services, "fast_path_applies", spy)
        return taken

    return choose


def import_cli(path: Path, format: str) -> tuple[str, CommandError]:
    """`manage.py import_costs PATH --format F`: (stdout, the CommandError it exits with)."""
    out = StringIO()
    with pytest.raises(CommandError) as info:
        call_command("import_costs", str(path), "--format", format, stdout=out)
    return out.getvalue(), info.value


def check_refused(case: Case, tmp_path: Path, stored: Callable[[], tuple]) -> None:
    before = stored()
    path = case.build(tmp_path)
    out, error = import_cli(path, case.format)
    record = CostImport.objects.get(path=str(path))
    assert record.status == CostImport.Status.FAILED
    if case.prefix:
        assert record.error.startswith(f"{path}{case.error}")
    else:
        assert record.error == f"{path}{case.error}"
    assert len(record.error) < 600  # a huge value is never echoed whole
    assert (record.rows, record.totals, record.months) == (0, {}, [])
    assert f"  error: {record.error}\n" in out
    assert (str(error), error.returncode) == ("1 of 1 file(s) failed", 1)
    assert stored() == before
    assert not CostLine.objects.filter(cost_import=record).exists()


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_bad_cost_file_is_refused_by_the_reader(case, good_import, tmp_path, fast_path):
    taken = fast_path(False)
    check_refused(case, tmp_path, good_import)
    assert set(taken) <= {"reader"}


@pytest.mark.skipif(connection.vendor != "postgresql", reason="COPY fast path: PostgreSQL")
@pytest.mark.parametrize("name", FAST_CASES)
def test_bad_focus_csv_is_refused_on_the_copy_fast_path(name, good_import, tmp_path, fast_path):
    taken = fast_path(True)
    check_refused(CASES[name], tmp_path, good_import)
    assert taken == ["fast"]  # the fast path was tried, and judged the file like the reader
