"""Streaming readers that normalise cloud cost exports to FOCUS columns.

Django-free. Usage::

    from integrations.cost_exports import read_cost_export

    for batch in read_cost_export("cur.csv.gz", format="aws-cur", chunk_rows=100_000):
        ...  # pandas.DataFrame with exactly schema.COLUMNS

Formats (``FORMATS``): ``focus`` (FOCUS 1.0–1.2), ``aws-cur`` (legacy CUR), ``aws-cur2``
(CUR 2.0), ``gcp`` (BigQuery billing export as JSON Lines or CSV), ``azure`` (cost details,
EA or MCA). Any of them may be ``.csv``, ``.csv.gz``, ``.parquet`` or ``.jsonl``/``.json``
(optionally ``.gz``). Each format module documents its mapping and where the rule comes from.

``Tags`` is a ``dict[str, str]`` per row (``{}`` when untagged), not a JSON string: every source
spells tags differently (JSON, brace-less JSON, Arrow maps, key/value lists, one column per
tag), and parsing them once here spares each caller a second parser.
"""

from .errors import CostExportError
from .reader import FORMATS, detect_format, read_cost_export, summarise
from .schema import CHARGE_CATEGORIES, COLUMNS, SERVICE_CATEGORIES

__all__ = [
    "CHARGE_CATEGORIES",
    "COLUMNS",
    "FORMATS",
    "SERVICE_CATEGORIES",
    "CostExportError",
    "detect_format",
    "read_cost_export",
    "summarise",
]
