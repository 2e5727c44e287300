"""Typed reads of one field of a decoded JSON object, shared by the REST records of every code
host (GitHub, GitLab). Each raises KeyError when a required field is missing, TypeError when
it has the wrong type and ValueError when a timestamp cannot be read; the clients turn those
into MalformedResponseError naming the URL (:func:`integrations.http.payloads.item_parse`).

Django-free, like the rest of ``integrations``.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

Item = dict[str, Any]


def parse_time(value: Any) -> datetime:
    """ISO 8601 timestamp with a time zone (GitHub ``2018-07-25T08:19:30Z``, GitLab
    ``2019-06-28T05:21:43.743Z`` or with an offset such as ``+01:00``) → aware UTC datetime.
    TypeError when not a string, ValueError when unparseable or without a time zone."""
    if not isinstance(value, str):
        raise TypeError(f"expected an ISO 8601 timestamp, got {value!r}")
    parsed = datetime.fromisoformat(value)
    if parsed.tzinfo is None:
        raise ValueError(f"timestamp without a time zone: {value!r}")
    return parsed.astimezone(UTC)


def opt_time(value: Any) -> datetime | None:
    """:func:`parse_time`, None for null."""
    return None if value is None else parse_time(value)


def time_at(item: Item, key: str, name: str | None = None) -> datetime:
    """:func:`parse_time` of ``item[key]``, its TypeError or ValueError naming the field
    (``name``, e.g. ``commit.committed_date`` for a nested object, else ``key``): ``field
    'created_at': expected an ISO 8601 timestamp, got 1717``."""
    value = item[key]
    try:
        return parse_time(value)
    except (TypeError, ValueError) as exc:
        raise type(exc)(f"field {name or key!r}: {exc}") from exc


def opt_time_at(item: Item, key: str, name: str | None = None) -> datetime | None:
    """:func:`time_at`, None when the field is absent or null."""
    return None if item.get(key) is None else time_at(item, key, name)


def as_int(item: Item, key: str) -> int:
    """``item[key]`` as an integer (a boolean is not one)."""
    value = item[key]
    if not isinstance(value, int) or isinstance(value, bool):
        raise TypeError(f"field {key!r} must be an integer, got {value!r}")
    return value


def opt_int(item: Item, key: str) -> int | None:
    """:func:`as_int`, None when the field is absent or null."""
    return None if item.get(key) is None else as_int(item, key)


def as_str(item: Item, key: str) -> str:
    """``item[key]`` as a string."""
    value = item[key]
    if not isinstance(value, str):
        raise TypeError(f"field {key!r} must be a string, got {value!r}")
    return value


def text(item: Item, key: str) -> str:
    """``item[key]`` as text, "" when absent or null."""
    value = item.get(key)
    return "" if value is None else str(value)
