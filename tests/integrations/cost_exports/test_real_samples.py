"""The real exports in tests/fixtures/costs against the facts in tests/fixtures/README.md."""

from __future__ import annotations

import pandas as pd
import pytest

from integrations.cost_exports import COLUMNS, detect_format, read_cost_export, summarise

from .builders import AZURE_EA_SAMPLE, CUR_SAMPLE, FOCUS_SAMPLE

# tests/fixtures/README.md "Costs": rows, Σ EffectiveCost, Σ BilledCost per ServiceCategory
# (FOCUS sample, USD).
FOCUS_BY_CATEGORY = {
    "Compute": (443, 14.75656109020, 17.56473934470),
    "Storage": (209, 0.00088291550, 0.79179840783),
    "Networking": (168, 0.0, 0.49177673460),
    "Management and Governance": (79, 0.0, 0.22020958380),
    "Other": (47, 0.0, 0.46277298090),
    "Databases": (21, 0.37096774194, 1.12763032714),
    "Integration": (18, 0.0, 0.00008580060),
    "AI and Machine Learning": (9, -0.15189756178, -0.15189756178),
    "Identity": (4, 0.0, 0.00416666670),
    "Security": (2, 0.0, 0.00894444450),
}


def read_all(path, format):
    return pd.concat(list(read_cost_export(path, format=format)), ignore_index=True)


@pytest.fixture(scope="module")
def focus() -> pd.DataFrame:
    return read_all(FOCUS_SAMPLE, "focus")


@pytest.fixture(scope="module")
def cur() -> pd.DataFrame:
    return read_all(CUR_SAMPLE, "aws-cur")


def test_focus_sample_totals_per_service_category(focus):
    assert list(focus.columns) == list(COLUMNS)
    assert len(focus) == 1000
    assert set(focus["BillingCurrency"]) == {"USD"}
    grouped = focus.groupby("ServiceCategory").agg(
        rows=("SourceRow", "size"), effective=("EffectiveCost", "sum"), billed=("BilledCost", "sum")
    )
    assert set(grouped.index) == set(FOCUS_BY_CATEGORY)
    for category, (rows, effective, billed) in FOCUS_BY_CATEGORY.items():
        assert grouped.loc[category, "rows"] == rows
        assert grouped.loc[category, "effective"] == pytest.approx(effective, abs=1e-9)
        assert grouped.loc[category, "billed"] == pytest.approx(billed, abs=1e-9)
    assert focus["EffectiveCost"].sum() == pytest.approx(14.97651418586, abs=1e-9)
    assert focus["BilledCost"].sum() == pytest.approx(20.52022672899, abs=1e-9)


def test_focus_sample_negatives_providers_and_charge_categories(focus):
    negative = focus[focus["EffectiveCost"] < 0]
    assert len(negative) == 13
    assert negative["EffectiveCost"].sum() == pytest.approx(-3.16197130010, abs=1e-9)
    assert negative["ChargeCategory"].value_counts().to_dict() == {"Usage": 12, "Credit": 1}
    by_provider = focus.groupby("ProviderName")[["EffectiveCost", "BilledCost"]].sum()
    assert by_provider.loc["AWS"].tolist() == pytest.approx([13.0, 18.00663861840], abs=1e-9)
    assert by_provider.loc["Oracle"].tolist() == pytest.approx([0.0, 0.53707392473], abs=1e-9)
    assert focus["ProviderName"].value_counts().to_dict() == {
        "AWS": 942,
        "Microsoft": 51,
        "Oracle": 7,
    }
    assert focus["ChargeCategory"].value_counts().to_dict() == {
        "Usage": 997,
        "Adjustment": 2,
        "Credit": 1,
    }
    assert focus["SubAccountId"].nunique() == 73


def test_focus_sample_messy_values(focus):
    # "2024-09-18 22:00:00" (no T, no zone) is UTC; the first data row is line 2.
    first = focus.iloc[0]
    assert first["ChargePeriodStart"] == pd.Timestamp("2024-09-18 22:00:00", tz="UTC")
    assert str(focus["ChargePeriodStart"].dt.tz) == "UTC"
    assert first["SourceRow"] == 2 and focus["SourceRow"].iloc[-1] == 1001
    # Tags: NULL on 289 rows → {}; JSON objects → dicts; the " org" key keeps its space.
    assert (focus["Tags"].map(len) == 0).sum() == 289
    assert focus["Tags"].iloc[1] == {
        "application": "BrightLensMatrix",
        "environment": "dev",
        "business_unit": "ViennaAI",
    }
    assert sum(" org" in tags for tags in focus["Tags"]) == 23
    assert focus["ChargePeriodStart"].min() >= pd.Timestamp("2024-09-01", tz="UTC")
    assert focus["ChargePeriodEnd"].max() <= pd.Timestamp("2024-10-01", tz="UTC")


