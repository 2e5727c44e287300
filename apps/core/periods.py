"""Periods (docs/metrics.md#periods-and-scopes): ISO weeks (Monday 00:00) and calendar months, in
the organisation's time zone, half-open `[start, end)`.

`period_start` values are `datetime.date`s (the local date the period starts on); instants are
aware datetimes. All functions are pure.
"""

from collections.abc import Iterator
from datetime import date, datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from django.core.exceptions import ValidationError

Granularity = Literal["week", "month"]
GRANULARITIES: tuple[Granularity, ...] = ("week", "month")

# The dates Keel computes with. Inside pandas' nanosecond timestamps (1677 to 2262), with room
# for the windows around a period (churn reads back years), and far wider than any engineering
# data; a date outside is refused where it enters (docs/api.md), never overflowed.
DATE_MIN, DATE_MAX = date(1900, 1, 1), date(2199, 12, 31)


def date_range_error(day: date) -> str | None:
    """Why `day` is refused (`9999-12-27 is outside the dates Keel handles (1900-01-01 to
    2199-12-31)`), or None when DATE_MIN <= day <= DATE_MAX."""
    if DATE_MIN <= day <= DATE_MAX:
        return None
    return (
        f"{day.isoformat()} is outside the dates Keel handles "
        f"({DATE_MIN.isoformat()} to {DATE_MAX.isoformat()})"
    )


def date_in_range(day: date, *, name: str) -> date:
    """`day` when `date_range_error` finds nothing; else ValueError naming `name`, e.g.
    `period_start: 9999-12-27 is outside the dates Keel handles (1900-01-01 to 2199-12-31)`."""
    if error := date_range_error(day):
        raise ValueError(f"{name}: {error}")
    return day


def validate_in_range(day: date) -> None:
    """A validator for Django form and DRF fields: django.core.exceptions.ValidationError with
    `date_range_error`'s message when `day` is outside DATE_MIN..DATE_MAX."""
    if error := date_range_error(day):
        raise ValidationError(error)


def as_granularity(value: object) -> Granularity:
    """`value` as a Granularity (a string read from a row, a form or a URL); ValueError naming
    it when it is neither `week` nor `month`."""
    if value == "week" or value == "month":
        return value
    raise ValueError(f"unknown granularity {value!r}")


def period_start_of(day: date, granularity: Granularity) -> date:
    """The first local date of the period containing local date `day`."""
    if granularity == "week":
        return day - timedelta(days=day.weekday())
    if granularity == "month":
        return day.replace(day=1)
    raise ValueError(f"unknown granularity {granularity!r}")


def next_period_start(start: date, granularity: Granularity) -> date:
    """The start of the period after the one starting at `start`."""
    if granularity == "week":
        return start + timedelta(days=7)
    if granularity != "month":
        raise ValueError(f"unknown granularity {granularity!r}")
    if start.month == 12:
        return date(start.year + 1, 1, 1)
    return date(start.year, start.month + 1, 1)


def period_of(instant: datetime, granularity: Granularity, tz: str = "UTC") -> date:
    """The `period_start` (local date) of the period containing aware datetime `instant`."""
    if instant.tzinfo is None:
        raise ValueError("naive datetime: Keel only places aware instants in periods")
    return period_start_of(instant.astimezone(ZoneInfo(tz)).date(), granularity)


def local_midnight(day: date, tz: str = "UTC") -> datetime:
    """00:00 of local date `day` in `tz`, as an aware datetime (dates are placed in periods as
    instants)."""
    return datetime(day.year, day.month, day.day, tzinfo=ZoneInfo(tz))


def period_bounds(
    start: date, granularity: Granularity, tz: str = "UTC"
) -> tuple[datetime, datetime]:
    """Aware `[start, end)` instants of the period whose first local date is `start`."""
    return local_midnight(start, tz), local_midnight(next_period_start(start, granularity), tz)


def iter_periods(first: date, last: date, granularity: Granularity) -> Iterator[date]:
    """Period starts from the period containing `first` to the one containing `last`, inclusive."""
    current = period_start_of(first, granularity)
    end = period_start_of(last, granularity)
    while current <= end:
        yield current
        current = next_period_start(current, granularity)


def periods_of(instants: pd.Series, granularity: Granularity, tz: str = "UTC") -> pd.Series:
    """Vectorised `period_of`: the `period_start` (local `date`) of each aware instant of a
    pandas Series (datetime64 with a time zone), as an object Series on the same index; NaT
    stays None. One pass in numpy, then one `date` object per distinct period."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"unknown granularity {granularity!r}")
    if instants.dt.tz is None:
        raise ValueError("naive datetimes: Keel only places aware instants in periods")
    local = instants.dt.tz_convert(tz).dt.tz_localize(None).to_numpy("datetime64[D]")
    if granularity == "week":  # 1970-01-01 was a Thursday (weekday 3)
        days = local.astype("int64")
        starts = (local - ((days + 3) % 7).astype("timedelta64[D]")).astype("datetime64[D]")
    else:
        starts = local.astype("datetime64[M]").astype("datetime64[D]")
    codes, uniques = pd.factorize(starts)
    lookup = np.array(
        [None if pd.isna(u) else u.astype(object) for u in uniques] + [None], dtype=object
    )
    return pd.Series(lookup[codes], index=instants.index, dtype=object)
