"""The dashboard's one chart builder: Plotly figures (plain JSON, drawn by the plotly.js bundled
in the installed `plotly` package; see `assets.py`). Pure: series frames in, a figure dict out.

Series frame columns: period_start (date), period_end (date, exclusive), value (float, NaN =
null), smoothed (float), anomaly (bool), note (str) — see `selectors.series_frame`.

Every chart draws the running period apart (docs/dashboard.md#to-date): a hollow marker at the
end of a dotted segment, labelled "to date", never on the solid line of finished periods.
Numbers read as everywhere else (`apps.metrics.display.plotly_number`).
"""

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import pandas as pd

from apps.metrics.display import plotly_number, unit_title
from apps.metrics.registry import MetricDefinition

VALUE_COLOR, SMOOTH_COLOR, ANOMALY_COLOR, SELECT_COLOR = "#2457d6", "#6b7280", "#a4231b", "#a4231b"
GOAL_COLOR = "#16692f"  # the goal line: the dashboard's "good" green
# Distinct hues (and dashes) for side-by-side series, e.g. teams on the comparison page.
PALETTE = ("#2457d6", "#c2410c", "#0f766e", "#7c3aed", "#b45309", "#be185d", "#15803d", "#334155")
DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")


def _clean(values) -> list[float | None]:
    return [
        None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values
    ]


@dataclass(frozen=True)
class ChartSpec:
    """How one metric is charted: its title, unit formats, whether the y axis includes 0
    (counts and sums) and the granularity (for hover dates)."""

    title: str
    hover: str
    tickformat: str
    tickprefix: str
    axis_title: str
    from_zero: bool
    granularity: str

    @classmethod
    def of(cls, metric: MetricDefinition, *, currency: str, granularity: str) -> "ChartSpec":
        number = plotly_number(metric.unit, currency=currency)
        return cls(
            title=metric.title_long,
            hover=number.hover,
            tickformat=number.tickformat,
            tickprefix=number.tickprefix,
            axis_title=unit_title(metric.unit, currency=currency),
            from_zero=metric.kind in ("count", "sum"),
            granularity=granularity,
        )

    def hovertemplate(self, suffix: str = "") -> str:
        # Plotly hover template: https://plotly.com/javascript/reference/scatter/#scatter-hovertemplate
        when = "%{x|%b %Y}" if self.granularity == "month" else "week of %{x|%d %b %Y}"
        return f"{when}{suffix}<br><b>{self.hover}</b><extra>%{{fullData.name}}</extra>"


def _split(series: pd.DataFrame, today: date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(finished periods, the running one) of a series sorted by period_start."""
    ordered = series.sort_values("period_start")
    running = (ordered["period_start"] <= today) & (ordered["period_end"] > today)
    return ordered[~running], ordered[running]


def _to_date_traces(
    done: pd.DataFrame, running: pd.DataFrame, spec: ChartSpec, name: str, color: str
) -> list[dict]:
    """The dotted segment from the last finished value to the running period's hollow marker."""
    if running.empty:
        return []
    x = [d.isoformat() for d in running["period_start"]]
    y = _clean(running["value"])
    last = done.tail(1)
    lx = [d.isoformat() for d in last["period_start"]] + x
    ly = _clean(last["value"]) + y
    return [
        {
            "type": "scatter",
            "mode": "lines",
            "x": lx,
            "y": ly,
            "hoverinfo": "skip",
            "showlegend": False,
            "line": {"color": color, "width": 2, "dash": "dot"},
        },
        {
            "type": "scatter",
            "mode": "markers+text",
            "name": f"{name} (to date)",
            "x": x,
            "y": y,
            "customdata": x,
            "text": ["to date"],
            "textposition": "top center",
            "textfont": {"color": "#374151", "size": 11},
            "hovertemplate": spec.hovertemplate(" to date"),
            "marker": {
                "size": 9,
                "symbol": "circle-open",
                "color": color,
                "line": {"width": 2, "color": color},
            },
            "showlegend": False,
        },
    ]


def _values_trace(done: pd.DataFrame, spec: ChartSpec, name: str, color: str, dash: str) -> dict:
    x = [d.isoformat() for d in done["period_start"]]
    return {
        "type": "scatter",
        "mode": "lines+markers",
        "name": name,
        "x": x,
        "y": _clean(done["value"]),
        "customdata": x,
        "connectgaps": False,
        "hovertemplate": spec.hovertemplate(),
        "line": {"color": color, "width": 2, "dash": dash},
        "marker": {"size": 7, "color": color},
    }


def _anomaly_trace(done: pd.DataFrame, spec: ChartSpec) -> dict:
    flagged = done[done["anomaly"].astype(bool)] if len(done) else done
    x = [d.isoformat() for d in flagged["period_start"]]
    return {
        "type": "scatter",
        "mode": "markers",
        "name": "anomaly",
        "x": x,
        "y": _clean(flagged["value"]),
        "customdata": x,
        "hovertemplate": spec.hovertemplate(" — anomaly"),
        # A ringed diamond, not a colour alone, marks an anomaly.
        "marker": {
            "color": ANOMALY_COLOR,
            "size": 15,
            "symbol": "diamond-open",
            "line": {"width": 3},
        },
    }


def _layout(spec: ChartSpec, *, selected: str, legend: bool = True) -> dict:
    shapes = []
    if selected:
        shapes.append(
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": selected,
                "x1": selected,
                "y0": 0,
                "y1": 1,
                "line": {"color": SELECT_COLOR, "dash": "dot"},
            }
        )
    return {
        "margin": {"l": 16, "r": 16, "t": 16, "b": 40},
        "hovermode": "closest",
        "showlegend": legend,
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {
            "title": {"text": spec.axis_title, "standoff": 12},
            "automargin": True,
            "rangemode": "tozero" if spec.from_zero else "normal",
            "tickformat": spec.tickformat,
            "tickprefix": spec.tickprefix,
            "zeroline": True,
            "zerolinecolor": "#9ca3af",
        },
        "shapes": shapes,
        "xaxis": {"type": "date", "automargin": True},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif"},
    }


