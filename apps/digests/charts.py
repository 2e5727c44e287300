"""Small PNG charts for the digest (matplotlib, Agg backend: no display, thread-safe enough
when each call builds its own Figure and never touches pyplot's global state)."""

import io
from datetime import date

import matplotlib

matplotlib.use("Agg")
from matplotlib.figure import Figure  # noqa: E402

from apps.digests.content import Point  # noqa: E402

BAR, TREND, ALERT = "#4c78a8", "#f58518", "#d62728"


def _zoom(ax, values: list[float]) -> None:
    """Bars start at zero, except for a series that barely moves far from zero (uptime at
    97–99 %): then the axis starts below its lowest value, so the months can be told apart."""
    positive = [v for v in values if v > 0]
    if len(positive) < 2 or len(positive) < len(values):
        return
    low, high = min(positive), max(positive)
    if high - low < 0.2 * high:
        margin = max(high - low, 0.01 * high)
        ax.set_ylim(max(0.0, low - margin), high + 0.25 * margin)


def _bar(point: Point | None) -> float:
    """A month's bar height: its value, 0 when it has none."""
    return 0.0 if point is None or point.value is None else float(point.value)


def chart_png(*, title: str, months: list[date], points: dict[date, Point]) -> bytes:
    """A 480×150 px PNG: one bar per month (red when anomalous, missing when null) and the
    smoothed trend as a line. `months` are the x axis, oldest first."""
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
    _zoom(ax, [v for m, v in zip(months, values, strict=True) if m in points])
    ax.set_xticks(range(len(months)), labels, fontsize=7)
    ax.tick_params(axis="y", labelsize=7)
    ax.set_title(title, fontsize=8, loc="left")
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    fig.tight_layout(pad=0.4)
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()
