"""Numbers over windows (apps.dashboard.windows and each family's `window`): a window that is
exactly a finished period gives that period's stored number, for every metric a family windows,
every scope and the last complete months of the demo organisation; and the running month is
compared with the same days of the month before."""

from collections.abc import Iterator
from datetime import UTC, date, datetime

import pytest
from django.db import transaction

from apps.core.periods import period_bounds
from apps.dashboard.windows import days_label, to_date_windows, trailing_windows, window_values
from apps.metrics.models import MetricRow
from apps.metrics.registry import families
from apps.organization.models import PagerDutyService, Team


@pytest.fixture(scope="module")
def demo_module(django_db_setup, django_db_blocker) -> Iterator[None]:
    """The demo organisation once for the module, rolled back after its last test."""
    from apps.demo.services import demo_build

    with django_db_blocker.unblock(), transaction.atomic():
        result = demo_build()
        result.simulator.stop()
        yield
        transaction.set_rollback(True)


def _scopes() -> list[tuple[str, str]]:
    teams = [("team", t.slug) for t in Team.objects.order_by("slug")]
    services = [("service", s.service_id) for s in PagerDutyService.objects.order_by("pk")]
    return [("org", ""), *teams, *services]


def test_a_window_that_is_a_month_gives_the_month(demo_module, db) -> None:
    windowed = {m for f in families() if f.window for m in f.metric_names}
    assert {"release_frequency", "bug_impact_days", "uptime", "cost", "bug_fix_share"} <= windowed
    months = sorted(
        set(
            MetricRow.objects.filter(metric="cost", scope="org", granularity="month")
            .order_by("-period_start")
            .values_list("period_start", flat=True)[1:4]
        )
    )
    checked = 0
    for scope, key in _scopes():
        windows = tuple(period_bounds(m, "month", "UTC") for m in months)
        values = window_values(scope=scope, scope_key=key, windows=windows, now=datetime.now(UTC))
        rows = MetricRow.objects.filter(
            scope=scope, scope_key=key, granularity="month", period_start__in=months
        )
        for row in rows:
            got = values[months.index(row.period_start)].get(row.metric)
            if got is None:
                continue
            if row.value is None:
                assert got.value is None and got.note == row.note, (row, got)
            else:
                assert got.value == pytest.approx(row.value, rel=1e-9, abs=1e-9), (row, got)
            assert got.sample_size == row.sample_size, (row, got)
            checked += 1
    assert checked > 150


def test_to_date_windows_are_the_same_days_of_the_period_before() -> None:
    now = datetime(2026, 12, 6, 14, 30, tzinfo=UTC)
    start, current, previous = to_date_windows(granularity="month", now=now, tz="UTC")
    assert start == date(2026, 12, 1)
    assert current == (datetime(2026, 12, 1, tzinfo=UTC), now)
    assert previous == (
        datetime(2026, 11, 1, tzinfo=UTC),
        datetime(2026, 11, 6, 14, 30, tzinfo=UTC),
    )
    # 31 March to date against February: never past February's end.
    late = datetime(2026, 3, 31, 12, tzinfo=UTC)
    _, _, february = to_date_windows(granularity="month", now=late, tz="UTC")
    assert february == (datetime(2026, 2, 1, tzinfo=UTC), datetime(2026, 3, 1, tzinfo=UTC))
    # A week: Monday 00:00 to now, against the same time since the Monday before.
    _, week, before = to_date_windows(granularity="week", now=now, tz="UTC")
    assert week[0] == datetime(2026, 11, 30, tzinfo=UTC)
    assert before == (
        datetime(2026, 11, 23, tzinfo=UTC),
        datetime(2026, 11, 29, 14, 30, tzinfo=UTC),
    )
    last30, before30 = trailing_windows(now=now)
    assert (last30[1] - last30[0]).days == 30 and before30[1] == last30[0]


def test_days_read_as_people_write_them() -> None:
    assert days_label(date(2026, 12, 1), date(2026, 12, 6)) == "1–6 Dec 2026"
    assert days_label(date(2026, 11, 7), date(2026, 12, 6)) == "7 Nov – 6 Dec 2026"
    assert days_label(date(2025, 12, 20), date(2026, 1, 2)) == "20 Dec 2025 – 2 Jan 2026"
    assert days_label(date(2026, 12, 6), date(2026, 12, 6)) == "6 Dec 2026"
