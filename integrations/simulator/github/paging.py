"""GitHub REST pagination: `per_page` / `page` parameters and the `Link` header.

GitHub: https://docs.github.com/rest/using-the-rest-api/using-pagination-in-the-rest-api
- `per_page` defaults to 30 and is capped at 100; `page` is 1-based.
- `Link` lists `prev`, `next`, `last`, `first` (in that order) with absolute URLs that keep the
  request's other parameters; page 1 has only next/last, the last page only prev/first, and a
  result that fits on one page has no `Link` header at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar
from urllib.parse import urlencode

T = TypeVar("T")
DEFAULT_PER_PAGE = 30


def _int_or(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


def page_params(per_page: str | None, page: str | None, page_size_max: int) -> tuple[int, int]:
    """(page, per_page) from raw query values: invalid or < 1 -> defaults; per_page capped."""
    size = _int_or(per_page, DEFAULT_PER_PAGE)
    size = DEFAULT_PER_PAGE if size < 1 else min(size, page_size_max)
    number = max(1, _int_or(page, 1))
    return number, size


def page_slice(items: Sequence[T], page: int, per_page: int) -> list[T]:
    """The items on 1-based `page` (empty past the end)."""
    start = (page - 1) * per_page
    return list(items[start : start + per_page])


def link_header(
    url_base: str, query: list[tuple[str, str]], page: int, per_page: int, total: int
) -> str | None:
    """The `Link` header value for `page` of `total` items, or None for a single page.

    `url_base` is absolute and without query ("http://host:port/repositories/7/pulls");
    `query` is the request's parameters in order (`page` is replaced, and put last).
    """
    last = max(1, -(-total // per_page))
    if last == 1 and page == 1:
        return None
    kept = [(k, v) for k, v in query if k != "page"]

    def url(number: int) -> str:
        return f"{url_base}?{urlencode([*kept, ('page', str(number))])}"

    links: list[str] = []
    if page > 1:
        links.append(f'<{url(page - 1)}>; rel="prev"')
    if page < last:
        links.append(f'<{url(page + 1)}>; rel="next"')
        links.append(f'<{url(last)}>; rel="last"')
    if page > 1:
        links.append(f'<{url(1)}>; rel="first"')
    return ", ".join(links)
