"""Small PNG charts for the digest (matplotlib, Agg backend: no display, thread-safe enough
when each call builds its own Figure and never touches pyplot's global state)."""

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402
from matplotlib.ticker import FuncFormatter  # noqa: E402

from apps.digests.content import Point  # noqa: E402
from apps.metrics.display import CURRENCY_SYMBOLS  # noqa: E402
from apps.metrics.registry import CURRENCY_UNIT  # noqa: E402

BAR, TREND, ALERT = "#4c78a8", "#f58518", "#d62728"


def _ticks(unit: str, currency: str):
    """A y-axis tick formatter reading like the digest's numbers ("98%", "$20k", "40")."""

    def label(value: float, _pos: object) -> str:
        if unit == "ratio":
            return f"{value * 100:.0f}%"
        if unit == CURRENCY_UNIT:
            symbol = CURRENCY_SYMBOLS.get(currency, "")
            return (
                f"{symbol}{value / 1000:,.0f}k" if abs(value) >= 1000 else f"{symbol}{value:,.0f}"
            )
        return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"

    return FuncFormatter(label)


def _bar(point: Point | None) -> float:
    """A month's bar height: its value, 0 when it has none."""
    return 0.0 if point is None or point.value is None else float(point.value)


def chart_figure(
    *,
    title: str,
    months: list[date],
    points: dict[date, Point],
    unit: str = "",
    currency: str = "USD",
) -> Figure:
    """A 480×150 px chart: one bar per month (red when anomalous, missing when null) and the
    smoothed trend as a line. `months` are the x axis, oldest first. Bars start at zero, so a
    bar's height is its value (an axis from 96% would make a 1-point dip look like a collapse),
    and the y axis reads in the metric's unit."""
    fig = Figure(figsize=(4.8, 1.5), dpi=100)
    ax = fig.add_subplot()
    labels = [f"{m:%b}" for m in months]
    values = [_bar(points.get(m)) for m in months]
    colors = [ALERT if m in points and points[m].anomaly else BAR for m in months]
    ax.bar(range(len(months)), values, color=colors, width=0.7)
    trend = [points[m].smoothed if m in points else None for m in months]
    ax.plot(
        range(len(months)),
        [t if t is not None else float("nan") for t in trend],
        color=TREND,
        linewidth=1.5,
    )
    low = min([0.0, *values])
    ax.set_ylim(bottom=low)
    ax.yaxis.set_major_formatter(_ticks(unit, currency))
    ax.set_xticks(range(len(months)), labels, fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(title, fontsize=8, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout(pad=0.4)
    return fig


def chart_png(**kwargs) -> bytes:
    """`chart_figure(**kwargs)` as PNG bytes."""
    fig = chart_figure(**kwargs)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