def _goal_trace(x: list[str], goal: float, spec: ChartSpec, label: str) -> dict:
    """The goal as a flat dotted line across the chart (docs/dashboard.md#goals)."""
    return {
        "type": "scatter",
        "mode": "lines",
        "name": label,
        "x": [x[0], x[-1]],
        "y": [goal, goal],
        "hovertemplate": f"{label}<extra></extra>",
        "line": {"color": GOAL_COLOR, "dash": "dot", "width": 2},
    }


def figure_build(
    series: pd.DataFrame,
    *,
    spec: ChartSpec,
    today: date,
    selected: str = "",
    goal: tuple[float, str] | None = None,
) -> dict:
    """One metric: the finished periods' values (line + markers; a null leaves a gap), the
    smoothed trend (dashed), the anomalies (ringed diamonds) and the running period to date
    (dotted, hollow, labelled). Each value point carries its period_start in `customdata`,
    which the page uses to open the records behind it. `selected`: an ISO date marked with a
    vertical line (the point whose records are shown). `goal`: (target, legend label) drawn as
    a flat dotted line."""
    done, running = _split(series, today)
    x = [d.isoformat() for d in done["period_start"]]
    data = [
        _values_trace(done, spec, spec.title, VALUE_COLOR, "solid"),
        {
            "type": "scatter",
            "mode": "lines",
            "name": "smoothed trend",
            "x": x,
            "y": _clean(done["smoothed"]),
            "hovertemplate": spec.hovertemplate(" trend"),
            "line": {"color": SMOOTH_COLOR, "dash": "dash"},
        },
        _anomaly_trace(done, spec),
        *_to_date_traces(done, running, spec, spec.title, VALUE_COLOR),
    ]
    if goal is not None and x:
        data.append(_goal_trace(x, goal[0], spec, goal[1]))
    return {"data": data, "layout": _layout(spec, selected=selected)}


def comparison_figure(
    series: dict[str, pd.DataFrame],
    *,
    spec: ChartSpec,
    today: date,
    goals: Sequence[tuple[float, str]] = (),
) -> dict:
    """Several series of one metric side by side (e.g. one per team): each its own hue and
    dash, its running period dotted and hollow like on every chart. `goals`: (target, legend
    label) pairs, each drawn as a flat dotted line across the finished periods."""
    data = []
    x: set[str] = set()
    for i, (name, frame) in enumerate(series.items()):
        color, dash = PALETTE[i % len(PALETTE)], DASHES[i % len(DASHES)]
        done, running = _split(frame, today)
        x.update(d.isoformat() for d in done["period_start"])
        data.append(_values_trace(done, spec, name, color, dash))
        data += _to_date_traces(done, running, spec, name, color)
    if x:
        span = sorted(x)
        data += [_goal_trace(span, target, spec, label) for target, label in goals]
    return {"data": data, "layout": _layout(spec, selected="")}
