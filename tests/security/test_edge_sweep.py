"""Every route Django serves (tests/security/routes.py: API, dashboard, digests, webhooks, the
admin), signed in as an admin, at the edges a probe tries: dates at the calendar's edges (years
1 and 9999, the 53rd ISO week) in every date parameter the pages and API take, more query fields
than Django accepts, a huge query value, and a body over the upload limit. None may answer 5xx;
under /api/ and /webhooks/ the refusals are JSON. The number of requests is printed at the end
of the session (tests/security/tally.py)."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from tests.security import tally
from tests.security.routes import all_routes
from tests.security.test_api_fuzz import DATE_EDGES
from tests.security.test_auth_required import _url, _values

DATE_PARAMETERS = ("start", "end", "period_start", "month")
JSON_PREFIXES = ("/api/", "/webhooks/")
# Pages and API routes take dates; the admin's and the webhooks' are about the limits only.
DATED = ("/api/", "/metrics/", "/teams/", "/engineers/", "/digests/", "/")


class _Filled(dict):
    """Path parameters: the seeded values (tests/security/test_auth_required.py), "1" for the
    admin's own (object ids, app labels)."""

    def __missing__(self, key: str) -> str:
        return "1"


def _routes() -> list[str]:
    return sorted({path for path, _ in all_routes()})


def _names(template: str) -> set[str]:
    import string

    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def _admin(seeded) -> Client:
    client = Client(raise_request_exception=False)
    client.force_login(get_user_model().objects.get(username="root"))
    return client


def _check(response, url: str) -> None:
    tally.count("edge sweep of every route")
    assert response.status_code < 500, (url, response.status_code, response.content[:300])


def _date_queries(url: str) -> list[str]:
    queries = []
    for edge in DATE_EDGES:
        month = edge[:7]
        for granularity in ("week", "month"):
            queries.append(
                f"granularity={granularity}&period_start={edge}&start={edge}&end={edge}"
                f"&month={month}&scope=org"
            )
    return queries


@pytest.mark.parametrize("template", _routes())
def test_every_route_at_the_edges(seeded_module, db, template) -> None:
    client = _admin(seeded_module)
    values = _Filled(_values(seeded_module))
    url = _url(template, values) if set(values) >= _names(template) else template.format_map(values)
    url = url.split("?")[0]
    if not template.startswith(("/admin/", "/webhooks/", "/assets/")):
        for query in _date_queries(url):
            _check(client.get(f"{url}?{query}"), url)
    many = "&".join(f"f{i}=1" for i in range(1_001))
    for response in (
        client.get(f"{url}?{many}"),
        client.get(f"{url}?scope_key={'x' * 200_000}"),
        client.post(url, data=b"x" * 3_000_000, content_type="application/json"),
    ):
        _check(response, url)
        if url.startswith(JSON_PREFIXES) and response.status_code in (400, 413):
            assert response["Content-Type"] == "application/json", url
