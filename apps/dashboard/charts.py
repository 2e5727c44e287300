"""The metric page's chart as a Plotly figure (plain JSON, drawn by the plotly.js bundled in the
installed `plotly` package; see `assets.py`). Pure: a series frame in, a figure dict out.

Series frame columns: period_start (date), value (float, NaN = null), smoothed (float),
anomaly (bool), note (str) — see `selectors.series_frame`.
"""

import math

import pandas as pd

VALUE_COLOR, SMOOTH_COLOR, ANOMALY_COLOR = "#2457d6", "#8a8f98", "#c62828"


def _clean(values) -> list[float | None]:
    return [
        None if v is None or (isinstance(v, float) and math.isnan(v)) else float(v) for v in values
    ]


def _hover(unit_label: str, percent: bool) -> str:
    # Plotly hover template: https://plotly.com/javascript/reference/scatter/#scatter-hovertemplate
    number = "%{y:.2%}" if percent else "%{y:,.4~f} " + unit_label
    return "%{x|%Y-%m-%d}<br><b>" + number + "</b><extra>%{fullData.name}</extra>"


def figure_build(
    series: pd.DataFrame,
    *,
    metric: str,
    unit_label: str,
    percent: bool = False,
    from_zero: bool = True,
    selected: str = "",
) -> dict:
    """A figure with three traces: the values (line + markers; a null leaves a gap), the
    smoothed trend (dashed) and the anomalies (red markers). Each value point carries its
    period_start in `customdata`, which the page uses to open the records behind it.
    `percent`: ratios shown as percentages; `from_zero`: the y axis includes 0 (counts, sums);
    `selected`: an ISO date marked with a vertical line (the point whose records are shown)."""
    x = [d.isoformat() for d in series["period_start"]]
    values, smoothed = _clean(series["value"]), _clean(series["smoothed"])
    flagged = series["anomaly"].astype(bool).tolist() if len(series) else []
    anomalies = [(xi, v) for xi, v, a in zip(x, values, flagged, strict=True) if a]
    data = [
        {
            "type": "scatter",
            "mode": "lines+markers",
            "name": metric,
            "x": x,
            "y": values,
            "customdata": x,
            "connectgaps": False,
            "hovertemplate": _hover(unit_label, percent),
            "line": {"color": VALUE_COLOR, "width": 2},
            "marker": {"size": 7},
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "smoothed",
            "x": x,
            "y": smoothed,
            "hovertemplate": _hover(unit_label, percent),
            "line": {"color": SMOOTH_COLOR, "dash": "dash"},
        },
        {
            "type": "scatter",
            "mode": "markers",
            "name": "anomaly",
            "x": [a[0] for a in anomalies],
            "y": [a[1] for a in anomalies],
            "customdata": [a[0] for a in anomalies],
            "hovertemplate": _hover(unit_label, percent),
            "marker": {
                "color": ANOMALY_COLOR,
                "size": 13,
                "symbol": "circle-open",
                "line": {"width": 3},
            },
        },
    ]
    layout = {
        "margin": {"l": 56, "r": 16, "t": 16, "b": 40},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18},
        "yaxis": {
            "title": {"text": unit_label},
            "rangemode": "tozero" if from_zero else "normal",
            "tickformat": ".1%" if percent else "",
        },
        "shapes": [
            {
                "type": "line",
                "xref": "x",
                "yref": "paper",
                "x0": selected,
                "x1": selected,
                "y0": 0,
                "y1": 1,
                "line": {"color": ANOMALY_COLOR, "dash": "dot"},
            }
        ]
        if selected
        else [],
        "xaxis": {"type": "date"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif"},
    }
    return {"data": data, "layout": layout}
