"""Google Cloud billing export (BigQuery ``gcp_billing_export_v1_*``) saved as JSON Lines or CSV.

Nested fields are read flattened (``project.id``, ``service.description``), as BigQuery names
them when a query flattens the table. ``credits`` (list of ``{name, amount, ...}``) and
``labels`` (list of ``{key, value}``) are native lists in JSON Lines and JSON strings in CSV
(BigQuery cannot write repeated fields to CSV, so a CSV comes from ``TO_JSON_STRING``).

Mapping (Google's FOCUS view of the billing export, and focus_converters' GCP config):

* BilledCost = EffectiveCost = ``cost`` + Σ ``credits.amount`` (credits are negative), i.e. the
  net cost Google invoices. The standard export has no amortisation of commitments.
* ChargeCategory from ``cost_type``: regular → Usage, tax → Tax, adjustment and
  rounding_error → Adjustment; no ``cost_type`` column → Usage.
* ServiceCategory from ``service.description`` (see ``categories``); SubAccountId =
  ``project.id``; ResourceId = ``resource.global_name`` or ``resource.name`` (the detailed
  export), else empty; Tags = ``labels``.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pandas as pd

from .base import ExportFormat
from .categories import GCP_SERVICES, categorise
from .schema import finish
from .values import NULLS, Chunk, column_text, money, tags, text, timestamps

_REQUIRED = ("usage_start_time", "usage_end_time", "cost", "currency", "service.description")
_OPTIONAL = (
    "credits",
    "labels",
    "project.id",
    "cost_type",
    "resource.global_name",
    "resource.name",
)
_LISTS = ("credits", "labels")
_CHARGE_CATEGORIES = {
    "regular": "Usage",
    "tax": "Tax",
    "adjustment": "Adjustment",
    "rounding_error": "Adjustment",
}


def normalise(chunk: Chunk) -> pd.DataFrame:
    """Normalise a GCP billing-export chunk (see ``schema.COLUMNS`` and the module docstring).

    Raises:
        CostExportError: unparseable cost, credits, labels or timestamp (names row, column).
    """
    frame = chunk.frame
    _check_lists(chunk)
    net = money(chunk, "cost") + _credits(chunk)
    service = column_text(chunk, "service.description")
    cost_type = column_text(chunk, "cost_type").str.casefold()
    columns = {
        "ChargePeriodStart": timestamps(chunk, "usage_start_time"),
        "ChargePeriodEnd": timestamps(chunk, "usage_end_time"),
        "BilledCost": net,
        "EffectiveCost": net,
        "BillingCurrency": text(frame["currency"]),
        "ServiceCategory": categorise(service, GCP_SERVICES).fillna("Other"),
        "ServiceName": service,
        "SubAccountId": column_text(chunk, "project.id"),
        "ResourceId": _resource_id(chunk),
        "ChargeCategory": cost_type.map(_CHARGE_CATEGORIES).fillna("Usage"),
        "Tags": tags(chunk, chunk.pick("labels")),
        "ProviderName": "Google Cloud",
        "SourceRow": frame["SourceRow"],
    }
    return finish(columns, frame.index)


def credit_total(value: Any) -> float:
    """Σ ``amount`` of one ``credits`` value (list of dicts, or its JSON string); empty → 0.0.

    Raises:
        ValueError: not a list of objects with a numeric ``amount``.
    """
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return 0.0
    if isinstance(value, str):
        if value.strip() in NULLS:
            return 0.0
        value = json.loads(value)
    if not isinstance(value, list | tuple | np.ndarray):
        raise ValueError("credits must be a list")
    total = math.fsum(float(item["amount"]) for item in value)
    if not math.isfinite(total):
        raise ValueError("credit amount is not finite")
    return total


def _credits(chunk: Chunk) -> pd.Series:
    if chunk.pick("credits") is None:
        return pd.Series(0.0, index=chunk.frame.index)
    totals: list[float] = []
    for position, value in enumerate(chunk.frame["credits"].tolist()):
        try:
            totals.append(credit_total(value))
        except (ValueError, TypeError, KeyError):
            message = f"credits are not a list of {{name, amount}}: {str(value)[:80]!r}"
            chunk.fail(message, position, "credits")
    return pd.Series(totals, index=chunk.frame.index, dtype="float64")


def _check_lists(chunk: Chunk) -> None:
    """``credits`` and ``labels`` are lists: JSON Lines flattening turns an object given instead
    into ``credits.amount`` columns, which would silently drop it. Raise naming the row."""
    for name in _LISTS:
        for column in chunk.frame.columns:
            if column.startswith(name + "."):
                given = chunk.frame[column].notna()
                if given.any():
                    chunk.fail(f"{name} must be a list, got an object", given, name)


def _resource_id(chunk: Chunk) -> pd.Series:
    global_name = column_text(chunk, "resource.global_name")
    return global_name.mask(global_name == "", column_text(chunk, "resource.name"))


FORMAT = ExportFormat(
    name="gcp",
    required=tuple((name,) for name in _REQUIRED),
    currency=("currency",),
    wanted=lambda name: (
        name in _REQUIRED or name in _OPTIONAL or name.startswith(tuple(f"{n}." for n in _LISTS))
    ),
    normalise=normalise,
    looks_like=lambda header: {"usage_start_time", "cost", "service.description"} <= set(header),
)
