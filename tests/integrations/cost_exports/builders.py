"""Small generated exports for the formats without a real sample (and for bad inputs)."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from tests.fixtures import FIXTURES

REAL = FIXTURES / "costs"
FOCUS_SAMPLE = REAL / "focus-1.0-sample.csv"
CUR_SAMPLE = REAL / "aws-cur-legacy-sample.csv"
AZURE_EA_SAMPLE = REAL / "azure-ea-sample.csv"


def write_csv(path: Path, frame: pd.DataFrame, *, bom: bool = False) -> Path:
    """Write ``frame`` as UTF-8 CSV (gzipped when ``path`` ends in .gz)."""
    text = ("\ufeff" if bom else "") + frame.to_csv(index=False)
    data = text.encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.name.endswith(".gz") else data)
    return path


def write_jsonl(path: Path, records: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(record) + "\n" for record in records), encoding="utf-8")
    return path


def focus_frame(rows: int = 3, **overrides: Any) -> pd.DataFrame:
    """FOCUS 1.0 rows: hour i of 2024-09-01, BilledCost i+1, EffectiveCost (i+1)/2, USD."""
    frame = pd.DataFrame(
        {
            "ChargePeriodStart": [f"2024-09-01T{i % 24:02d}:00:00Z" for i in range(rows)],
            "ChargePeriodEnd": [f"2024-09-01T{i % 24:02d}:59:59Z" for i in range(rows)],
            "BilledCost": [str(i + 1) for i in range(rows)],
            "EffectiveCost": [str((i + 1) / 2) for i in range(rows)],
            "BillingCurrency": "USD",
            "ServiceCategory": "Compute",
            "ServiceName": "Amazon Elastic Compute Cloud",
            "SubAccountId": "111122223333",
            "ResourceId": [f"i-{i:04d}" for i in range(rows)],
            "ChargeCategory": "Usage",
            "Tags": '{"team": "payments"}',
            "ProviderName": "AWS",
        }
    )
    for column, value in overrides.items():
        frame[column] = value
    return frame


def cur2_frame() -> pd.DataFrame:
    """Ten CUR 2.0 lines, one per line item type rule (expected values in the tests)."""
    types = [
        ("Usage", "AmazonEC2", "10", "9", {}),
        ("DiscountedUsage", "AmazonRDS", "0", "", {"reservation_effective_cost": "3"}),
        (
            "RIFee",
            "AmazonRDS",
            "20",
            "",
            {
                "reservation_unused_amortized_upfront_fee_for_billing_period": "1",
                "reservation_unused_recurring_fee": "2",
            },
        ),
        ("Fee", "AmazonRDS", "100", "", {"reservation_reservation_a_r_n": "arn:aws:rds:ri/1"}),
        (
            "SavingsPlanCoveredUsage",
            "AmazonEC2",
            "4",
            "",
            {"savings_plan_savings_plan_effective_cost": "2.5"},
        ),
        ("SavingsPlanNegation", "AmazonEC2", "-4", "", {}),
        (
            "SavingsPlanRecurringFee",
            "ComputeSavingsPlans",
            "10",
            "",
            {"savings_plan_total_commitment_to_date": "10", "savings_plan_used_commitment": "7"},
        ),
        ("Tax", "AmazonEC2", "0.5", "", {}),
        ("Credit", "AmazonS3", "-1", "", {}),
        ("Refund", "AmazonS3", "-2", "", {}),
    ]
    rows = []
    for kind, code, unblended, net, extra in types:
        rows.append(
            {
                "line_item_usage_start_date": "2025-01-01T00:00:00Z",
                "line_item_usage_end_date": "2025-01-01T01:00:00Z",
                "line_item_line_item_type": kind,
                "line_item_product_code": code,
                "line_item_unblended_cost": unblended,
                "line_item_net_unblended_cost": net,
                "line_item_currency_code": "USD",
                "line_item_usage_account_id": "210987654321",
                "line_item_resource_id": f"res-{kind}",
                "product": json.dumps({"product_name": f"{code} name", "region": "eu-west-1"}),
                "resource_tags": json.dumps({"user_team": "payments", "aws_created_by": "ci"}),
                **extra,
            }
        )
    return pd.DataFrame(rows).fillna("")


def cur2_parquet(path: Path) -> Path:
    """``cur2_frame`` as Parquet with native types: doubles, timestamps and map columns."""
    frame = cur2_frame()
    costs = [
        c
        for c in frame.columns
        if c.startswith(
            (
                "line_item_unblended",
                "line_item_net",
                "reservation_u",
                "reservation_e",
                "savings_plan",
            )
        )
    ]
    columns: dict[str, pa.Array] = {}
    for name in frame.columns:
        values = frame[name].tolist()
        if name in costs:
            columns[name] = pa.array([float(v) if v else None for v in values], pa.float64())
        elif name.endswith("_date"):
            columns[name] = pa.array(pd.to_datetime(values, utc=True), pa.timestamp("ms", "UTC"))
        elif name in ("product", "resource_tags"):
            pairs = [list(json.loads(v).items()) for v in values]
            columns[name] = pa.array(pairs, pa.map_(pa.string(), pa.string()))
        else:
            columns[name] = pa.array(values, pa.string())
    pq.write_table(pa.table(columns), path)
    return path


def gcp_records() -> list[dict[str, Any]]:
    """Three BigQuery billing-export rows; net costs 9.5, 2.0 and 0.3 (Σ 11.8), EUR."""
    base = {
        "usage_start_time": "2024-05-01 00:00:00 UTC",
        "usage_end_time": "2024-05-01 01:00:00 UTC",
        "currency": "EUR",
        "project": {"id": "shop-prod", "name": "Shop"},
    }
    return [
        {
            **base,
            "service": {"id": "6F81-5844-456A", "description": "Compute Engine"},
            "cost": 10.0,
            "cost_type": "regular",
            "credits": [
                {"name": "Sustained use", "amount": -0.25},
                {"name": "CUD", "amount": -0.25},
            ],
            "labels": [{"key": "team", "value": "checkout"}, {"key": "env", "value": "prod"}],
        },
        {
            **base,
            "service": {"id": "95FF-2EF5-5EA1", "description": "Cloud Storage"},
            "cost": 2.0,
            "cost_type": "regular",
            "credits": [],
            "labels": [],
        },
        {
            **base,
            "service": {"id": "24E6-581D-38E5", "description": "BigQuery"},
            "cost": 0.3,
            "cost_type": "tax",
            "credits": [],
            "labels": [],
        },
    ]


def gcp_csv_frame() -> pd.DataFrame:
    """``gcp_records`` as a flattened BigQuery CSV (repeated fields as JSON strings)."""
    rows = []
    for record in gcp_records():
        rows.append(
            {
                "usage_start_time": "2024-05-01T00:00:00Z",
                "usage_end_time": "2024-05-01T01:00:00Z",
                "project.id": record["project"]["id"],
                "service.description": record["service"]["description"],
                "cost": record["cost"],
                "currency": record["currency"],
                "cost_type": record["cost_type"],
                "credits": json.dumps(record["credits"]),
                "labels": json.dumps(record["labels"]),
            }
        )
    return pd.DataFrame(rows)


def azure_mca_frame() -> pd.DataFrame:
    """Four MCA cost-detail rows (camelCase), EUR, 3 September 2023."""
    return pd.DataFrame(
        {
            "date": ["09/03/2023", "09/03/2023", "9/3/2023", "2023-09-03"],
            "costInBillingCurrency": ["1.5", "1E+2", "-0.5", "0.25"],
            "billingCurrency": "EUR",
            "meterCategory": ["Virtual Machines", "Virtual Machines", "Storage", "Unheard Of"],
            "consumedService": [
                "Microsoft.Compute",
                "Microsoft.Capacity",
                "Microsoft.Storage",
                "Microsoft.Web",
            ],
            "subscriptionId": "0f6b1c2d-0000-4000-8000-000000000001",
            "resourceId": ["/subscriptions/x/vm1", "", "/subscriptions/x/st1", ""],
            "tags": ['{"team": "core"}', "", '{"team": "data", "env": "dev"}', ""],
            "chargeType": ["Usage", "Purchase", "Refund", "UnusedReservation"],
        }
    )
