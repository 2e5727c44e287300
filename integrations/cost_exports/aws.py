"""AWS Cost and Usage Reports: legacy CUR (``lineItem/UnblendedCost``) and CUR 2.0 (snake_case).

A legacy header is turned into CUR 2.0 names (``lineItem/UnblendedCost`` →
``line_item_unblended_cost``, the same rule AWS and focus_converters use), then one mapping
serves both. It mirrors the FinOps Foundation focus_converters configs under
``conversion_configs/aws/``:

* BilledCost = ``line_item_net_unblended_cost`` where present, else ``line_item_unblended_cost``
  (``billed_cost_S001.yaml``).
* EffectiveCost by ``line_item_line_item_type`` (``effective_cost_S001.yaml``):
  SavingsPlanCoveredUsage → ``savings_plan_savings_plan_effective_cost``; DiscountedUsage →
  ``reservation_effective_cost``; SavingsPlanRecurringFee → total commitment − used commitment;
  RIFee → unused amortised upfront fee + unused recurring fee; SavingsPlanNegation,
  SavingsPlanUpfrontFee and an RI's upfront Fee → 0 (already amortised into usage, so not
  counted twice); anything else → BilledCost. Keel departs from the converters in one point:
  where the file has the ``net_*`` twin of a column (accounts with negotiated discounts), that
  is used, so that EffectiveCost includes the discount as FOCUS defines it and is never above
  BilledCost for plain usage (the converters use the gross unblended cost there).
* ChargeCategory by line item type (``1_charge_category_S001.yaml``), except that ``Credit`` maps
  to FOCUS 1.0's ``Credit`` (the converters predate it and say Adjustment). Unknown → Adjustment.
* ServiceCategory from ``line_item_product_code`` (see ``categories``).
* Tags from ``resourceTags/<key>`` columns (legacy) or the ``resource_tags`` map (CUR 2.0), with
  the ``user:`` / ``user_`` prefix of user-defined tags removed (``user:team`` → ``team``).
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from .base import ExportFormat
from .categories import AWS_PRODUCT_CODES, AWS_PRODUCT_FAMILIES, categorise_with_fallback
from .schema import finish
from .values import NULLS, Chunk, column_text, money, optional_money, parse_tags, tags, timestamps

_REQUIRED = (
    "line_item_usage_start_date",
    "line_item_usage_end_date",
    "line_item_unblended_cost",
    "line_item_line_item_type",
    "line_item_currency_code",
    "line_item_product_code",
)
_OPTIONAL = (
    "line_item_net_unblended_cost",
    "line_item_usage_account_id",
    "line_item_resource_id",
    "product_product_name",
    "product_product_family",
    "product",
    "resource_tags",
    "reservation_effective_cost",
    "reservation_reservation_a_r_n",
    "reservation_unused_amortized_upfront_fee_for_billing_period",
    "reservation_unused_recurring_fee",
    "savings_plan_savings_plan_effective_cost",
    "savings_plan_total_commitment_to_date",
    "savings_plan_used_commitment",
    # the net_* twins: the same after negotiated discounts (EDP, PPA), when the account has them
    "reservation_net_effective_cost",
    "savings_plan_net_savings_plan_effective_cost",
    "reservation_net_unused_amortized_upfront_fee_for_billing_period",
    "reservation_net_unused_recurring_fee",
)
_CHARGE_CATEGORIES = {
    "Usage": "Usage",
    "DiscountedUsage": "Usage",
    "SavingsPlanCoveredUsage": "Usage",
    "SavingsPlanNegation": "Usage",
    "BundledDiscount": "Usage",
    "Discount": "Usage",
    "PrivateRateDiscount": "Usage",
    "EdpDiscount": "Usage",
    "Fee": "Purchase",
    "RIFee": "Purchase",
    "SavingsPlanUpfrontFee": "Purchase",
    "SavingsPlanRecurringFee": "Purchase",
    "Tax": "Tax",
    "Credit": "Credit",
    "Refund": "Adjustment",
}
_LEGACY_TAG = "resourceTags/"
_USER_TAG = re.compile(r"^user[:_]")


def snake(legacy: str) -> str:
    """Legacy CUR column name → CUR 2.0 name: ``reservation/ReservationARN`` →
    ``reservation_reservation_a_r_n`` (each camel-case hump becomes ``_`` + lower case)."""
    return "_".join(re.sub(r"(?<!^)(?=[A-Z])", "_", part).lower() for part in legacy.split("/"))


def normalise_cur2(chunk: Chunk) -> pd.DataFrame:
    """Normalise a CUR 2.0 chunk (see ``schema.COLUMNS`` and this module's docstring)."""
    return _normalise(chunk, tags(chunk, chunk.pick("resource_tags")))


def normalise_legacy(chunk: Chunk) -> pd.DataFrame:
    """Normalise a legacy CUR chunk by renaming it to CUR 2.0; errors name the legacy column."""
    frame = chunk.frame
    tag_columns = [name for name in frame.columns if name.startswith(_LEGACY_TAG)]
    row_tags = _legacy_tags(frame[tag_columns])
    names = {name: snake(name) for name in frame.columns if name not in tag_columns}
    names["SourceRow"] = "SourceRow"
    renamed = frame.drop(columns=tag_columns).rename(columns=names)
    aliases = {new: old for old, new in names.items()}
    return _normalise(Chunk(frame=renamed, file=chunk.file, aliases=aliases), row_tags)


def _legacy_tags(frame: pd.DataFrame) -> pd.Series:
    keys = [name[len(_LEGACY_TAG) :] for name in frame.columns]
    rows = frame.fillna("").astype(str).to_numpy()
    values = [{k: v for k, v in zip(keys, row, strict=True) if v not in NULLS} for row in rows]
    return pd.Series(values, index=frame.index, dtype=object)


def _normalise(chunk: Chunk, row_tags: pd.Series) -> pd.DataFrame:
    frame = chunk.frame
    kind = column_text(chunk, "line_item_line_item_type")
    unblended = money(chunk, "line_item_unblended_cost")
    billed = optional_money(chunk, "line_item_net_unblended_cost", empty=np.nan).fillna(unblended)
    code = column_text(chunk, "line_item_product_code")
    columns = {
        "ChargePeriodStart": timestamps(chunk, "line_item_usage_start_date"),
        "ChargePeriodEnd": timestamps(chunk, "line_item_usage_end_date"),
        "BilledCost": billed,
        "EffectiveCost": _effective_cost(chunk, kind, billed),
        "BillingCurrency": column_text(chunk, "line_item_currency_code"),
        "ServiceCategory": categorise_with_fallback(
            code,
            AWS_PRODUCT_CODES,
            column_text(chunk, "product_product_family"),
            AWS_PRODUCT_FAMILIES,
        ),
        "ServiceName": _service_name(chunk, code),
        "SubAccountId": column_text(chunk, "line_item_usage_account_id"),
        "ResourceId": column_text(chunk, "line_item_resource_id"),
        "ChargeCategory": kind.map(_CHARGE_CATEGORIES).fillna("Adjustment"),
        "Tags": row_tags.map(lambda t: {_USER_TAG.sub("", k): v for k, v in t.items()}),
        "ProviderName": "AWS",
        "SourceRow": frame["SourceRow"],
    }
    return finish(columns, frame.index)


def _effective_cost(chunk: Chunk, kind: pd.Series, billed: pd.Series) -> pd.Series:
    """EffectiveCost per focus_converters ``aws/effective_cost_S001.yaml`` (module docstring)."""

    def col(name: str, net: str | None = None) -> pd.Series:
        gross = optional_money(chunk, name)
        return gross if net is None else optional_money(chunk, net, empty=np.nan).fillna(gross)

    zero = pd.Series(0.0, index=billed.index)
    rules = {
        "SavingsPlanCoveredUsage": col(
            "savings_plan_savings_plan_effective_cost",
            "savings_plan_net_savings_plan_effective_cost",
        ),
        "SavingsPlanRecurringFee": col("savings_plan_total_commitment_to_date")
        - col("savings_plan_used_commitment"),
        "SavingsPlanNegation": zero,
        "SavingsPlanUpfrontFee": zero,
        "DiscountedUsage": col("reservation_effective_cost", "reservation_net_effective_cost"),
        "RIFee": col(
            "reservation_unused_amortized_upfront_fee_for_billing_period",
            "reservation_net_unused_amortized_upfront_fee_for_billing_period",
        )
        + col("reservation_unused_recurring_fee", "reservation_net_unused_recurring_fee"),
    }
    effective = billed.copy()
    for line_type, values in rules.items():
        mask = kind == line_type
        effective[mask] = values[mask]
    ri_upfront_fee = (kind == "Fee") & (column_text(chunk, "reservation_reservation_a_r_n") != "")
    effective[ri_upfront_fee] = 0.0
    return effective


def _service_name(chunk: Chunk, code: pd.Series) -> pd.Series:
    """``product_product_name``, else ``product_name`` of the CUR 2.0 ``product`` map, else the
    product code."""
    name = column_text(chunk, "product_product_name")
    if chunk.pick("product_product_name") is None and chunk.pick("product") is not None:
        name = chunk.frame["product"].map(lambda v: parse_tags(v).get("product_name", ""))
    return name.astype(str).mask(name == "", code)


def _wanted_legacy(name: str) -> bool:
    return name.startswith(_LEGACY_TAG) or snake(name) in _REQUIRED + _OPTIONAL


LEGACY = ExportFormat(
    name="aws-cur",
    required=tuple(
        (legacy,)
        for legacy in (
            "lineItem/UsageStartDate",
            "lineItem/UsageEndDate",
            "lineItem/UnblendedCost",
            "lineItem/LineItemType",
            "lineItem/CurrencyCode",
            "lineItem/ProductCode",
        )
    ),
    currency=("lineItem/CurrencyCode",),
    wanted=_wanted_legacy,
    normalise=normalise_legacy,
    looks_like=lambda header: "lineItem/UnblendedCost" in header,
)

CUR2 = ExportFormat(
    name="aws-cur2",
    required=tuple((name,) for name in _REQUIRED),
    currency=("line_item_currency_code",),
    wanted=lambda name: name in _REQUIRED or name in _OPTIONAL,
    normalise=normalise_cur2,
    looks_like=lambda header: "line_item_unblended_cost" in header,
)
