"""CSV output of the metrics endpoint (docs/api.md: `?format=csv` or `Accept: text/csv`)."""

import csv
import io
from collections.abc import Iterable, Iterator, Sequence
from datetime import date
from typing import Any

from rest_framework.renderers import BaseRenderer

# A text cell starting with one of these is a formula to a spreadsheet (CSV injection).
# OWASP: https://owasp.org/www-community/attacks/CSV_Injection
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def csv_cell(value: Any) -> str:
    """One CSV cell: null → empty, booleans → true/false, dates → YYYY-MM-DD, numbers as they
    are; text that a spreadsheet would run as a formula (`=HYPERLINK(...)`, `+`, `-`, `@`, a
    tab or carriage return first) gets a leading `'`, so it is shown as text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return str(value)


def csv_lines(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[str]:
    """The header line, then one line per row (RFC 4180 quoting, CRLF line ends), lazily."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    for row in _with_header(header, rows):
        writer.writerow([csv_cell(v) for v in row])
        yield buffer.getvalue()
        buffer.seek(0)
        buffer.truncate(0)


def _with_header(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> Iterator[Sequence[Any]]:
    yield header
    yield from rows


class CSVRenderer(BaseRenderer):
    """Renders a list of flat dicts (or a page's `results`) as CSV with a header line.

    The metrics list streams its CSV itself (every filtered row, not one page); this renderer
    makes `text/csv` negotiable and renders anything else that reaches it."""

    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context=None):
        if isinstance(data, dict):
            data = data.get("results", [data])
        rows = list(data or [])
        header = list(rows[0].keys()) if rows else []
        return "".join(csv_lines(header, ([row.get(k) for k in header] for row in rows)))
