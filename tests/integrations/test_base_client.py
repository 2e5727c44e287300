"""BaseClient: paging, conditional requests, error mapping, retries and rate-limit waits.

HTTP is mocked with ``responses`` (which also replays urllib3's status retries), except the
connection-error test, which lets urllib3 really retry against a closed loopback port.
"""

from __future__ import annotations

import logging
import socket
from typing import Any

import pytest
import requests
from urllib3.response import HTTPResponse

from integrations.errors import (
    AuthError,
    MalformedResponseError,
    NotFoundError,
    RateLimitExceeded,
    RetryExhaustedError,
    UpstreamError,
)
from integrations.http import BaseClient, ClientStats, CountingRetry, Page, retry_after_seconds
from tests.integrations.conftest import FakeSleep

API = "https://api.example.test"
TOKEN = "s3cr3t-token-value"
NOW = 1_700_086_460.0  # Wed, 15 Nov 2023 22:14:20 GMT


class TinyClient(BaseClient):
    """A provider whose next page is in ``X-Next`` and whose 429 says ``X-Wait`` seconds."""

    provider = "Tiny"

    def next_url(self, response: requests.Response) -> str | None:
        return response.headers.get("X-Next")

    def rate_limit_wait(self, response: requests.Response) -> float | None:
        if response.status_code == 429:
            return float(response.headers["X-Wait"])
        return None


def make(sleep: FakeSleep, base_url: str = API, **kw: Any) -> TinyClient:
    kw.setdefault("backoff_factor", 0)
    return TinyClient(
        base_url, headers={"Authorization": f"Bearer {TOKEN}"}, secrets=(TOKEN,), sleep=sleep, **kw
    )


def test_build_url_sorts_and_merges_params(sleep: FakeSleep) -> None:
    client = make(sleep, base_url=API + "/v1/")
    url = client.build_url("/items", {"z": 1, "a": "x y", "skip": None, "flag": True})
    assert url == f"{API}/v1/items?a=x+y&flag=true&z=1"
    absolute = client.build_url(f"{API}/v1/items?page=2&a=old", {"a": "new"})
    assert absolute == f"{API}/v1/items?a=new&page=2"
    assert client.build_url("x", {"since": "2024-01-02T03:04:05Z"}).endswith(
        "x?since=2024-01-02T03:04:05Z"
    )


