"""Generated files for the formats and containers without a real sample."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from integrations.cost_exports import COLUMNS, detect_format, read_cost_export

from .builders import (
    azure_mca_frame,
    cur2_frame,
    cur2_parquet,
    focus_frame,
    gcp_csv_frame,
    gcp_records,
    write_csv,
    write_jsonl,
)

# Per line of cur2_frame: (BilledCost, EffectiveCost, ChargeCategory).
CUR2_EXPECTED = [
    (9.0, 9.0, "Usage"),  # Usage: net unblended (discounted) for both
    (0.0, 3.0, "Usage"),  # DiscountedUsage: reservation effective cost
    (20.0, 3.0, "Purchase"),  # RIFee: unused upfront 1 + unused recurring 2
    (100.0, 0.0, "Purchase"),  # RI upfront Fee: amortised into usage
    (4.0, 2.5, "Usage"),  # SavingsPlanCoveredUsage
    (-4.0, 0.0, "Usage"),  # SavingsPlanNegation
    (10.0, 3.0, "Purchase"),  # SavingsPlanRecurringFee: commitment 10 − used 7
    (0.5, 0.5, "Tax"),
    (-1.0, -1.0, "Credit"),
    (-2.0, -2.0, "Adjustment"),  # Refund
]


def read_all(path, format=None, **kwargs) -> pd.DataFrame:
    return pd.concat(list(read_cost_export(path, format=format, **kwargs)), ignore_index=True)


def assert_cur2(batch: pd.DataFrame) -> None:
    assert list(batch.columns) == list(COLUMNS)
    got = batch[["BilledCost", "EffectiveCost", "ChargeCategory"]].itertuples(index=False)
    got = [tuple(row) for row in got]
    assert got == CUR2_EXPECTED
    assert batch["BilledCost"].sum() == pytest.approx(136.5)
    assert batch["EffectiveCost"].sum() == pytest.approx(18.0)
    assert batch["Tags"].iloc[0] == {"team": "payments", "aws_created_by": "ci"}
    assert batch["ServiceName"].iloc[0] == "AmazonEC2 name"  # from the product map
    assert batch["ServiceCategory"].tolist()[:2] == ["Compute", "Databases"]
    assert batch["ServiceCategory"].iloc[6] == "Other"  # ComputeSavingsPlans: not in the table
    assert batch["ChargePeriodStart"].iloc[0] == pd.Timestamp("2025-01-01", tz="UTC")
    assert set(batch["SubAccountId"]) == {"210987654321"}


def test_cur2_csv(tmp_path):
    path = write_csv(tmp_path / "cur2.csv", cur2_frame())
    assert detect_format(path) == "aws-cur2"
    assert_cur2(read_all(path, "aws-cur2"))


def test_cur2_parquet_with_native_types(tmp_path):
    path = cur2_parquet(tmp_path / "cur2.parquet")
    assert detect_format(path) == "aws-cur2"
    batch = read_all(path, "aws-cur2")
    assert_cur2(batch)
    assert batch["SourceRow"].tolist() == list(range(1, 11))


def test_legacy_cur_tags_and_net_costs(tmp_path):
    frame = pd.DataFrame(
        {
            "lineItem/UsageStartDate": ["2023-11-01T00:00:00.000Z"] * 2,
            "lineItem/UsageEndDate": ["2023-11-02T00:00:00.000Z"] * 2,
            "lineItem/UnblendedCost": ["1.81E-8", "2"],
            "lineItem/NetUnblendedCost": ["", "1.5"],
            "lineItem/LineItemType": ["Usage", "Usage"],
            "lineItem/CurrencyCode": ["USD", "USD"],
            "lineItem/ProductCode": ["AmazonEC2", "NewShinyThing"],
            "lineItem/ResourceId": ["i-1", ""],
            "product/productFamily": ["Compute Instance", "Data Transfer"],
            "resourceTags/user:team": ["payments", ""],
            "resourceTags/aws:createdBy": ["", "ci"],
        }
    )
    batch = read_all(write_csv(tmp_path / "cur.csv", frame), "aws-cur")
    assert batch["BilledCost"].tolist() == [1.81e-8, 1.5]
    assert batch["EffectiveCost"].tolist() == [1.81e-8, 1.5]
    assert batch["Tags"].tolist() == [{"team": "payments"}, {"aws:createdBy": "ci"}]
    assert batch["ServiceCategory"].tolist() == ["Compute", "Networking"]  # family fallback
    assert batch["ServiceName"].tolist() == ["AmazonEC2", "NewShinyThing"]  # no product name


def assert_gcp(batch: pd.DataFrame) -> None:
    assert batch["BilledCost"].tolist() == pytest.approx([9.5, 2.0, 0.3])  # cost + Σ credits
    assert batch["EffectiveCost"].sum() == pytest.approx(11.8)
    assert set(batch["BillingCurrency"]) == {"EUR"}
    assert batch["ServiceCategory"].tolist() == ["Compute", "Storage", "Analytics"]
    assert batch["ChargeCategory"].tolist() == ["Usage", "Usage", "Tax"]
    assert batch["Tags"].tolist() == [{"team": "checkout", "env": "prod"}, {}, {}]
    assert set(batch["SubAccountId"]) == {"shop-prod"}
    assert set(batch["ProviderName"]) == {"Google Cloud"}
    assert set(batch["ChargePeriodStart"]) == {pd.Timestamp("2024-05-01 00:00", tz="UTC")}
    assert set(batch["ChargePeriodEnd"]) == {pd.Timestamp("2024-05-01 01:00", tz="UTC")}


def test_gcp_jsonl_nested_fields_and_credits(tmp_path):
    path = write_jsonl(tmp_path / "billing.jsonl", gcp_records())
    assert detect_format(path) == "gcp"
    batch = read_all(path, "gcp")
    assert_gcp(batch)
    assert batch["SourceRow"].tolist() == [1, 2, 3]


def test_gcp_csv_flattened_columns(tmp_path):
    path = write_csv(tmp_path / "billing.csv", gcp_csv_frame())
    assert detect_format(path) == "gcp"
    assert_gcp(read_all(path, "gcp"))


def test_azure_mca_camel_case(tmp_path):
    path = write_csv(tmp_path / "mca.csv", azure_mca_frame())
    assert detect_format(path) == "azure"
    batch = read_all(path, "azure")
    assert batch["BilledCost"].tolist() == [1.5, 100.0, -0.5, 0.25]
    assert batch["EffectiveCost"].sum() == pytest.approx(101.25)
    assert set(batch["ChargePeriodStart"]) == {pd.Timestamp("2023-09-03", tz="UTC")}
    assert batch["ChargeCategory"].tolist() == ["Usage", "Purchase", "Adjustment", "Usage"]
    # MeterCategory first; ConsumedService (Microsoft.Web → Web) when the meter is unknown.
    assert batch["ServiceCategory"].tolist() == ["Compute", "Compute", "Storage", "Web"]
    assert batch["Tags"].tolist() == [{"team": "core"}, {}, {"team": "data", "env": "dev"}, {}]
    assert batch["ResourceId"].iloc[0] == "/subscriptions/x/vm1"
    assert set(batch["BillingCurrency"]) == {"EUR"}


def test_focus_csv_gz_with_bom(tmp_path):
    path = write_csv(tmp_path / "focus.csv.gz", focus_frame(), bom=True)
    assert detect_format(path) == "focus"
    batch = read_all(path, "focus")
    assert batch["BilledCost"].tolist() == [1.0, 2.0, 3.0]
    assert batch["EffectiveCost"].tolist() == [0.5, 1.0, 1.5]
    assert batch["ChargePeriodStart"].iloc[1] == pd.Timestamp("2024-09-01 01:00", tz="UTC")
    assert batch["Tags"].iloc[0] == {"team": "payments"}


def test_focus_parquet_with_timestamps_and_map_tags(tmp_path):
    frame = focus_frame()
    table = pa.table(
        {
            **{
                name: pa.array(frame[name].tolist())
                for name in frame.columns
                if name
                not in (
                    "ChargePeriodStart",
                    "ChargePeriodEnd",
                    "BilledCost",
                    "EffectiveCost",
                    "Tags",
                )
            },
            "ChargePeriodStart": pa.array(
                pd.to_datetime(frame["ChargePeriodStart"]), pa.timestamp("us", "UTC")
            ),
            "ChargePeriodEnd": pa.array(
                pd.to_datetime(frame["ChargePeriodEnd"]).dt.tz_localize(None), pa.timestamp("us")
            ),  # naive: taken as UTC
            "BilledCost": pa.array([1.25, 2.5, None], pa.float64()),
            "EffectiveCost": pa.array([1, 2, 3], pa.decimal128(10, 2)),
            "Tags": pa.array([[("team", "a")], [], None], pa.map_(pa.string(), pa.string())),
        }
    )
    pq.write_table(table, tmp_path / "focus.parquet")
    batch = read_all(tmp_path / "focus.parquet", "focus")
    assert batch["BilledCost"].tolist() == [1.25, 2.5, 0.0]
    assert batch["EffectiveCost"].tolist() == [1.0, 2.0, 3.0]
    assert batch["Tags"].tolist() == [{"team": "a"}, {}, {}]
    assert batch["ChargePeriodEnd"].iloc[0] == pd.Timestamp("2024-09-01 00:59:59", tz="UTC")
    assert str(batch["ChargePeriodStart"].dt.tz) == "UTC"


def test_focus_1_2_columns(tmp_path):
    # FOCUS 1.2 adds columns (ServiceSubcategory, InvoiceId, PricingCurrency*, ...) and 1.3 will
    # replace ProviderName by ServiceProviderName; lower-case values are normalised.
    frame = focus_frame(
        ServiceSubcategory="Virtual Machines",
        InvoiceId="INV-1",
        PricingCurrency="EUR",
        PricingCurrencyEffectiveCost="0.9",
        HostProviderName="AWS",
        ServiceProviderName="AWS",
        CapacityReservationId="",
        ChargeCategory="usage",
        ServiceCategory="compute",
    )
    frame = frame.drop(columns=["ProviderName"])
    batch = read_all(write_csv(tmp_path / "focus12.csv", frame), "focus")
    assert set(batch["ProviderName"]) == {"AWS"}
    assert set(batch["ChargeCategory"]) == {"Usage"}
    assert set(batch["ServiceCategory"]) == {"Compute"}
    assert set(batch["BillingCurrency"]) == {"USD"}  # not the PricingCurrency


def test_focus_unknown_service_category_is_other(tmp_path):
    frame = focus_frame(ServiceCategory=["Compute", "Quantum Stuff", "NULL"])
    batch = read_all(write_csv(tmp_path / "focus.csv", frame), "focus")
    assert batch["ServiceCategory"].tolist() == ["Compute", "Other", "Other"]


def test_format_detected_when_not_given(tmp_path):
    path = write_csv(tmp_path / "focus.csv", focus_frame())
    assert len(read_all(path)) == 3
