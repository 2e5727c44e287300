"""Checks on what an upstream sends back, shared by every provider client: the body must be
UTF-8 JSON, a next-page link must stay on the API's host, and no string of an item may be
absurdly long. Each failure is a MalformedResponseError naming the URL (and the item).
`item_parse` turns one item into a record with those errors; `iso_utc` formats a query instant.

Django-free, like the rest of ``integrations``.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import urlsplit

import requests

from integrations.errors import MalformedResponseError

#: The longest string accepted anywhere in an upstream item, in characters. Far above what the
#: providers allow in the fields Keel reads (a GitHub PR body is capped at 65,536 characters,
#: a Jira summary at 255, a PagerDuty title at 1,024): a longer one is a broken payload.
MAX_TEXT_CHARS = 1_000_000
R = TypeVar("R")
_SURROGATE = re.compile("[\ud800-\udfff]")


def json_decode(response: requests.Response, *, url: str, provider: str) -> Any:
    """The decoded JSON body of ``response``.

    JSON is UTF-8 (RFC 8259 §8.1), so invalid bytes are an error instead of being replaced by
    U+FFFD. Raises MalformedResponseError naming ``url``, the HTTP status, the Content-Type and
    why: not UTF-8 (with the byte offset), an HTML page (an error or sign-in page served with
    200), or invalid JSON (with line and column, e.g. a truncated body).
    """
    try:
        text = response.content.decode("utf-8").lstrip("\ufeff \t\r\n")
    except UnicodeDecodeError as exc:
        why = f"not UTF-8 ({exc.reason} at byte {exc.start})"
        raise _not_json(response, url, provider, why) from None
    if text.startswith("<"):
        raise _not_json(response, url, provider, "an HTML page (an error or sign-in page?)")
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        why = f"{exc.msg} (line {exc.lineno}, column {exc.colno})"
        raise _not_json(response, url, provider, why) from exc
    except RecursionError:
        raise _not_json(response, url, provider, "nested too deeply") from None


def _not_json(
    response: requests.Response, url: str, provider: str, why: str
) -> MalformedResponseError:
    content_type = response.headers.get("Content-Type", "none")
    return MalformedResponseError(
        f"{provider}: response from {url} is not valid JSON: {why} "
        f"(HTTP {response.status_code}, Content-Type {content_type})",
        url=url,
        status=response.status_code,
    )


def next_page_url(url: str, *, link: str, current: str, base_url: str, provider: str) -> str:
    """``url`` (the absolute form of the next-page ``link`` given by page ``current``), checked.

    Raises MalformedResponseError naming ``current`` when it points to another scheme or host
    than ``base_url`` (the request would carry the token there). A link that loops is stopped
    by ``paginate``'s page cap.
    """
    base, target = urlsplit(base_url), urlsplit(url)
    if (target.scheme, target.netloc) != (base.scheme, base.netloc):
        raise MalformedResponseError(
            f"{provider}: next-page link {link[:200]!r} from {current} points outside "
            f"{base.scheme}://{base.netloc}",
            url=current,
        )
    return url


def bad_text(item: Any, limit: int = MAX_TEXT_CHARS) -> tuple[str, str] | None:
    """``(dotted path, problem)`` of the first string in ``item`` (dicts and lists, any depth;
    keys too) that is longer than ``limit`` characters or holds a lone surrogate (``"\ud800"``
    is valid JSON but not text: no database can store it), or None.

    Fast path, exact: the item re-encoded as JSON (in C) cannot hold a string longer than the
    whole text, and encodes to UTF-8 only when it holds no lone surrogate; only an item that
    fails either test is walked to name the field (walking every item in Python was a fifth
    of a GitHub sync)."""
    try:
        text = json.dumps(item, ensure_ascii=False)
        if len(text) <= limit:
            text.encode("utf-8")
            return None
    except (UnicodeEncodeError, TypeError, ValueError):
        pass
    return next(_bad_text(item, "", limit), None)


def _bad_text(value: Any, path: str, limit: int) -> Iterator[tuple[str, str]]:
    if isinstance(value, str):
        if len(value) > limit:
            yield path or "(value)", f"is {len(value):,} characters long (at most {limit:,})"
        elif _SURROGATE.search(value):
            yield path or "(value)", "holds a lone UTF-16 surrogate (not valid Unicode text)"
    elif isinstance(value, dict):
        for key, child in value.items():
            name = str(key)[:80]
            where = f"{path}.{name}" if path else name
            yield from _bad_text(key, where, limit)
            yield from _bad_text(child, where, limit)
    elif isinstance(value, list):
        for index, child in enumerate(value):
            yield from _bad_text(child, f"{path}[{index}]", limit)


def item_error(
    provider: str, *, url: str, index: int | None, item: Any, detail: str, what: str = "item"
) -> MalformedResponseError:
    """``<provider>: malformed <what> #<index> (<id>) from <url>: <detail>``. ``index`` is the
    0-based position in the page (None for a single object); the detail is cut to 300
    characters so a huge value is never echoed whole."""
    ident: object = "?"
    if isinstance(item, dict):
        ident = item.get("number", item.get("key", item.get("id", item.get("name", "?"))))
    if not isinstance(ident, int | None):
        ident = str(ident)[:80]
    where = what if index is None else f"{what} #{index}"
    return MalformedResponseError(
        f"{provider}: malformed {where} ({ident!r}) from {url}: {detail[:300]}",
        url=url,
    )


# What a record parser raises for a missing or mistyped field.
PARSE_ERRORS = (KeyError, TypeError, ValueError, AttributeError)


def item_parse(
    provider: str,
    parse: Callable[[Any], R],
    item: Any,
    *,
    url: str,
    index: int | None = None,
    what: str = "item",
) -> R:
    """``parse(item)``; a missing or mistyped field or an absurdly long string is a
    MalformedResponseError naming the URL, the item's position in the page and the field."""
    item_check(provider, url=url, index=index, item=item, what=what)
    try:
        return parse(item)
    except PARSE_ERRORS as exc:
        detail = f"missing field {exc.args[0]!r}" if isinstance(exc, KeyError) else str(exc)
        raise item_error(
            provider, url=url, index=index, item=item, detail=detail, what=what
        ) from exc


def iso_utc(moment: datetime) -> str:
    """Aware datetime → ``YYYY-MM-DDTHH:MM:SSZ`` (ISO 8601 in UTC, as GitHub and PagerDuty
    take it in query parameters)."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def item_check(
    provider: str, *, url: str, index: int | None, item: Any, what: str = "item"
) -> None:
    """Raise :func:`item_error` when ``item`` holds a string :func:`bad_text` refuses."""
    found = bad_text(item)
    if found is not None:
        path, problem = found
        detail = f"field {path!r} {problem}"
        raise item_error(provider, url=url, index=index, item=item, detail=detail, what=what)


def required_text(item: dict[str, Any], key: str) -> str:
    """``item[key]`` as a non-empty string: KeyError when absent, TypeError for null, a number
    or another type (``str(None)`` would store the text "None"), ValueError when empty."""
    value = item[key]
    if not isinstance(value, str):
        raise TypeError(f"field {key!r} must be a string, got {str(value)[:80]!r}")
    if not value:
        raise ValueError(f"field {key!r} is empty")
    return value


def error_detail(response: requests.Response) -> str:
    """': <provider message>' from a JSON error body (at most 200 chars), else ''."""
    try:
        payload = response.json()
    except ValueError:
        return ""
    message = payload.get("message") if isinstance(payload, dict) else None
    return f": {str(message)[:200]}" if message else ""
