"""Digest charts: bars from zero (a 1-point dip in uptime is not drawn as a collapse) and a y
axis in the metric's unit."""

from datetime import date

from apps.digests.charts import chart_figure, chart_png
from apps.digests.content import Point

MONTHS = [date(2026, m, 1) for m in range(1, 7)]


def _points(values: list[float]) -> dict[date, Point]:
    return {
        m: Point(value=v, smoothed=v, anomaly=False, note="")
        for m, v in zip(MONTHS, values, strict=True)
    }


def _ticks(fig) -> list[str]:
    ax = fig.axes[0]
    fig.canvas.draw()
    return [t.get_text() for t in ax.get_yticklabels()]


def test_uptime_bars_start_at_zero_in_percent() -> None:
    fig = chart_figure(
        title="Uptime",
        months=MONTHS,
        points=_points([0.99, 0.97, 0.98, 0.99, 0.985, 0.975]),
        unit="ratio",
    )
    assert fig.axes[0].get_ylim()[0] == 0.0
    labels = _ticks(fig)
    assert labels[0] == "0%" and all(label.endswith("%") for label in labels)


def test_cost_axis_in_the_billing_currency() -> None:
    fig = chart_figure(
        title="Cost",
        months=MONTHS,
        points=_points([12000, 14000, 16000, 18000, 20000, 22000]),
        unit="currency",
        currency="EUR",
    )
    assert fig.axes[0].get_ylim()[0] == 0.0
    assert "€20k" in _ticks(fig) and "€0" in _ticks(fig)
    assert chart_png(title="Cost", months=MONTHS, points={}).startswith(b"\x89PNG")
