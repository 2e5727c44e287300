"""The flow page's chart (docs/dashboard.md#flow-page) as a Plotly figure (plain JSON, drawn by
the locally served plotly.js like every chart of the dashboard). Pure: periods in, a dict out.

One stacked bar per period of the four stage medians, the median lead time as a dark diamond
on top (it is not the bars' sum: medians do not add), the running period hatched and paler
with a hollow diamond and "to date" over it, as every chart draws the running period apart
(docs/dashboard.md#to-date). Each bar segment carries the address of the records behind it in
`customdata`, which keel.js opens on a click.
"""

from collections.abc import Callable

from apps.metrics.registry import MetricDefinition

from .flow import FlowPeriod, Unit, duration_text, in_unit

# Okabe & Ito's palette, told apart with every common colour-vision deficiency
# (https://jfly.uni-koeln.de/color/): blue, orange, bluish green, reddish purple.
STAGE_COLORS = ("#0072B2", "#E69F00", "#009E73", "#CC79A7")
LEAD_COLOR = "#1b1f24"
RUNNING_OPACITY = 0.6


def _hover(granularity: str, label: str) -> str:
    """The period and the value as the table says it (`text`, drawn nowhere else).
    https://plotly.com/javascript/reference/bar/#bar-hovertemplate"""
    when = "%{x|%b %Y}" if granularity == "month" else "week of %{x|%d %b %Y}"
    return f"{when}<br>{label}: <b>%{{text}}</b><extra></extra>"


def _stage_trace(
    metric: MetricDefinition,
    color: str,
    periods: list[FlowPeriod],
    unit: Unit,
    granularity: str,
    link: Callable[[str, FlowPeriod], str],
) -> dict:
    running = [p.to_date for p in periods]
    return {
        "type": "bar",
        "name": metric.title,
        "x": [p.start.isoformat() for p in periods],
        "y": [in_unit(p.stages[metric.name].hours, unit) for p in periods],
        "customdata": [link(metric.name, p) for p in periods],
        "text": [duration_text(p.stages[metric.name].hours) for p in periods],
        "textposition": "none",
        "hovertemplate": _hover(granularity, metric.title),
        "marker": {
            "color": color,
            "opacity": [RUNNING_OPACITY if r else 1.0 for r in running],
            "line": {"color": "#ffffff", "width": 1},
            # The running period hatched, not told by colour alone: white stripes over the
            # paler colour ("overlay"; "replace" would draw white stripes on nothing).
            # https://plotly.com/javascript/reference/bar/#bar-marker-pattern
            "pattern": {
                "shape": ["/" if r else "" for r in running],
                "fillmode": "overlay",
                "fgcolor": "#ffffff",
                "solidity": 0.4,
            },
        },
    }


def _lead_traces(periods: list[FlowPeriod], unit: Unit, granularity: str, label: str) -> list:
    done = [p for p in periods if not p.to_date]
    running = [p for p in periods if p.to_date]
    marker = {"color": LEAD_COLOR, "size": 11, "line": {"color": "#ffffff", "width": 1.5}}
    traces: list[dict] = [
        {
            "type": "scatter",
            "mode": "markers",
            "name": label,
            "x": [p.start.isoformat() for p in done],
            "y": [in_unit(p.lead.hours, unit) for p in done],
            "text": [duration_text(p.lead.hours) for p in done],
            "hovertemplate": _hover(granularity, label),
            "marker": {**marker, "symbol": "diamond"},
        }
    ]
    if running:
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": f"{label} (to date)",
                "showlegend": False,
                "x": [p.start.isoformat() for p in running],
                "y": [in_unit(p.lead.hours, unit) for p in running],
                "text": [duration_text(p.lead.hours) for p in running],
                "hovertemplate": _hover(granularity, f"{label} to date"),
                "marker": {
                    "symbol": "diamond-open",
                    "size": 11,
                    "color": LEAD_COLOR,
                    "line": {"color": LEAD_COLOR, "width": 2},
                },
            }
        )
    return traces


def _to_date_label(periods: list[FlowPeriod], unit: Unit) -> list[dict]:
    """ "to date" above the running period's bar and diamond."""
    out = []
    for p in periods:
        if not p.to_date:
            continue
        stacked = sum(c.hours for c in p.stages.values() if c.hours is not None)
        top = max(stacked, p.lead.hours or 0.0)
        out.append(
            {
                "x": p.start.isoformat(),
                "y": in_unit(top, unit),
                "text": "to date",
                "showarrow": False,
                "yanchor": "bottom",
                "yshift": 18,  # above the hollow diamond and its neighbours' diamonds
                "font": {"color": "#374151", "size": 11},
            }
        )
    return out


def flow_figure(
    periods: list[FlowPeriod],
    *,
    stages: list[MetricDefinition],
    lead_label: str,
    unit: Unit,
    granularity: str,
    link: Callable[[str, FlowPeriod], str],
) -> dict:
    """The stacked stage medians per period with the lead time on top. `link(metric, period)`
    gives the records page of one metric and period (the bar segment's `customdata`)."""
    data = [
        _stage_trace(metric, STAGE_COLORS[i % len(STAGE_COLORS)], periods, unit, granularity, link)
        for i, metric in enumerate(stages)
    ]
    data += _lead_traces(periods, unit, granularity, lead_label)
    layout = {
        "barmode": "stack",
        "bargap": 0.25,
        "margin": {"l": 56, "r": 16, "t": 24, "b": 40},
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.18, "traceorder": "normal"},
        "yaxis": {
            "title": {"text": f"median, {unit}", "standoff": 12},
            "automargin": True,
            "rangemode": "tozero",
            "tickformat": ",.1~f",
            "zeroline": True,
            "zerolinecolor": "#9ca3af",
        },
        "xaxis": {"type": "date", "automargin": True},
        "annotations": _to_date_label(periods, unit),
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "font": {"family": "system-ui, sans-serif"},
    }
    return {"data": data, "layout": layout}
