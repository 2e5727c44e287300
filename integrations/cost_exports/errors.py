"""The one error every cost-export reader raises."""

from __future__ import annotations


class CostExportError(Exception):
    """A cost export that cannot be read or normalised.

    ``str(error)`` names the file and, where they apply, the row and column, e.g.
    ``"costs.csv, row 14, column BilledCost: not a number: 'abc'"``. The parts are also kept as
    attributes so a caller can show them separately.

    Attributes:
        message: what is wrong, without the location.
        file: the path as the caller gave it.
        row: ``SourceRow`` of the offending record (1-based line number for CSV and JSON Lines,
            1-based row index for Parquet), or ``None`` when the whole file is at fault.
        column: the source column (the file's own header name), or ``None``.
    """

    def __init__(
        self, message: str, *, file: str, row: int | None = None, column: str | None = None
    ) -> None:
        self.message = message
        self.file = str(file)
        self.row = row
        self.column = column
        super().__init__(self._render())

    def _render(self) -> str:
        where = [self.file]
        if self.row is not None:
            where.append(f"row {self.row}")
        if self.column is not None:
            where.append(f"column {self.column}")
        return f"{', '.join(where)}: {self.message}"
