"""The running period, honestly: numbers to date compared with the same days of the period
before, and the last 30 days against the 30 before (docs/dashboard.md#to-date).

A stored row of the current month holds the month *to date*; set beside a whole month it makes
fake cliffs (cost "falls" to a seventh). So the dashboard asks each metric family for its
numbers over two windows of the same length, by the family's own rules
(`MetricFamily.window`), and compares those.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.utils import timezone

from apps.core.periods import Granularity, local_midnight, next_period_start, period_start_of
from apps.metrics.registry import MetricFamily, WindowQuery, WindowValue, families
from apps.organization.selectors import organization_get

TRAILING_DAYS = 30
VIEWS: dict[str, str] = {
    "month": "Last complete month",
    "mtd": "Month to date",
    "t30": f"Last {TRAILING_DAYS} days",
}
DEFAULT_VIEW = "month"
WINDOW_SCOPES = ("org", "team", "service")


def days_label(start: date, last: date) -> str:
    """Inclusive local days as people write them: "1–6 Dec 2026", "7 Nov – 6 Dec 2026",
    "6 Dec 2026"."""
    if start == last:
        return f"{start.day} {start:%b %Y}"
    if (start.year, start.month) == (last.year, last.month):
        return f"{start.day}–{last.day} {last:%b %Y}"
    if start.year == last.year:
        return f"{start.day} {start:%b} – {last.day} {last:%b %Y}"
    return f"{start.day} {start:%b %Y} – {last.day} {last:%b %Y}"


@dataclass(frozen=True)
class Comparison:
    """Two windows of the same length and the metrics over each: `current` (shown, labelled
    `label`) and `previous` (compared with it, labelled `against`). `start` is the first day of
    the current window (the period_start of a to-date period)."""

    key: str
    start: date
    label: str
    against: str
    current: dict[str, WindowValue]
    previous: dict[str, WindowValue]


def _local_day(instant: datetime, tz: str) -> date:
    """The local date of the last instant before `instant` (an exclusive end)."""
    return (instant - timedelta(microseconds=1)).astimezone(ZoneInfo(tz)).date()


def to_date_windows(
    *, granularity: Granularity, now: datetime, tz: str
) -> tuple[date, tuple[datetime, datetime], tuple[datetime, datetime]]:
    """(the current period's start, [its start, now), the same length from the previous
    period's start, never past that period's end)."""
    start = period_start_of(now.astimezone(ZoneInfo(tz)).date(), granularity)
    start_at = local_midnight(start, tz)
    previous = period_start_of(start - timedelta(days=1), granularity)
    previous_at = local_midnight(previous, tz)
    previous_end = min(previous_at + (now - start_at), local_midnight(start, tz))
    return start, (start_at, now), (previous_at, previous_end)


def trailing_windows(*, now: datetime, days: int = TRAILING_DAYS) -> tuple[tuple, tuple]:
    """[now − days, now) and the `days` before it."""
    span = timedelta(days=days)
    return (now - span, now), (now - 2 * span, now - span)


def window_values(
    *,
    scope: str,
    scope_key: str,
    windows: tuple[tuple[datetime, datetime], ...],
    now: datetime,
    only: Iterable[MetricFamily] | None = None,
) -> list[dict[str, WindowValue]]:
    """Every family's metrics (or only those of `only`) over each window, merged."""
    tz = organization_get().timezone
    query = WindowQuery(scope=scope, scope_key=scope_key, windows=windows, tz=tz, now=now)
    merged: list[dict[str, WindowValue]] = [{} for _ in windows]
    for family in only if only is not None else families():
        if family.window is None or scope not in WINDOW_SCOPES:
            continue
        for i, values in enumerate(family.window(query)):
            merged[i].update(values)
    return merged


def comparison_get(
    *,
    key: str,
    scope: str,
    scope_key: str,
    granularity: Granularity = "month",
    now: datetime | None = None,
    only: Iterable[MetricFamily] | None = None,
) -> Comparison:
    """`key` "mtd" (the current period of `granularity` to date against the same days of the
    previous one) or "t30" (the last 30 days against the 30 before)."""
    now = now or timezone.now()
    tz = organization_get().timezone
    if key == "t30":
        current, previous = trailing_windows(now=now)
        start = current[0].astimezone(ZoneInfo(tz)).date()
    else:
        start, current, previous = to_date_windows(granularity=granularity, now=now, tz=tz)
    values = window_values(
        scope=scope, scope_key=scope_key, windows=(current, previous), now=now, only=only
    )
    labels = [
        days_label(w[0].astimezone(ZoneInfo(tz)).date(), _local_day(w[1], tz))
        for w in (current, previous)
    ]
    return Comparison(key, start, labels[0], labels[1], values[0], values[1])


def period_end_of(start: date, granularity: Granularity) -> date:
    """The exclusive end (local date) of the period starting at `start`."""
    return next_period_start(start, granularity)
