"""FOCUS 1.0, 1.1 and 1.2 exports: already FOCUS, so mostly validation and type conversion.

Source of the rules: the FOCUS specification, columns ChargePeriodStart/End, BilledCost,
EffectiveCost, BillingCurrency, ServiceCategory, ChargeCategory, Tags, ProviderName
(https://focus.finops.org/focus-specification/v1-2/). The file's own ServiceCategory is kept.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from .base import ExportFormat
from .schema import CHARGE_CATEGORIES, SERVICE_CATEGORIES, finish
from .values import Chunk, column_text, money, tags, text, timestamps

_REQUIRED = (
    "ChargePeriodStart",
    "ChargePeriodEnd",
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "ServiceCategory",
    "ChargeCategory",
)
# ServiceProviderName: FOCUS 1.3's successor of ProviderName, read when ProviderName is absent.
_OPTIONAL = (
    "ServiceName",
    "SubAccountId",
    "ResourceId",
    "Tags",
    "ProviderName",
    "ServiceProviderName",
)
_CANONICAL_SERVICE = {name.casefold(): name for name in SERVICE_CATEGORIES}
_CANONICAL_CHARGE = {name.casefold(): name for name in CHARGE_CATEGORIES}
CANONICAL_CHARGE = _CANONICAL_CHARGE  # casefolded → FOCUS spelling (also used by fast.py)


def normalise(chunk: Chunk) -> pd.DataFrame:
    """Normalise a FOCUS chunk (see ``schema.COLUMNS``).

    Timestamps may lack the ``T`` and zone (``2024-09-18 22:00:00``, taken as UTC); ``NULL``
    means empty; columns outside FOCUS (such as the sample's ``Id``) are ignored.

    Raises:
        CostExportError: unparseable cost or timestamp, or a ChargeCategory outside FOCUS.
    """
    frame = chunk.frame
    columns = {
        "ChargePeriodStart": timestamps(chunk, "ChargePeriodStart"),
        "ChargePeriodEnd": timestamps(chunk, "ChargePeriodEnd"),
        "BilledCost": money(chunk, "BilledCost"),
        "EffectiveCost": money(chunk, "EffectiveCost"),
        "BillingCurrency": text(frame["BillingCurrency"]),
        "ServiceCategory": service_category(frame["ServiceCategory"]),
        "ServiceName": column_text(chunk, "ServiceName"),
        "SubAccountId": column_text(chunk, "SubAccountId"),
        "ResourceId": column_text(chunk, "ResourceId"),
        "ChargeCategory": _charge_category(chunk),
        "Tags": tags(chunk, chunk.pick("Tags")),
        "ProviderName": column_text(chunk, "ProviderName", "ServiceProviderName"),
        "SourceRow": frame["SourceRow"],
    }
    return finish(columns, frame.index)


def service_category(raw: pd.Series) -> pd.Series:
    """The file's value in FOCUS spelling (case-insensitive); empty or unknown → ``"Other"``."""
    return text(raw).str.casefold().map(_CANONICAL_SERVICE).fillna("Other").astype(str)


def _charge_category(chunk: Chunk) -> pd.Series:
    raw = text(chunk.frame["ChargeCategory"])
    values = raw.str.casefold().map(_CANONICAL_CHARGE)
    bad = values.isna()
    if bad.any():
        allowed = ", ".join(sorted(CHARGE_CATEGORIES))
        message = f"ChargeCategory {raw[bad].iloc[0]!r} is not one of FOCUS's ({allowed})"
        chunk.fail(message, bad, "ChargeCategory")
    return values.astype(str)


def _looks_like(header: Sequence[str]) -> bool:
    return {"BilledCost", "ChargePeriodStart"} <= set(header)


FORMAT = ExportFormat(
    name="focus",
    required=tuple((name,) for name in _REQUIRED),
    currency=("BillingCurrency",),
    wanted=lambda name: name in _REQUIRED or name in _OPTIONAL,
    normalise=normalise,
    looks_like=_looks_like,
)
