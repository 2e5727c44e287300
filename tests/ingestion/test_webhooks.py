"""Signed webhooks: GitHub's published test vector, PagerDuty rotation, replays, tampering."""

import json
from unittest import mock

import pytest
from django.db import connection

from apps.ingestion.adapters.github import github_signature_valid
from apps.ingestion.adapters.pagerduty import pagerduty_signature_valid
from apps.ingestion.models import WebhookDelivery
from apps.ingestion.webhooks import signature_hex
from apps.organization.models import PagerDutyService, Repo, Source

VECTOR_SECRET = "It's a Secret to Everybody"
VECTOR_SIG = "757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
DELAY = "apps.ingestion.tasks.sync_source_task.delay"


def test_github_published_test_vector() -> None:
    # https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
    body = b"Hello, World!"
    assert signature_hex(VECTOR_SECRET, body) == VECTOR_SIG
    assert github_signature_valid(secret=VECTOR_SECRET, body=body, header=f"sha256={VECTOR_SIG}")
    assert not github_signature_valid(
        secret=VECTOR_SECRET, body=b"Hello, World?", header=f"sha256={VECTOR_SIG}"
    )
    assert not github_signature_valid(secret=VECTOR_SECRET, body=body, header=VECTOR_SIG)
    assert not github_signature_valid(secret="", body=body, header=f"sha256={VECTOR_SIG}")


def test_pagerduty_accepts_any_of_several_v1_signatures() -> None:
    body = b'{"event":{"id":"01"}}'
    old, new = signature_hex("old-secret", body), signature_hex("new-secret", body)
    assert pagerduty_signature_valid(secret="new-secret", body=body, header=f"v1={old},v1={new}")
    assert not pagerduty_signature_valid(secret="other", body=body, header=f"v1={old},v1={new}")
    assert not pagerduty_signature_valid(secret="new-secret", body=body, header=new)  # no v1=


@pytest.fixture
def github_source(db) -> Source:
    source = Source.objects.create(
        name="gh", kind="github", base_url="https://x.test", token="t", webhook_secret=VECTOR_SECRET
    )
    Repo.objects.create(source=source, full_name="acme/api")
    return source


@pytest.fixture
def pd_source(db) -> Source:
    source = Source.objects.create(
        name="pd",
        kind="pagerduty",
        base_url="https://x.test",
        token="t",
        webhook_secret="pd-hook-secret",
    )
    PagerDutyService.objects.create(source=source, service_id="PSVC1")
    return source


def _post_github(client, body: bytes, sig: str, delivery: str = "d-1"):
    return client.post(
        "/webhooks/github/",
        data=body,
        content_type="application/json",
        headers={
            "X-Hub-Signature-256": sig,
            "X-GitHub-Delivery": delivery,
            "X-GitHub-Event": "push",
        },
    )


def test_github_webhook_enqueues_once_and_rejects_replay(client, github_source) -> None:
    body = b'{"repository": {"full_name": "acme/api"}}'
    sig = f"sha256={signature_hex(VECTOR_SECRET, body)}"
    with mock.patch(DELAY) as delay:
        assert _post_github(client, body, sig).status_code == 202
        assert _post_github(client, body, sig).status_code == 409  # replayed delivery id
    # Only the repo the event is about is synced.
    delay.assert_called_once_with(github_source.pk, scopes=["acme/api"])
    assert WebhookDelivery.objects.count() == 1


def test_github_event_for_an_unconfigured_repo_syncs_nothing(client, github_source) -> None:
    body = b'{"repository": {"full_name": "acme/elsewhere"}}'
    sig = f"sha256={signature_hex(VECTOR_SECRET, body)}"
    with mock.patch(DELAY) as delay:
        response = _post_github(client, body, sig)
    assert response.status_code == 202 and response.json()["status"] == "ignored"
    delay.assert_not_called()


def test_github_event_for_a_disabled_repo_syncs_nothing(client, github_source) -> None:
    github_source.repos.update(enabled=False)
    body = b'{"repository": {"full_name": "acme/api"}}'
    sig = f"sha256={signature_hex(VECTOR_SECRET, body)}"
    with mock.patch(DELAY) as delay:
        response = _post_github(client, body, sig)
    assert response.json() == {"status": "ignored", "reason": "repo not configured or disabled"}
    delay.assert_not_called()


def test_github_webhook_bad_or_missing_signature_is_401(client, github_source) -> None:
    body = b'{"repository": {"full_name": "acme/api"}}'
    sig = f"sha256={signature_hex(VECTOR_SECRET, body)}"
    with mock.patch(DELAY) as delay:
        assert _post_github(client, body + b" ", sig).status_code == 401  # tampered body
        assert _post_github(client, body, "").status_code == 401
        assert (
            _post_github(client, body, f"sha256={signature_hex('nope', body)}").status_code == 401
        )
    delay.assert_not_called()
    assert WebhookDelivery.objects.count() == 0


def _pd_body(event_id: str, service_id: str = "PSVC1") -> bytes:
    return json.dumps(
        {
            "event": {
                "id": event_id,
                "event_type": "incident.resolved",
                "data": {"id": "Q1", "service": {"id": service_id}},
            }
        }
    ).encode()


def test_pagerduty_webhook_rotation_replay_and_tampering(client, pd_source) -> None:
    body = _pd_body("01EVT")
    rotated = f"v1={signature_hex('previous', body)},v1={signature_hex('pd-hook-secret', body)}"
    post = lambda data, sig: client.post(  # noqa: E731
        "/webhooks/pagerduty/",
        data=data,
        content_type="application/json",
        headers={"X-PagerDuty-Signature": sig},
    )
    with mock.patch(DELAY) as delay:
        assert post(body, rotated).status_code == 202
        assert post(body, rotated).status_code == 409  # same event id
        assert post(_pd_body("02EVT"), rotated).status_code == 401  # signature of another body
        assert post(_pd_body("03EVT"), "").status_code == 401
        other = _pd_body("04EVT", service_id="POTHER")  # valid, but not a configured service
        assert post(other, f"v1={signature_hex('pd-hook-secret', other)}").status_code == 202
    delay.assert_called_once_with(pd_source.pk, scopes=["PSVC1"])


def test_webhook_secret_is_encrypted_at_rest(pd_source) -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT webhook_secret FROM organization_source WHERE id = %s", [pd_source.pk]
        )
        raw = cursor.fetchone()[0]
    assert raw and "pd-hook-secret" not in raw
    assert Source.objects.get(pk=pd_source.pk).webhook_secret == "pd-hook-secret"


def test_old_delivery_ids_are_pruned(db) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from apps.ingestion.deliveries import webhook_deliveries_prune, webhook_delivery_claim

    assert webhook_delivery_claim(provider="github", delivery_id="old")
    assert webhook_delivery_claim(provider="github", delivery_id="new")
    WebhookDelivery.objects.filter(delivery_id="old").update(
        received_at=timezone.now() - timedelta(days=31)
    )
    # 31 days old is past the 30-day window; a day-old id stays and is still refused.
    assert webhook_deliveries_prune() == 1
    assert not webhook_delivery_claim(provider="github", delivery_id="new")
    assert webhook_delivery_claim(provider="github", delivery_id="old")
