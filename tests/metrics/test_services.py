from datetime import date, datetime
from io import StringIO

import pandas as pd
import pytest
from django.core.management import call_command

from apps.metrics.models import MetricRow
from apps.metrics.registry import MetricFamily, families_override
from apps.metrics.services import MetricsComputeError, metric_rows_replace, metrics_compute
from apps.metrics.tasks import compute_metrics_task
from tests.metrics.conftest import FAKE_COST, FAKE_COUNT, FAKE_FAMILY, NOW
from tests.metrics.factories import MetricRowFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
COLUMNS = [
    "metric",
    "scope",
    "scope_key",
    "granularity",
    "period_start",
    "value",
    "sample_size",
    "note",
]
NAN = float("nan")


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=COLUMNS)


def week(metric: str, start: date, value: float, note: str = "", scope_key: str = ""):
    return (metric, "org" if not scope_key else "team", scope_key, "week", start, value, 3, note)


def stored(metric: str = "fake_count") -> list[tuple]:
    return list(
        MetricRow.objects.filter(metric=metric)
        .order_by("period_start")
        .values_list(
            "period_start", "period_end", "value", "unit", "sample_size", "note", "anomaly"
        )
    )


def test_replace_adds_period_end_unit_and_partial_note(fake_registry):
    written = metric_rows_replace(
        frame=frame(
            week("fake_count", date(2026, 1, 5), 4.0),
            week("fake_count", date(2026, 1, 12), 2.0),
            week("fake_count", date(2026, 1, 19), 1.0),
        ),
        metrics=["fake_count"],
        now=NOW,
        tz="UTC",
    )
    assert written == 3
    assert stored() == [
        (date(2026, 1, 5), date(2026, 1, 12), 4.0, "things", 3, "", False),
        (date(2026, 1, 12), date(2026, 1, 19), 2.0, "things", 3, "", False),
        (
            date(2026, 1, 19),
            date(2026, 1, 26),
            1.0,
            "things",
            3,
            "partial period: to 2026-01-21",
            False,
        ),
    ]


def test_partial_period_is_left_out_of_smoothing(fake_registry):
    metric_rows_replace(
        frame=frame(
            week("fake_count", date(2026, 1, 5), 4.0),
            week("fake_count", date(2026, 1, 12), 2.0),
            week("fake_count", date(2026, 1, 19), 1.0),
        ),
        metrics=["fake_count"],
        now=NOW,
        tz="UTC",
    )
    r = 0.5 ** (1 / 3)
    smoothed = list(MetricRow.objects.order_by("period_start").values_list("smoothed", flat=True))
    trend = (2 + 4 * r) / (1 + r)
    assert smoothed == pytest.approx([4.0, trend, trend])


def test_partial_period_uses_the_organisation_time_zone(fake_registry):
    # 03:00 UTC on Monday 26 January is still Sunday evening in New York.
    now = datetime.fromisoformat("2026-01-26T03:00:00+00:00")
    metric_rows_replace(
        frame=frame(week("fake_count", date(2026, 1, 19), 1.0)),
        metrics=["fake_count"],
        now=now,
        tz="America/New_York",
    )
    assert stored()[0][5] == "partial period: to 2026-01-25"
    metric_rows_replace(
        frame=frame(week("fake_count", date(2026, 1, 19), 1.0)),
        metrics=["fake_count"],
        now=now,
        tz="UTC",
    )
    assert stored()[0][5] == ""


def test_partial_note_is_appended_to_the_family_note(fake_registry):
    metric_rows_replace(
        frame=frame(week("fake_count", date(2026, 1, 19), NAN, note="no data")),
        metrics=["fake_count"],
        now=NOW,
        tz="UTC",
    )
    assert stored()[0][2] is None
    assert stored()[0][5] == "no data; partial period: to 2026-01-21"


def test_null_without_note_is_rejected_and_nothing_changes(fake_registry):
    MetricRowFactory(value=7.0)
    with pytest.raises(ValueError, match="null value without a note"):
        metric_rows_replace(
            frame=frame(week("fake_count", date(2026, 1, 5), NAN)),
            metrics=["fake_count"],
            now=NOW,
            tz="UTC",
        )
    assert MetricRow.objects.get().value == 7.0


@pytest.mark.parametrize(
    ("rows", "metrics", "message"),
    [
        ([week("fake_count", date(2026, 1, 6), 1.0)], ["fake_count"], "not a period start"),
        ([week("fake_count", date(2026, 1, 5), 1.0)] * 2, ["fake_count"], "duplicate rows"),
        ([week("fake_cost", date(2026, 1, 5), 1.0)], ["fake_count"], "not being replaced"),
        ([week("nope", date(2026, 1, 5), 1.0)], ["nope"], "unregistered metrics"),
    ],
)
def test_invalid_frames_are_rejected(fake_registry, rows, metrics, message):
    with pytest.raises(ValueError, match=message):
        metric_rows_replace(frame=frame(*rows), metrics=metrics, now=NOW, tz="UTC")


