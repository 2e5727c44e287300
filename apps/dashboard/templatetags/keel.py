"""Template helpers of the dashboard: number formatting, sparklines, asset URLs."""

from django import template
from django.urls import reverse
from django.utils.html import format_html

from apps.dashboard.assets import asset_version
from apps.dashboard.formatting import change_format, pct_format, value_format
from apps.dashboard.status import KIND_LABELS
from apps.dashboard.tiles import SPARK_HEIGHT, SPARK_WIDTH, Tile, sparkline

register = template.Library()


@register.simple_tag
def asset_url(name: str) -> str:
    return reverse("dashboard:asset", args=[asset_version(name), name])


@register.simple_tag
def fmt(value, unit: str, currency: str) -> str:
    return value_format(value, unit=unit, currency=currency)


@register.simple_tag
def fmt_change(value, unit: str, currency: str) -> str:
    return change_format(value, unit=unit, currency=currency)


@register.filter
def fmt_pct(value) -> str:
    return pct_format(value)


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
        f"{start:%b %Y} {value_format(value, unit=unit, currency=currency)}"
        for start, value, _ in tile.spark
    )
    return {
        "shape": shape,
        "width": SPARK_WIDTH,
        "height": SPARK_HEIGHT,
        "label": f"{label}, last {len(tile.spark)} months: {words}",
    }


@register.filter
def metric_title(name: str) -> str:
    """ "time_to_new_customer_days" → "Time to new customer days"."""
    return name.replace("_", " ").capitalize()


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
