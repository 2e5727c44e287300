"""Template helpers of the dashboard: number formatting, sparklines, asset URLs."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from apps.dashboard.assets import asset_version
from apps.dashboard.navigation import nav_url
from apps.dashboard.status import kind_label as _kind_label
from apps.dashboard.tiles import SPARK_HEIGHT, SPARK_WIDTH, Delta, Headline, Tile, sparkline
from apps.metrics.display import change_text, pct_text, value_text

register = template.Library()


@register.simple_tag
def asset_url(name: str) -> str:
    return reverse("dashboard:asset", args=[asset_version(name), name])


@register.simple_tag
def fmt(value, unit: str, currency: str) -> str:
    return value_text(value, unit=unit, currency=currency)


@register.simple_tag
def fmt_change(value, unit: str, currency: str) -> str:
    return change_text(value, unit=unit, currency=currency)


@register.filter
def fmt_pct(value) -> str:
    return pct_text(value)


@register.simple_tag(takes_context=True)
def nav(context, name: str, *args, **params) -> str:
    """A dashboard URL keeping the request's filters (apps.dashboard.navigation)."""
    request = context.get("request")
    return nav_url(name, *args, query=request.GET if request else {}, **params)


ARROWS = {"up": "▲", "down": "▼", "flat": "="}


@register.inclusion_tag("dashboard/_delta.html")
def delta(d: Delta, unit: str, currency: str, pct: bool = True) -> dict:
    """A comparison: an arrow for its sign, the change, the relative change and the verdict in
    words ("better", "worse"), coloured by the verdict (never by colour alone)."""
    change = d.change
    sign = "none" if change is None else "up" if change > 0 else "down" if change < 0 else "flat"
    if d.verdict == "unchanged":
        sign = "flat"
    return {
        "d": d,
        "arrow": ARROWS.get(sign, ""),
        "change": change_text(change, unit=unit, currency=currency),
        "pct": pct_text(d.pct) if pct and d.verdict != "unchanged" else "",
    }


@register.inclusion_tag("dashboard/_sparkline.html")
def spark(tile: Tile, headline: Headline, label: str, unit: str, currency: str) -> dict:
    """The sparkline of a tile: complete months, and the running month to date drawn hollow
    after a dotted segment; its text alternative reads every value with its unit."""
    shape = sparkline(tile.spark, headline.spark_partial if tile.partial else None)
    words = [
        f"{start:%b %Y} {value_text(value, unit=unit, currency=currency)}"
        + (" (anomaly)" if anomaly else "")
        for start, value, anomaly in tile.spark
    ]
    if tile.partial and shape.partial:
        value = value_text(headline.spark_partial, unit=unit, currency=currency)
        words.append(f"{tile.partial[0]:%b %Y} to date {value}")
    return {
        "shape": shape,
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "label": f"{label}, last {len(tile.spark)} complete months: {', '.join(words)}",
    }


@register.filter
def kind_label(kind: str) -> str:
    """A source kind as people write it, from the source registry ("GitHub", "PagerDuty")."""
    return _kind_label(kind)


@register.filter
def unit_small(text: str, unit: str) -> str:
    """ "1,610.1 minutes" → "1,610.1 <span class="unit">minutes</span>" (escaped)."""
    suffix = f" {unit}"
    if unit and text.endswith(suffix):
        return format_html('{}<span class="unit">{}</span>', text[: -len(unit)], unit)
    return text


@register.filter
def stage_warnings(views) -> list[str]:
    """The distinct failed-sync warnings of a stage's tiles, each said once above them (a failed
    source would otherwise repeat one error on every tile of its family)."""
    seen: list[str] = []
    for view in views:
        if view.warning and view.warning not in seen:
            seen.append(view.warning)
    return seen