def test_replace_keeps_other_metrics_and_drops_stale_series(fake_registry):
    MetricRowFactory(metric="fake_cost", unit="currency", value=9.0)
    MetricRowFactory(metric="fake_count", scope="team", scope_key="gone", value=9.0)
    metric_rows_replace(
        frame=frame(week("fake_count", date(2026, 1, 5), 1.0)),
        metrics=["fake_count"],
        now=NOW,
        tz="UTC",
    )
    assert sorted(MetricRow.objects.values_list("metric", "scope_key", "value")) == [
        ("fake_cost", "", 9.0),
        ("fake_count", "", 1.0),
    ]


def test_replace_since_keeps_earlier_rows_as_history(fake_registry):
    kept = MetricRowFactory(period_start=date(2026, 1, 5), value=4.0, smoothed=4.0)
    MetricRowFactory(period_start=date(2026, 1, 12), value=99.0)
    written = metric_rows_replace(
        frame=frame(
            week("fake_count", date(2026, 1, 5), 1000.0),  # before the cutoff: ignored
            week("fake_count", date(2026, 1, 12), 2.0),
        ),
        metrics=["fake_count"],
        now=NOW,
        tz="UTC",
        since=date(2026, 1, 14),
    )
    assert written == 1
    rows = list(MetricRow.objects.order_by("period_start"))
    assert [(row.pk == kept.pk, row.value) for row in rows] == [(True, 4.0), (False, 2.0)]
    r = 0.5 ** (1 / 3)
    assert rows[1].smoothed == pytest.approx((2 + 4 * r) / (1 + r))


def test_anomaly_is_stored(fake_registry):
    values = [10.0, 11, 9, 10, 12, 10, 9, 11, 40]
    starts = pd.date_range("2025-11-03", periods=len(values), freq="7D").date
    metric_rows_replace(
        frame=frame(*(week("fake_count", s, v) for s, v in zip(starts, values, strict=True))),
        metrics=["fake_count"],
        now=NOW,
        tz="UTC",
    )
    flags = MetricRow.objects.order_by("period_start").values_list("anomaly", flat=True)
    assert list(flags) == [False] * 8 + [True]


def test_metrics_compute_runs_the_family(fake_registry):
    OrganizationFactory(timezone="UTC")
    assert metrics_compute(now=NOW) == {"fake_count": 3, "fake_cost": 3}
    assert [row[2] for row in stored("fake_cost")] == [10.0, 10.0, 10.0]
    assert stored("fake_cost")[0][3] == "currency"


def test_metrics_compute_only_named_metrics(fake_registry):
    OrganizationFactory()
    assert metrics_compute(metrics=["fake_cost"], now=NOW) == {"fake_cost": 3}
    assert not MetricRow.objects.filter(metric="fake_count").exists()
    with pytest.raises(ValueError, match="unknown metrics"):
        metrics_compute(metrics=["nope"], now=NOW)


def test_metrics_compute_since_recomputes_last_partial_period(fake_registry):
    OrganizationFactory()
    metrics_compute(now=NOW)
    later = datetime.fromisoformat("2026-02-03T12:00:00+00:00")
    # Since 2 February, but the week of 19 January was partial when stored: redone as well.
    written = metrics_compute(since=date(2026, 2, 2), now=later)
    assert written == {"fake_count": 3, "fake_cost": 3}
    notes = [row[5] for row in stored()]
    assert notes == ["", "", "", "", "partial period: to 2026-02-03"]


def test_metrics_compute_isolates_a_failing_family():
    OrganizationFactory()

    def broken(ctx):
        raise RuntimeError("boom")

    working = MetricFamily(name="fake", metrics=(FAKE_COUNT,), compute=FAKE_FAMILY.compute)
    with families_override(
        MetricFamily(name="broken", metrics=(FAKE_COST,), compute=broken), working
    ):
        with pytest.raises(MetricsComputeError, match="broken: RuntimeError: boom") as info:
            metrics_compute(now=NOW)
    assert info.value.written == {"fake_count": 3}
    assert MetricRow.objects.filter(metric="fake_count").count() == 3


def test_command_prints_rows_per_metric(fake_registry):
    OrganizationFactory()
    out = StringIO()
    call_command("compute_metrics", "--since", "2026-01-01", stdout=out)
    lines = out.getvalue().splitlines()
    assert lines[-1].startswith("total: ")
    assert lines[0].startswith("fake_cost ") and lines[1].startswith("fake_count")


def test_task_calls_the_service(fake_registry):
    OrganizationFactory()
    result = compute_metrics_task(since="2026-01-12", metrics=["fake_count"])
    assert set(result) == {"fake_count"}
    from config.celery import app

    route = app.amqp.router.route(
        {}, compute_metrics_task.name, (), {}, task_type=compute_metrics_task
    )
    assert route["queue"].name == "metrics"


def test_a_family_without_data_clears_its_rows(fake_registry):
    MetricRowFactory()
    assert metric_rows_replace(frame=pd.DataFrame(), metrics=["fake_count"], now=NOW, tz="UTC") == 0
    assert not MetricRow.objects.exists()