def test_aws_cur_legacy_sample(cur):
    assert len(cur) == 1281
    assert set(cur["BillingCurrency"]) == {"USD"}
    assert cur["BilledCost"].sum() == pytest.approx(1.68230869740, abs=1e-9)
    # Only Usage and Tax lines: EffectiveCost is the unblended cost throughout.
    assert cur["EffectiveCost"].sum() == pytest.approx(1.68230869740, abs=1e-9)
    by_charge = cur.groupby("ChargeCategory")["BilledCost"].agg(["size", "sum"])
    assert by_charge.loc["Usage", "size"] == 1269
    assert by_charge.loc["Usage", "sum"] == pytest.approx(1.60230869740, abs=1e-9)
    assert by_charge.loc["Tax", "size"] == 12
    assert by_charge.loc["Tax", "sum"] == pytest.approx(0.08, abs=1e-9)
    top = cur.groupby("ServiceName")["BilledCost"].sum().sort_values(ascending=False)
    assert list(top.index[:2]) == ["Amazon Simple Storage Service", "AWS Key Management Service"]
    assert top.iloc[:2].tolist() == pytest.approx([1.44056535650, 0.2405555574], abs=1e-9)
    assert set(cur["SubAccountId"]) == {"123412340534"}
    assert set(cur["ProviderName"]) == {"AWS"}


def test_aws_cur_legacy_sample_periods_and_categories(cur):
    assert cur["ChargePeriodStart"].min() == pd.Timestamp("2023-11-01", tz="UTC")
    assert cur["ChargePeriodEnd"].max() == pd.Timestamp("2023-12-01", tz="UTC")
    days = cur.loc[cur["ChargeCategory"] == "Usage", "ChargePeriodStart"].dt.normalize()
    assert days.nunique() == 14
    category = cur.drop_duplicates("ServiceName").set_index("ServiceName")["ServiceCategory"]
    assert category["Amazon Simple Storage Service"] == "Storage"  # AmazonS3
    assert category["AWS Key Management Service"] == "Security"  # awskms
    assert category["AWS Glue"] == "Analytics"
    assert category["Amazon Simple Queue Service"] == "Integration"
    assert category["AWS Data Transfer"] == "Networking"


def test_azure_ea_sample():
    azure = read_all(AZURE_EA_SAMPLE, "azure")
    assert len(azure) == 27
    assert set(azure["BillingCurrency"]) == {"CAD"}
    assert azure["BilledCost"].sum() == pytest.approx(1.26136926505726, abs=1e-12)
    assert azure["EffectiveCost"].sum() == pytest.approx(1.26136926505726, abs=1e-12)
    # Date 9/2/2023 is 2 September (month/day/year); cost details are daily.
    assert set(azure["ChargePeriodStart"]) == {pd.Timestamp("2023-09-02", tz="UTC")}
    assert set(azure["ChargePeriodEnd"]) == {pd.Timestamp("2023-09-03", tz="UTC")}
    # Tags without their outer braces.
    assert azure["Tags"].iloc[0] == {"tagA": "valueA", "tagB": "valueB", "tagC": "valueC"}
    assert azure["ServiceCategory"].value_counts().to_dict() == {
        "Networking": 12,
        "Compute": 7,
        "Storage": 5,
        "Integration": 3,
    }
    assert azure["SubAccountId"].iloc[0] == "e18e1552-c6dd-45d1-973c-999999999999"
    assert set(azure["ChargeCategory"]) == {"Usage"}
    assert set(azure["ProviderName"]) == {"Microsoft"}


@pytest.mark.parametrize(
    ("path", "expected"),
    [(FOCUS_SAMPLE, "focus"), (CUR_SAMPLE, "aws-cur"), (AZURE_EA_SAMPLE, "azure")],
)
def test_detect_format_of_real_samples(path, expected):
    assert detect_format(path) == expected


def test_summarise_focus_sample():
    summary = summarise(FOCUS_SAMPLE, "focus", chunk_rows=300)
    assert summary["rows"] == 1000
    assert summary["currency"] == "USD"
    assert summary["totals"]["USD"]["BilledCost"] == pytest.approx(20.52022672899, abs=1e-9)
    assert summary["totals"]["USD"]["EffectiveCost"] == pytest.approx(14.97651418586, abs=1e-9)
    assert summary["by_service_category"]["Compute"]["rows"] == 443
    assert summary["by_charge_category"]["Credit"]["rows"] == 1
    assert summary["period_start"] == pd.Timestamp("2024-09-01", tz="UTC")
    assert summary["period_end"] == pd.Timestamp("2024-10-01", tz="UTC")
