"""Fault rules: 429, secondary limits, 5xx, slow, malformed and HTML answers."""

from __future__ import annotations

import json
import time

import pytest
import requests

from integrations.simulator import FaultRule, Simulator


def _get(sim: Simulator, session: requests.Session, path: str) -> requests.Response:
    return session.get(f"{sim.base_url}{path}")


def test_429_with_retry_after_once_then_200(sim: Simulator, session: requests.Session) -> None:
    rule = sim.faults.add(FaultRule(path=r"/pulls", status=429, retry_after=1, times=1))
    first = _get(sim, session, "/repos/acme/api/pulls")
    second = _get(sim, session, "/repos/acme/api/pulls")
    assert first.status_code == 429 and first.headers["retry-after"] == "1"
    assert "secondary rate limit" in first.json()["message"]
    assert "x-ratelimit-remaining" in first.headers
    assert second.status_code == 200
    assert rule.hits == 1 and sim.faults.rules == []
    assert [r.status for r in sim.requests] == [429, 200]


def test_secondary_rate_limit_is_403_with_retry_after(
    sim: Simulator, session: requests.Session
) -> None:
    sim.faults.add(FaultRule(path=r"/issues", kind="secondary", retry_after=60))
    response = _get(sim, session, "/repos/acme/api/issues")
    assert response.status_code == 403
    assert response.json()["message"].startswith(
        "You have exceeded a secondary rate limit. Please wait a few minutes before you try again"
    )
    assert response.headers["retry-after"] == "60"
    assert response.headers["x-ratelimit-remaining"] != "0"


def test_502_is_an_html_proxy_page(sim: Simulator, session: requests.Session) -> None:
    sim.faults.add(FaultRule(path=r"/releases", status=502, times=2))
    answers = [_get(sim, session, "/repos/acme/api/releases") for _ in range(3)]
    assert [a.status_code for a in answers] == [502, 502, 200]
    assert answers[0].headers["content-type"].startswith("text/html")
    assert "502 Bad Gateway" in answers[0].text


@pytest.mark.parametrize("status", [500, 503])
def test_other_5xx_are_json(sim: Simulator, session: requests.Session, status: int) -> None:
    sim.faults.add(FaultRule(path=r"/tags", status=status))
    response = _get(sim, session, "/repos/acme/api/tags")
    assert response.status_code == status and "message" in response.json()


def test_malformed_is_200_with_invalid_json_and_no_etag(
    sim: Simulator, session: requests.Session
) -> None:
    sim.faults.add(FaultRule(path=r"/pulls\?state=all", kind="malformed"))
    response = _get(sim, session, "/repos/acme/api/pulls?state=all")
    assert response.status_code == 200 and "etag" not in response.headers
    with pytest.raises(json.JSONDecodeError):
        json.loads(response.text)
    assert _get(sim, session, "/repos/acme/api/pulls?state=all").json()


def test_html_kind_is_a_200_login_page(sim: Simulator, session: requests.Session) -> None:
    sim.faults.add(FaultRule(path=r"/repos/acme/api$", kind="html"))
    response = _get(sim, session, "/repos/acme/api")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert response.text.lstrip().startswith("<!DOCTYPE html>")


def test_slow_kind_delays_then_serves(sim: Simulator, session: requests.Session) -> None:
    sim.faults.add(FaultRule(path=r"/deployments", kind="slow", delay=0.3))
    started = time.monotonic()
    response = _get(sim, session, "/repos/acme/api/deployments")
    assert response.status_code == 200 and time.monotonic() - started >= 0.3
    with pytest.raises(requests.Timeout):
        sim.faults.add(FaultRule(path=r"/deployments", kind="slow", delay=0.5))
        session.get(f"{sim.base_url}/repos/acme/api/deployments", timeout=0.1)


def test_forever_rule_regex_on_query_and_custom_body(
    sim: Simulator, session: requests.Session
) -> None:
    sim.faults.add(
        FaultRule(path=r"[?&]page=2\b", status=500, times=-1, body='{"message": "boom"}')
    )
    for _ in range(3):
        response = _get(sim, session, "/repos/acme/api/pulls?state=all&page=2")
        assert response.status_code == 500 and response.json() == {"message": "boom"}
    assert _get(sim, session, "/repos/acme/api/pulls?state=all&page=1").status_code == 200
    sim.faults.clear()
    assert _get(sim, session, "/repos/acme/api/pulls?state=all&page=2").status_code == 200


def test_unknown_kind_is_rejected() -> None:
    with pytest.raises(ValueError, match="unknown fault kind"):
        FaultRule(path="/", kind="explode")
