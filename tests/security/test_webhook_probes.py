"""What a probe of the webhooks found: replays under a new delivery header, a malformed signed
event recorded before it failed, and HTML answers to oversized bodies and query strings."""

import json
from unittest import mock

import pytest

from apps.ingestion.models import WebhookDelivery
from apps.ingestion.webhooks import signature_hex
from apps.organization.models import PagerDutyService, Repo, Source

DELAY = "apps.ingestion.tasks.sync_source_task.delay"


@pytest.fixture
def sources(db) -> None:
    gh = Source.objects.create(
        name="gh", kind="github", base_url="https://x.test", token="t", webhook_secret="gh-hook"
    )
    Repo.objects.create(source=gh, full_name="acme/api")
    pd = Source.objects.create(
        name="pd", kind="pagerduty", base_url="https://x.test", token="t", webhook_secret="pd-hook"
    )
    PagerDutyService.objects.create(source=pd, service_id="PSVC1")


def _github(client, body: bytes, delivery: str):
    return client.post(
        "/webhooks/github/",
        data=body,
        content_type="application/json",
        headers={
            "X-Hub-Signature-256": f"sha256={signature_hex('gh-hook', body)}",
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Event": "push",
        },
    )


def _pagerduty(client, body: bytes):
    return client.post(
        "/webhooks/pagerduty/",
        data=body,
        content_type="application/json",
        headers={"X-PagerDuty-Signature": f"v1={signature_hex('pd-hook', body)}"},
    )


def test_a_github_replay_with_a_new_delivery_header_is_refused(client, sources) -> None:
    body = b'{"repository": {"full_name": "acme/api"}, "after": "abc"}'
    with mock.patch(DELAY) as delay:
        assert _github(client, body, "d-1").status_code == 202
        replay = _github(client, body, "d-2-forged")  # the header is not signed; the body is
        assert replay.status_code == 409 and replay.json() == {
            "detail": "delivery already received"
        }
        assert _github(client, body.replace(b"abc", b"def"), "d-3").status_code == 202
    assert delay.call_count == 2


@pytest.mark.parametrize(
    "data",
    [{"service": "PSVC1"}, "PSVC1", {"service": ["PSVC1"]}, {"service": {"id": 7}}],
)
def test_a_signed_malformed_pagerduty_event_is_400_and_not_recorded(client, sources, data):
    bad = json.dumps({"event": {"id": "E1", "data": data}}).encode()
    with mock.patch(DELAY) as delay:
        response = _pagerduty(client, bad)
        assert response.status_code == 400
        assert "event.data.service" in response.json()["detail"]
        assert not WebhookDelivery.objects.exists()
        good = json.dumps({"event": {"id": "E1", "data": {"service": {"id": "PSVC1"}}}})
        assert _pagerduty(client, good.encode()).status_code == 202  # the retry is accepted
    assert delay.call_count == 1


@pytest.mark.parametrize("path", ["/webhooks/github/", "/webhooks/pagerduty/"])
def test_an_oversized_body_is_a_json_413(client, sources, path) -> None:
    response = client.post(path, data=b"{" + b" " * 3_000_000 + b"}", content_type="text/plain")
    assert response.status_code == 413
    assert response["Content-Type"] == "application/json"
    assert "larger than" in response.json()["detail"]


@pytest.mark.parametrize("path", ["/api/v1/metrics/", "/api/v1/metrics/catalog/"])
def test_too_many_query_fields_is_a_json_400(admin_client, sources, path) -> None:
    query = "&".join(f"f{i}=1" for i in range(1200))
    response = admin_client.get(f"{path}?{query}")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "too many" in response.json()["detail"]