def test_paginate_follows_next_until_last_page(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", json=[{"id": 1}, {"id": 2}], headers={"X-Next": f"{API}/items?p=2"})
    rsps.get(f"{API}/items?p=2", json=[{"id": 3}], headers={"X-Next": f"{API}/items?p=3"})
    rsps.get(f"{API}/items?p=3", json=[], headers={"ETag": '"last"'})
    client = make(sleep)
    pages = list(client.paginate("/items", {"b": 2, "a": 1}))
    assert [p.url for p in pages] == [
        f"{API}/items?a=1&b=2",
        f"{API}/items?p=2",
        f"{API}/items?p=3",
    ]
    assert [[i["id"] for i in p.items] for p in pages] == [[1, 2], [3], []]
    assert pages[2].etag == '"last"' and not any(p.not_modified for p in pages)
    assert client.stats == ClientStats(requests=3)
    assert rsps.calls[0].request.url == f"{API}/items?a=1&b=2"


def test_paginate_is_lazy_and_capped(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/loop", json=[{"id": 1}], headers={"X-Next": f"{API}/loop"})
    client = make(sleep)
    pages = client.paginate("/loop", max_pages=3)
    next(pages)
    assert len(rsps.calls) == 1
    with pytest.raises(UpstreamError, match="more than 3 pages"):
        list(pages)
    assert len(rsps.calls) == 3


def test_etag_sent_and_304_yields_single_not_modified_page(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", status=304, headers={"X-Next": f"{API}/items?p=2"})
    client = make(sleep)
    pages = list(client.paginate("/items", etag='W/"abc"'))
    assert pages == [Page(url=f"{API}/items", etag='W/"abc"', items=[], not_modified=True)]
    assert len(rsps.calls) == 1
    assert rsps.calls[0].request.headers["If-None-Match"] == 'W/"abc"'
    assert client.stats.not_modified == 1 and client.stats.requests == 1


def test_etag_only_on_first_page(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", json=[{"id": 1}], headers={"X-Next": f"{API}/items?p=2"})
    rsps.get(f"{API}/items?p=2", json=[{"id": 2}])
    list(make(sleep).paginate("/items", etag='"v1"'))
    assert rsps.calls[0].request.headers["If-None-Match"] == '"v1"'
    assert "If-None-Match" not in rsps.calls[1].request.headers


def test_get_page_returns_etag_of_response(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", json=[{"id": 7}], headers={"ETag": '"e7"'})
    page = make(sleep).get_page("/items", {"q": "x"})
    assert page == Page(url=f"{API}/items?q=x", etag='"e7"', items=[{"id": 7}])
    assert "If-None-Match" not in rsps.calls[0].request.headers


def test_401_is_auth_error_without_token(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/me", status=401, json={"message": f"Bad credentials: {TOKEN}"})
    with pytest.raises(AuthError) as info:
        make(sleep).get_json("/me")
    assert "token rejected" in str(info.value)
    assert TOKEN not in str(info.value) and "Bearer" not in str(info.value)
    assert info.value.status == 401 and info.value.url == f"{API}/me"


def test_403_without_rate_limit_is_forbidden(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/admin", status=403, json={"message": "Resource not accessible"})
    with pytest.raises(AuthError, match="forbidden.*Resource not accessible"):
        make(sleep).get_json("/admin")
    assert sleep.calls == []


def test_404_and_other_4xx(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/missing", status=404, json={"message": "Not Found"})
    rsps.get(f"{API}/bad", status=422, body="nope")
    client = make(sleep)
    with pytest.raises(NotFoundError) as info:
        client.get_json("/missing")
    assert info.value.status == 404
    with pytest.raises(UpstreamError) as other:
        client.get_json("/bad")
    assert type(other.value) is UpstreamError and other.value.status == 422


def test_rate_limit_wait_sleeps_then_repeats(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", status=429, headers={"X-Wait": "12.5"})
    rsps.get(f"{API}/items", status=429, headers={"X-Wait": "3"})
    rsps.get(f"{API}/items", json=[{"id": 1}])
    client = make(sleep)
    assert client.get_page("/items").items == [{"id": 1}]
    assert sleep.calls == [12.5, 3.0]
    assert client.stats == ClientStats(requests=3, rate_limit_waits=2, rate_limit_wait_seconds=15.5)


def test_rate_limit_beyond_max_wait_raises_without_sleeping(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", status=429, headers={"X-Wait": "901"})
    with pytest.raises(RateLimitExceeded) as info:
        make(sleep, max_wait=900).get_page("/items")
    assert sleep.calls == [] and info.value.wait_seconds == 901.0
    assert len(rsps.calls) == 1


def test_rate_limit_waits_are_bounded(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", status=429, headers={"X-Wait": "1"})
    with pytest.raises(RateLimitExceeded, match="after 10 waits"):
        make(sleep).get_page("/items")
    assert sleep.calls == [1.0] * 10 and len(rsps.calls) == 11


def test_5xx_retried_then_success_counts_every_request(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", status=502)
    rsps.get(f"{API}/items", status=503)
    rsps.get(f"{API}/items", json=[{"id": 1}])
    client = make(sleep)
    assert client.get_page("/items").items == [{"id": 1}]
    assert client.stats.requests == 3 and client.stats.retries == 2
    assert len(rsps.calls) == 3


def test_5xx_forever_exhausts_bounded_retries(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/items", status=502)
    client = make(sleep, max_retries=3)
    with pytest.raises(RetryExhaustedError, match="after 4 attempt"):
        client.get_page("/items")
    assert len(rsps.calls) == 4
    assert client.stats.requests == 4 and client.stats.retries == 3


def test_429_and_413_are_not_retried_by_urllib3() -> None:
    retry = CountingRetry(total=5, status_forcelist={500, 502, 503, 504})
    assert not retry.is_retry("GET", 429, has_retry_after=True)
    assert not retry.is_retry("GET", 413, has_retry_after=True)
    assert retry.is_retry("GET", 503, has_retry_after=True)


def test_503_retry_after_and_backoff_use_injected_sleep(sleep: FakeSleep) -> None:
    retry = CountingRetry(total=5, backoff_factor=0.5, sleep=sleep, retry_after_max=120)
    retry.sleep(HTTPResponse(status=503, headers={"Retry-After": "7"}))
    retry.sleep(HTTPResponse(status=503, headers={"Retry-After": "9999"}))
    assert sleep.calls == [7.0, 120.0]


def test_connection_errors_retried_with_backoff_then_exhausted(sleep: FakeSleep) -> None:
    with socket.socket() as sock:  # a loopback port nobody listens on
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    client = make(sleep, base_url=f"http://127.0.0.1:{port}", max_retries=3, backoff_factor=0.5)
    with pytest.raises(RetryExhaustedError) as info:
        client.get_json("/items")
    assert client.stats.requests == 4 and client.stats.retries == 3
    assert sleep.calls == [1.0, 2.0]  # urllib3: factor * 2 ** (n - 1), none after the 1st
    assert info.value.status is None and TOKEN not in str(info.value)


def test_timeout_is_passed_and_read_timeout_maps(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/ok", json={})
    rsps.get(f"{API}/slow", body=requests.exceptions.ReadTimeout("read timed out"))
    client = make(sleep, timeout=7.5)
    client.get_json("/ok")
    assert rsps.calls[0].request.req_kwargs["timeout"] == 7.5
    with pytest.raises(RetryExhaustedError, match="read timed out"):
        client.get_json("/slow")
    assert client.stats.requests == 2


def test_invalid_json_is_malformed_and_names_url(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/html", body="<html>maintenance</html>", content_type="text/html")
    with pytest.raises(MalformedResponseError, match=f"{API}/html.*not valid JSON") as info:
        make(sleep).get_page("/html")
    assert info.value.status == 200


def test_page_that_is_not_an_array_is_malformed(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/obj", json={"items": []})
    rsps.get(f"{API}/mixed", json=[{"id": 1}, 2])
    client = make(sleep)
    with pytest.raises(MalformedResponseError, match=f"array of objects from {API}/obj, got dict"):
        client.get_page("/obj")
    with pytest.raises(MalformedResponseError, match="/mixed"):
        client.get_page("/mixed")


def test_on_request_and_debug_log_without_headers(
    rsps: Any, sleep: FakeSleep, caplog: pytest.LogCaptureFixture
) -> None:
    rsps.get(f"{API}/items", status=429, headers={"X-Wait": "1"})
    rsps.get(f"{API}/items", json=[])
    seen: list[tuple[str, int]] = []
    client = make(sleep, on_request=lambda url, status: seen.append((url, status)))
    with caplog.at_level(logging.DEBUG, logger="integrations"):
        client.get_page("/items", {"a": 1})
    assert seen == [(f"{API}/items?a=1", 429), (f"{API}/items?a=1", 200)]
    assert f"GET {API}/items?a=1 -> 200" in caplog.text
    assert TOKEN not in caplog.text and "Authorization" not in caplog.text


def test_session_sends_configured_headers(rsps: Any, sleep: FakeSleep) -> None:
    rsps.get(f"{API}/ok", json={})
    with make(sleep) as client:
        client.get_json("/ok")
    assert rsps.calls[0].request.headers["Authorization"] == f"Bearer {TOKEN}"


@pytest.mark.parametrize(
    ("value", "seconds"),
    [
        ("17", 17.0),  # delta-seconds
        (" 0 ", 0.0),
        ("0.5", 0.5),  # not RFC 9110, but sent by some APIs (and the simulator)
        ("Wed, 15 Nov 2023 22:14:20 GMT", 0.0),  # the IMF-fixdate of NOW itself
        ("Wed, 15 Nov 2023 22:15:05 GMT", 45.0),  # IMF-fixdate, 45 s after NOW
        ("Wednesday, 15-Nov-23 22:15:05 GMT", 45.0),  # obsolete RFC 850 form
        ("Wed Nov 15 22:15:05 2023", 45.0),  # obsolete asctime form (no zone: GMT)
        ("Wed, 15 Nov 2023 22:13:20 GMT", 0.0),  # a date already past: no wait
        ("-5", 0.0),
        (None, None),
        ("", None),
        ("soon", None),
        ("inf", None),
        ("nan", None),
    ],
)
def test_retry_after_seconds_reads_both_forms(value: str | None, seconds: float | None) -> None:
    assert retry_after_seconds(value, now=NOW) == seconds


def test_get_record_parses_one_object_and_names_the_url_of_any_other_body(
    rsps: Any, sleep: FakeSleep
) -> None:
    rsps.get(f"{API}/thing", json={"id": 7})
    rsps.get(f"{API}/list", json=[{"id": 7}])
    client = make(sleep)
    assert client.get_record("/thing", lambda item: item["id"]) == 7
    with pytest.raises(MalformedResponseError) as caught:
        client.get_record("/list", lambda item: item["id"])
    assert str(caught.value) == f"Tiny: expected a JSON object from {API}/list, got list"
    assert caught.value.url == f"{API}/list"


def test_paginate_records_parses_the_kept_items_and_names_a_bad_one_by_its_index(
    rsps: Any, sleep: FakeSleep
) -> None:
    rsps.get(f"{API}/items", json=[{"id": 1}, {"skip": True}], headers={"X-Next": f"{API}/p2"})
    rsps.get(f"{API}/p2", json=[{"id": 3}, {"name": "no id"}])
    client = make(sleep)
    pages = client.paginate_records(
        "/items", {}, lambda item: item["id"], keep=lambda item: "skip" not in item
    )
    first = next(pages)
    assert (first.url, first.items) == (f"{API}/items", [1])
    with pytest.raises(MalformedResponseError) as caught:
        next(pages)
    assert str(caught.value) == (
        f"Tiny: malformed item #1 ('no id') from {API}/p2: missing field 'id'"
    )
