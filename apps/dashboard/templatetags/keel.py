"""Template helpers of the dashboard: number formatting, sparklines, asset URLs."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from apps.dashboard.assets import asset_version
from apps.dashboard.status import KIND_LABELS
from apps.dashboard.tiles import SPARK_HEIGHT, SPARK_WIDTH, Tile, sparkline
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


@register.filter
def direction(value) -> str:
    """ "up", "down" or "flat" for a change (a CSS class; not "good" or "bad")."""
    if value is None:
        return "none"
    return "up" if value > 0 else "down" if value < 0 else "flat"


@register.inclusion_tag("dashboard/_sparkline.html")
def spark(tile: Tile, label: str, unit: str, currency: str) -> dict:
    shape = sparkline(tile.spark)
    words = ", ".join(
        f"{start:%b %Y} {value_text(value, unit=unit, currency=currency)}"
        for start, value, _ in tile.spark
    )
    return {
        "shape": shape,
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "label": f"{label}, last {len(tile.spark)} months: {words}",
    }


@register.filter
def kind_label(kind: str) -> str:
    """ "github" → "GitHub", "pagerduty" → "PagerDuty"."""
    return KIND_LABELS.get(kind, kind)


@register.filter
def unit_small(text: str, unit: str) -> str:
    """ "1,610.1 minutes" → "1,610.1 <span class="unit">minutes</span>" (escaped)."""
    suffix = f" {unit}"
    if unit and text.endswith(suffix):
        return format_html('{}<span class="unit">{}</span>', text[: -len(unit)], unit)
    return text
