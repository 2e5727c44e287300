"""Every route Django serves, read from the URL resolver (never a hand-kept list)."""

import re
from collections.abc import Iterator

from django.contrib.admindocs.views import simplify_regex
from django.urls import URLPattern, URLResolver, get_resolver

API_PREFIX = "/api/v1/"
# Pages about the API rather than operations of it (they are not in the OpenAPI document).
API_META = {"/api/v1/", "/api/v1/schema/", "/api/v1/docs/"}


def _walk(patterns: list, prefix: str = "") -> Iterator[tuple[str, URLPattern]]:
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, route)
        else:
            yield route, entry


def all_routes() -> list[tuple[str, URLPattern]]:
    """(path template with `{name}` placeholders, pattern) of every URL; format-suffix
    variants (`.json`, `.csv`) are left out (the same views as their plain routes)."""
    out = []
    for raw, pattern in _walk(get_resolver().url_patterns):
        path = simplify_regex(raw)
        if re.search(r"<(\w+:)?format>", path):
            continue
        # "<str:metric>" -> "{metric}"; the routers' "pk" is "id" in the OpenAPI document.
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", path).replace("{pk}", "{id}")
        out.append((path, pattern))
    return out


def api_routes() -> list[str]:
    """Every distinct path template under /api/v1/, the meta pages included."""
    return sorted({path for path, _ in all_routes() if path.startswith(API_PREFIX)})


def api_paths() -> list[str]:
    """The API's operations' paths: `api_routes()` without the meta pages."""
    return [path for path in api_routes() if path not in API_META]


def webhook_routes() -> list[str]:
    """Every path under /webhooks/."""
    return sorted({path for path, _ in all_routes() if path.startswith("/webhooks/")})
