"""The Unit economics and customers pages' charts as Plotly figures (plain JSON, drawn by the
locally served plotly.js like every chart of the dashboard). Pure: report dicts
(apps.economics.reports) in, figure dicts out."""

import math
from datetime import date

from .charts import ANOMALY_COLOR, SMOOTH_COLOR, VALUE_COLOR

PART_COLORS = {"bug_work": "#2457d6", "downtime": "#c62828", "cloud_during_outages": "#8a5a00"}
PART_LABELS = {
    "bug_work": "Bug work",
    "downtime": "Downtime (revenue lost)",
    "cloud_during_outages": "Cloud spend during outages",
}
FIXED_COLOR = "#8a8f98"


def _layout(y_title: str, **extra) -> dict:
    layout = {
        "margin": {"l": 64, "r": 16, "t": 16, "b": 40},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.2},
        "yaxis": {"title": {"text": y_title}, "rangemode": "tozero"},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif"},
    }
    return layout | extra


def _iso(months: list[date]) -> list[str]:
    return [m.isoformat() for m in months]


def _none(value: float | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def fit_figure(points: list[dict], *, currency: str) -> dict:
    """Monthly cost (markers) and the cost the model gives for each month fitted (dashed)."""
    months = _iso([p["month"] for p in points])
    money = "%{y:,.0f} " + currency
    return {
        "data": [
            {
                "type": "scatter",
                "mode": "lines+markers",
                "name": "cost",
                "x": months,
                "y": [p["cost"] for p in points],
                "line": {"color": VALUE_COLOR, "width": 2},
                "hovertemplate": "%{x|%b %Y}<br>cost <b>" + money + "</b><extra></extra>",
            },
            {
                "type": "scatter",
                "mode": "lines",
                "name": "model",
                "x": months,
                "y": [p["fitted_cost"] for p in points],
                "line": {"color": SMOOTH_COLOR, "dash": "dash"},
                "hovertemplate": "%{x|%b %Y}<br>model <b>" + money + "</b><extra></extra>",
            },
        ],
        "layout": _layout(currency, xaxis={"type": "date"}),
    }


def residual_figure(points: list[dict]) -> dict:
    """Each month's cost against the model, as a percentage (exp(residual) − 1): a run of
    bars on one side means the model's shape is wrong there."""
    months = _iso([p["month"] for p in points])
    gaps = [math.expm1(p["residual"]) for p in points]
    return {
        "data": [
            {
                "type": "bar",
                "name": "cost vs model",
                "x": months,
                "y": gaps,
                "marker": {"color": [ANOMALY_COLOR if g > 0 else VALUE_COLOR for g in gaps]},
                "hovertemplate": "%{x|%b %Y}<br><b>%{y:+.1%}</b> vs the model<extra></extra>",
            }
        ],
        "layout": _layout(
            "cost vs model",
            xaxis={"type": "date"},
            yaxis={"title": {"text": "cost vs model"}, "tickformat": "+.0%", "zeroline": True},
            showlegend=False,
        ),
    }


def split_figure(split: dict, *, currency: str) -> dict:
    """The month's cost as one bar: the part that moves with customers at the margin and the
    part that behaves as fixed."""
    bars = [("marginal", split["marginal"], VALUE_COLOR), ("fixed", split["fixed"], FIXED_COLOR)]
    return {
        "data": [
            {
                "type": "bar",
                "orientation": "h",
                "name": f"{name} ({currency} {value:,.0f})",
                "x": [value],
                "y": ["cost"],
                "marker": {"color": color},
                "hovertemplate": f"{name}: %{{x:,.0f}} {currency}<extra></extra>",
            }
            for name, value, color in bars
        ],
        "layout": _layout(
            "",
            barmode="stack",
            height=140,
            margin={"l": 16, "r": 16, "t": 8, "b": 56},
            yaxis={"showticklabels": False},
            xaxis={"rangemode": "tozero", "tickprefix": f"{currency} "},
            legend={"orientation": "h", "y": -0.6, "traceorder": "normal"},
        ),
    }


def projection_figure(cost: float, projections: list[dict], *, currency: str, month: date) -> dict:
    """The month's cost and the projections at 2× and 10× customers, with their 90 %
    prediction intervals as error bars."""
    labels = [f"{month:%B %Y}", *(f"{p['customers_x']:g}× customers" for p in projections)]
    values = [cost, *(p["cost"] for p in projections)]
    up = [0.0, *((p["high_90"] or 0) - (p["cost"] or 0) for p in projections)]
    down = [0.0, *((p["cost"] or 0) - (p["low_90"] or 0) for p in projections)]
    return {
        "data": [
            {
                "type": "bar",
                "x": labels,
                "y": values,
                "marker": {"color": [VALUE_COLOR, SMOOTH_COLOR, SMOOTH_COLOR]},
                "error_y": {"type": "data", "symmetric": False, "array": up, "arrayminus": down},
                "hovertemplate": "%{x}<br><b>%{y:,.0f} " + currency + "</b><extra></extra>",
            }
        ],
        "layout": _layout(currency, showlegend=False),
    }


def quality_figure(months: list[dict], *, currency: str) -> dict:
    """The cost of poor quality by month, its three parts stacked (a part not valued is
    absent from its month)."""
    x = _iso([m["month"] for m in months])
    return {
        "data": [
            {
                "type": "bar",
                "name": PART_LABELS[part],
                "x": x,
                "y": [_none(m[part]) for m in months],
                "marker": {"color": color},
                "hovertemplate": "%{x|%b %Y}<br>"
                + PART_LABELS[part]
                + ": <b>%{y:,.0f} "
                + currency
                + "</b><extra></extra>",
            }
            for part, color in PART_COLORS.items()
        ],
        "layout": _layout(currency, barmode="stack", xaxis={"type": "date"}),
    }


def survival_figure(curve: list[dict], *, median: float | None) -> dict:
    """The Kaplan–Meier curve (share of customers not live yet after so many days) as steps,
    its 90 % band shaded, and the median marked where the curve crosses one half."""
    days = [c["days"] for c in curve]
    band = {"shape": "hv", "width": 0}
    data = [
        {
            "type": "scatter",
            "mode": "lines",
            "x": days,
            "y": [c["high"] for c in curve],
            "line": band,
            "showlegend": False,
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "x": days,
            "y": [c["low"] for c in curve],
            "line": band,
            "fill": "tonexty",
            "fillcolor": "rgba(36,87,214,0.15)",
            "name": "90% band",
            "hoverinfo": "skip",
        },
        {
            "type": "scatter",
            "mode": "lines",
            "name": "still onboarding",
            "x": days,
            "y": [c["onboarding"] for c in curve],
            "line": {"shape": "hv", "color": VALUE_COLOR},
            "hovertemplate": "after %{x:.0f} days<br><b>%{y:.0%}</b> not live yet<extra></extra>",
        },
    ]
    shapes = [
        {
            "type": "line",
            "xref": "paper",
            "x0": 0,
            "x1": 1,
            "y0": 0.5,
            "y1": 0.5,
            "line": {"color": SMOOTH_COLOR, "dash": "dot"},
        },
    ]
    if median is not None:
        shapes.append(
            {
                "type": "line",
                "x0": median,
                "x1": median,
                "yref": "paper",
                "y0": 0,
                "y1": 1,
                "line": {"color": ANOMALY_COLOR, "dash": "dot"},
            }
        )
    layout = _layout(
        "share not live yet",
        xaxis={"title": {"text": "days since onboarding started"}, "rangemode": "tozero"},
        yaxis={"title": {"text": "share not live yet"}, "tickformat": ".0%", "range": [0, 1.02]},
        shapes=shapes,
    )
    return {"data": data, "layout": layout}
