"""Filters that follow the manager across pages: the organisation and team pages' `view` (last
complete month, month to date, last 30 days) and the metric pages' `granularity`, `start` and
`end`. Every dashboard link is built with `nav_url`, which carries the current request's valid
filters over (a value that would not validate is dropped, so one bad link cannot break every
page after it)."""

from datetime import date
from urllib.parse import urlencode

from django.http import QueryDict
from django.urls import reverse

from .windows import VIEWS

KEPT = ("view", "granularity", "start", "end")
GRANULARITY_CHOICES = ("month", "week")


def _valid(key: str, value: str) -> bool:
    if key == "view":
        return value in VIEWS
    if key == "granularity":
        return value in GRANULARITY_CHOICES
    try:
        date.fromisoformat(value)
    except ValueError:
        return False
    return True


def kept_params(query: QueryDict | dict) -> dict[str, str]:
    """The filters of `query` worth keeping, validated."""
    out = {}
    for key in KEPT:
        value = query.get(key) or ""
        if value and _valid(key, value):
            out[key] = value
    return out


def nav_url(name: str, *args: object, query: QueryDict | dict, **params: object) -> str:
    """reverse(name, args) + the kept filters of `query`, overridden by `params` (a None or ""
    value removes a filter)."""
    merged: dict[str, object] = {**kept_params(query), **params}
    clean = {k: v for k, v in merged.items() if v not in (None, "")}
    url = reverse(name, args=list(args))
    return url + (f"?{urlencode(clean)}" if clean else "")
