"""PagerDuty as a source: services with their incidents (apps.ingestion.pagerduty_sync over
integrations.pagerduty), people by user id, and signed v3 webhooks at `POST /webhooks/pagerduty/`.

Webhook: `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]` (several during a secret rotation; one
match is enough), event id in `event.id` of the JSON body.
# PagerDuty: https://developer.pagerduty.com/docs/webhooks/webhook-signatures
"""

import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.ingestion.deliveries import webhook_delivery_claim
from apps.ingestion.pagerduty_sync import pagerduty_client_build, pagerduty_source_sync
from apps.ingestion.webhooks import deny, digest_equal, signature_hex, sync_enqueue, verified_source
from apps.organization.sources import IdentityKind, SourceAdapter, source_register

KIND = "pagerduty"


def pagerduty_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """True when any `v1=<hex>` of the comma-separated `header` matches `body` under `secret`."""
    if not secret:
        return False
    expected = signature_hex(secret, body)
    candidates = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
    return any([digest_equal(c, expected) for c in candidates])  # no short-circuit


def _pagerduty_event(body: bytes) -> tuple[str, str]:
    """(event.id, event.data.service.id or "") of a v3 event; ValueError naming the field when
    the body has another shape.
    # PagerDuty: https://developer.pagerduty.com/docs/webhooks/v3-overview"""
    try:
        event = json.loads(body)["event"]
        event_id = event["id"]
    except (ValueError, KeyError, TypeError):
        raise ValueError("no event.id") from None
    if not isinstance(event_id, str | int) or isinstance(event_id, bool):
        raise ValueError("event.id must be a string")
    data = event.get("data") if isinstance(event, dict) else None
    if data is None:
        return str(event_id), ""
    service = data.get("service") if isinstance(data, dict) else "not an object"
    if service is None:
        return str(event_id), ""
    if not isinstance(service, dict) or not isinstance(service.get("id", ""), str):
        raise ValueError("event.data.service must be an object with a string id")
    return str(event_id), service.get("id", "")


@csrf_exempt
@require_POST
def pagerduty_webhook(request: HttpRequest) -> JsonResponse:
    """POST /webhooks/pagerduty/: verify, reject replays, enqueue a sync when the event's
    service is configured in the verified source (others are acknowledged and ignored)."""
    header = request.headers.get("X-PagerDuty-Signature", "")
    source = verified_source(KIND, request.body, header, pagerduty_signature_valid)
    if source is None:
        return deny(401, "missing or invalid signature")
    try:
        event_id, service_id = _pagerduty_event(request.body)
    except ValueError as exc:
        return deny(400, f"body is not a PagerDuty v3 webhook event: {exc}")
    if not webhook_delivery_claim(provider=KIND, delivery_id=event_id):
        return deny(409, "delivery already received")
    services = source.pagerduty_services.filter(service_id=service_id, enabled=True)
    if not service_id or not services.exists():
        reason = "service not configured or disabled"
        return JsonResponse({"status": "ignored", "reason": reason}, status=202)
    return sync_enqueue(source, service_id)


ADAPTER = source_register(
    SourceAdapter(
        kind=KIND,
        label="PagerDuty",
        roles=frozenset({"incidents"}),
        default_base_url="https://api.pagerduty.com",
        config_keys=("services",),
        scope_noun="service",
        scope_relation="pagerduty_services",
        identity=IdentityKind(KIND, "PagerDuty", "pagerduty user id"),
        web_hosts=("pagerduty.com",),
        sync=pagerduty_source_sync,
        client_build=pagerduty_client_build,
        webhook=pagerduty_webhook,
    )
)
