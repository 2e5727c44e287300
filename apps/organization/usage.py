"""Usage series files (config `usage`, docs/configuration.md#usage): a CSV of `month,value`
lines, one per month, read when the config is applied.

    month,value          <- optional header
    2026-01,1250000
    2026-02,1310000.5

Blank lines are skipped. Every other line must be a month (`YYYY-MM`) and a finite number ≥ 0;
a month may appear once. A problem raises `UsageFileError` naming the file and line, so the
config is not applied at all.
"""

import csv
import datetime as dt
import io
import math
from pathlib import Path
from typing import Any

from apps.core.errors import ConfigError
from apps.organization.models import UsageMonth, UsageSeries
from apps.organization.rows import ApplyResult, rows_sync
from apps.organization.schema import OrgConfig
from apps.organization.validators import check_month

HEADER = ("month", "value")


class UsageFileError(ValueError):
    """A usage file cannot be read or has a bad line; the message names the file and line."""


def usage_csv_parse(text: str, *, file: str) -> dict[dt.date, float]:
    """The `{first day of month: value}` of a usage CSV's text. `file` names it in errors.

    Raises UsageFileError, e.g. `usage.csv line 3: invalid value 'n/a': expected a number`.
    """
    values: dict[dt.date, float] = {}
    first_line: dict[dt.date, int] = {}
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        cells = [cell.strip() for cell in row]
        if not any(cells):
            continue
        where = f"{file} line {number}"
        if number == 1 and tuple(c.lower() for c in cells) == HEADER:
            continue
        if len(cells) != 2:
            raise UsageFileError(f"{where}: expected 2 columns (month,value), got {len(cells)}")
        try:
            month = check_month(cells[0])
        except ValueError as exc:
            raise UsageFileError(f"{where}: {exc}") from None
        if month in values:
            raise UsageFileError(
                f"{where}: month {cells[0]} repeated (first at line {first_line[month]})"
            )
        values[month] = _value(cells[1], where)
        first_line[month] = number
    if not values:
        raise UsageFileError(f"{file}: no month,value lines")
    return values


def _value(cell: str, where: str) -> float:
    try:
        value = float(cell)
    except ValueError:
        raise UsageFileError(f"{where}: invalid value {cell!r}: expected a number") from None
    if not math.isfinite(value) or value < 0:
        raise UsageFileError(f"{where}: invalid value {cell!r}: expected a number ≥ 0")
    return value


def usage_file_read(path: str, *, base_dir: Path | None) -> dict[dt.date, float]:
    """Read and parse the usage CSV at `path` (relative to `base_dir`, else the working
    directory). Raises UsageFileError when it is missing, unreadable, not UTF-8 or malformed."""
    file = Path(path)
    if not file.is_absolute() and base_dir is not None:
        file = base_dir / file
    try:
        data = file.read_bytes()
    except FileNotFoundError:
        raise UsageFileError(f"usage file not found: {file}") from None
    except OSError as exc:
        raise UsageFileError(f"cannot read usage file {file}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise UsageFileError(f"{file} line {line}: not UTF-8 text ({exc.reason})") from None
    return usage_csv_parse(text, file=str(file))


def usage_files_read(*, config: OrgConfig, base_dir: Path | None) -> list[dict[dt.date, float]]:
    """Each usage series' `{month: value}`, in the order of the config. Raises ConfigError
    naming the key and the file's problem, e.g.
    `usage[0].path: /etc/keel/usage.csv line 3: invalid value 'n/a': expected a number`."""
    out = []
    for index, series in enumerate(config.usage):
        try:
            out.append(usage_file_read(series.path, base_dir=base_dir))
        except UsageFileError as exc:
            raise ConfigError(f"usage[{index}].path", str(exc)) from None
    return out


def usage_apply(
    *,
    config: OrgConfig,
    usage: list[dict[dt.date, float]],
    result: ApplyResult,
    prune: bool,
) -> None:
    """Write the usage series and their months (`usage` as read by usage_files_read), inside
    config_apply's transaction. Series and months absent from the file are kept unless
    `prune`, like every other object of the config."""
    series: dict[Any, UsageSeries] = rows_sync(
        queryset=UsageSeries.objects.all(),
        key=("name",),
        rows={(u.name,): {"unit": u.unit, "path": u.path} for u in config.usage},
        result=result,
        prune=prune,
    ).objects
    for u, values in zip(config.usage, usage, strict=True):
        owner = series[(u.name,)]
        rows_sync(
            queryset=UsageMonth.objects.filter(series=owner),
            key=("series_id", "month"),
            rows={(owner.pk, month): {"value": value} for month, value in values.items()},
            result=result,
            prune=prune,
        )
