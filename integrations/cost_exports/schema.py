"""The normalised (FOCUS) columns every reader yields, and their allowed values.

Column names and allowed values are those of the FOCUS specification 1.0–1.2
(https://focus.finops.org/focus-specification/, sections "Columns"): ``ServiceCategory`` and
``ChargeCategory`` keep the values FOCUS lists, in its spelling.
"""

from __future__ import annotations

import pandas as pd

#: Output columns, in order. ``SourceRow`` is Keel's own (for error messages), not FOCUS.
COLUMNS: tuple[str, ...] = (
    "ChargePeriodStart",  # datetime64[.., UTC], inclusive
    "ChargePeriodEnd",  # datetime64[.., UTC], exclusive
    "BilledCost",  # float64, billing currency
    "EffectiveCost",  # float64, billing currency, amortised
    "BillingCurrency",  # str, ISO 4217 code
    "ServiceCategory",  # str, one of SERVICE_CATEGORIES
    "ServiceName",  # str
    "SubAccountId",  # str ("" when the export has none)
    "ResourceId",  # str ("" when the export has none)
    "ChargeCategory",  # str, one of CHARGE_CATEGORIES
    "Tags",  # dict[str, str] per row ({} when untagged)
    "ProviderName",  # str: "AWS", "Microsoft", "Google Cloud" or the FOCUS file's own
    "SourceRow",  # int64, see CostExportError.row
)

#: FOCUS 1.0–1.2 ServiceCategory allowed values.
SERVICE_CATEGORIES: frozenset[str] = frozenset(
    {
        "AI and Machine Learning",
        "Analytics",
        "Business Applications",
        "Compute",
        "Databases",
        "Developer Tools",
        "Multicloud",
        "Identity",
        "Integration",
        "Internet of Things",
        "Management and Governance",
        "Media",
        "Migration",
        "Mobile",
        "Networking",
        "Security",
        "Storage",
        "Web",
        "Other",
    }
)

#: FOCUS 1.0–1.2 ChargeCategory allowed values.
CHARGE_CATEGORIES: frozenset[str] = frozenset({"Usage", "Purchase", "Tax", "Credit", "Adjustment"})

#: The longest text Keel stores per column, in characters (the columns of Keel's cost lines).
#: A longer value is an error naming its row, never silently cut.
TEXT_LIMITS: dict[str, int] = {"ServiceName": 200, "SubAccountId": 200, "ResourceId": 1000}

#: An ISO 4217 alphabetic code, as FOCUS's BillingCurrency requires.
CURRENCY_CODE = r"[A-Z]{3}"

_TEXT_COLUMNS = (
    "BillingCurrency",
    "ServiceCategory",
    "ServiceName",
    "SubAccountId",
    "ResourceId",
    "ChargeCategory",
    "ProviderName",
)


def finish(columns: dict[str, object], index: pd.Index) -> pd.DataFrame:
    """Assemble one normalised batch from per-column series or scalars.

    Args:
        columns: a value (Series aligned on ``index``, or a scalar) for every name in COLUMNS.
        index: the index of the raw chunk the series come from.

    Returns:
        A DataFrame with exactly COLUMNS in order, a fresh RangeIndex, text columns as ``str``,
        costs as ``float64`` and ``SourceRow`` as ``int64``.
    """
    frame = pd.DataFrame({name: columns[name] for name in COLUMNS}, index=index)
    for name in _TEXT_COLUMNS:
        frame[name] = frame[name].astype(str)
    frame["BilledCost"] = frame["BilledCost"].astype("float64")
    frame["EffectiveCost"] = frame["EffectiveCost"].astype("float64")
    frame["SourceRow"] = frame["SourceRow"].astype("int64")
    return frame.reset_index(drop=True)
