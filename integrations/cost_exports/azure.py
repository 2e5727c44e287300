"""Azure cost details exports: EA (PascalCase headers) and MCA (camelCase headers).

The variant is told by the header: ``costInBillingCurrency`` means MCA, otherwise EA. Mapping
(focus_converters ``conversion_configs/azure/`` and Microsoft's FOCUS conversion of cost
details, https://learn.microsoft.com/azure/cost-management-billing/dataset-schema/):

* BilledCost = EffectiveCost = ``CostInBillingCurrency``. One export is either the actual or
  the amortised dataset, and the file does not say which: import the amortised one for
  amortised EffectiveCost. Neither dataset counts a reservation twice.
* ChargePeriodStart = ``Date`` (``9/2/2023`` is month/day/year; ISO dates also accepted),
  ChargePeriodEnd = start + 1 day (cost details are daily).
* ChargeCategory from ``ChargeType``: Usage, UnusedReservation, UnusedSavingsPlan → Usage;
  Purchase → Purchase; Tax → Tax; Credit → Credit; Refund, RoundingAdjustment and unknown →
  Adjustment.
* ServiceCategory from ``MeterCategory``, falling back to ``ConsumedService`` (see
  ``categories``); ServiceName = ``MeterCategory``; SubAccountId = ``SubscriptionId``;
  ResourceId = ``ResourceId`` (``InstanceId`` in older EA files); Tags from ``Tags``, which EA
  writes without the outer braces.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .base import ExportFormat
from .categories import AZURE_CONSUMED_SERVICES, AZURE_METER_CATEGORIES, categorise_with_fallback
from .schema import finish
from .values import Chunk, column_text, money, tags, text, timestamps

# Logical column → (EA spellings, MCA spellings); the first present spelling is used.
_NAMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "date": (("Date",), ("date",)),
    "cost": (("CostInBillingCurrency",), ("costInBillingCurrency",)),
    "currency": (
        ("BillingCurrencyCode", "BillingCurrency"),
        ("billingCurrency", "billingCurrencyCode"),
    ),
    "meter": (("MeterCategory",), ("meterCategory",)),
    "subscription": (
        ("SubscriptionId", "SubscriptionGuid"),
        ("subscriptionId", "subscriptionGuid"),
    ),
    "resource": (("ResourceId", "InstanceId"), ("resourceId", "instanceName")),
    "service": (("ConsumedService",), ("consumedService",)),
    "tags": (("Tags",), ("tags",)),
    "charge": (("ChargeType",), ("chargeType",)),
}
_REQUIRED = ("date", "cost", "currency", "meter", "subscription")
_CHARGES = {
    "usage": "Usage",
    "unusedreservation": "Usage",
    "unusedsavingsplan": "Usage",
    "purchase": "Purchase",
    "tax": "Tax",
    "credit": "Credit",
    "refund": "Adjustment",
    "roundingadjustment": "Adjustment",
}


def variant(header: Sequence[str]) -> str:
    """``"mca"`` for a camelCase (MCA) header, ``"ea"`` for PascalCase (EA)."""
    return "mca" if "costInBillingCurrency" in header else "ea"


def normalise(chunk: Chunk) -> pd.DataFrame:
    """Normalise an Azure EA or MCA chunk (see ``schema.COLUMNS`` and the module docstring).

    Raises:
        CostExportError: unparseable cost, date or tags (names row and column).
    """
    frame = chunk.frame
    mca = variant(list(frame.columns)) == "mca"

    def name(logical: str) -> str:  # required columns: the header check guarantees one
        return str(chunk.pick(*_spellings(logical, mca)))

    def optional(logical: str) -> pd.Series:
        return column_text(chunk, *_spellings(logical, mca))

    start = timestamps(chunk, name("date"), formats=("%m/%d/%Y", "ISO8601"))
    cost = money(chunk, name("cost"))
    meter = text(frame[name("meter")])
    columns = {
        "ChargePeriodStart": start,
        "ChargePeriodEnd": start + pd.Timedelta(days=1),
        "BilledCost": cost,
        "EffectiveCost": cost,
        "BillingCurrency": text(frame[name("currency")]),
        "ServiceCategory": categorise_with_fallback(
            meter, AZURE_METER_CATEGORIES, optional("service"), AZURE_CONSUMED_SERVICES
        ),
        "ServiceName": meter,
        "SubAccountId": text(frame[name("subscription")]),
        "ResourceId": optional("resource"),
        "ChargeCategory": optional("charge").str.casefold().map(_CHARGES).fillna("Adjustment"),
        "Tags": tags(chunk, chunk.pick(*_spellings("tags", mca))),
        "ProviderName": "Microsoft",
        "SourceRow": frame["SourceRow"],
    }
    return finish(columns, frame.index)


def _spellings(logical: str, mca: bool) -> tuple[str, ...]:
    """A logical column's spellings, the variant's own first (tolerates mixed headers)."""
    ea, camel = _NAMES[logical]
    return camel + ea if mca else ea + camel


def _looks_like(header: Sequence[str]) -> bool:
    return bool({"CostInBillingCurrency", "costInBillingCurrency"} & set(header)) and bool(
        {"MeterCategory", "meterCategory"} & set(header)
    )


_ALL_NAMES = {spelling for ea, mca in _NAMES.values() for spelling in ea + mca}

FORMAT = ExportFormat(
    name="azure",
    required=tuple(_NAMES[logical][0] + _NAMES[logical][1] for logical in _REQUIRED),
    currency=_NAMES["currency"][0] + _NAMES["currency"][1],
    wanted=lambda column: column in _ALL_NAMES,
    normalise=normalise,
    looks_like=_looks_like,
)
