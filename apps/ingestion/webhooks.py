"""Signed webhooks (GitHub, PagerDuty) that enqueue an incremental sync of the source.

- GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. The delivery id
  header `X-GitHub-Delivery` is required but not signed, so replays are recognised by the
  SHA-256 of the signed body instead: a captured delivery sent again under a new id is a replay.
  # GitHub: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
- PagerDuty (v3 webhooks): `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]` (several during a
  secret rotation; one match is enough), event id in `event.id` of the JSON body.
  # PagerDuty: https://developer.pagerduty.com/docs/webhooks/webhook-signatures

The secret is `Source.webhook_secret` (stored encrypted) of an enabled source of that kind; the
source whose secret verifies is the one synced. A missing or wrong signature is 401, a delivery
seen before is 409, a signed body of the wrong shape is 400, and none of them changes anything
(a malformed event is checked before it is recorded, so its corrected retry is accepted).
Comparisons are constant-time.
"""

import hashlib
import hmac
import json
import logging

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.core.fields import secret_unreadable
from apps.ingestion.deliveries import webhook_delivery_claim
from apps.organization.models import Source
from apps.organization.selectors import secret_unreadable_message

logger = logging.getLogger(__name__)


def signature_hex(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `body` keyed by `secret` (UTF-8)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def _digest_equal(given: str, expected: str) -> bool:
    """Constant-time comparison; compared as UTF-8 bytes because `hmac.compare_digest` raises
    TypeError for a str with non-ASCII characters (a header is attacker-controlled)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def github_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """True when `header` is `sha256=<hex>` of `body` under `secret`."""
    if not secret or not header.startswith("sha256="):
        return False
    return _digest_equal(header[len("sha256=") :].strip(), signature_hex(secret, body))


def pagerduty_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """True when any `v1=<hex>` of the comma-separated `header` matches `body` under `secret`."""
    if not secret:
        return False
    expected = signature_hex(secret, body)
    candidates = [part.strip()[3:] for part in header.split(",") if part.strip().startswith("v1=")]
    return any([_digest_equal(c, expected) for c in candidates])  # no short-circuit


def _verified_source(kind: str, body: bytes, header: str, check) -> Source | None:
    """The enabled source of `kind` whose webhook secret verifies the signature. A secret that
    cannot be decrypted verifies nothing (that source's deliveries get 401 and a logged error
    saying to re-enter it); the other sources are unaffected."""
    for source in Source.objects.filter(kind=kind, enabled=True).order_by("pk"):
        if secret_unreadable(source.webhook_secret):
            logger.error(secret_unreadable_message(source=source, field="webhook secret"))
            continue
        if check(secret=source.webhook_secret, body=body, header=header):
            return source
    return None


def _enqueue(source: Source, scope: str) -> JsonResponse:
    """Queue an incremental sync of the one repo or service the event is about."""
    from apps.ingestion.tasks import sync_source_task

    sync_source_task.delay(source.pk, scopes=[scope])
    return JsonResponse({"status": "queued", "source": source.name, "scope": scope}, status=202)


def _github_repo(body: bytes) -> str:
    try:
        return str(json.loads(body)["repository"]["full_name"])
    except (ValueError, KeyError, TypeError):
        return ""


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


def _deny(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


@csrf_exempt
@require_POST
def github_webhook(request: HttpRequest) -> JsonResponse:
    """POST /webhooks/github/: verify, reject replays, enqueue a sync (ping: no sync)."""
    header = request.headers.get("X-Hub-Signature-256", "")
    source = _verified_source(Source.Kind.GITHUB, request.body, header, github_signature_valid)
    if source is None:
        return _deny(401, "missing or invalid signature")
    if not request.headers.get("X-GitHub-Delivery", ""):
        return _deny(400, "missing X-GitHub-Delivery")
    body_digest = hashlib.sha256(request.body).hexdigest()
    if not webhook_delivery_claim(provider="github", delivery_id=f"sha256:{body_digest}"):
        return _deny(409, "delivery already received")
    if request.headers.get("X-GitHub-Event") == "ping":
        return JsonResponse({"status": "pong"}, status=200)
    repo = _github_repo(request.body)
    if not source.repos.filter(full_name__iexact=repo, enabled=True).exists():
        reason = "repo not configured or disabled"
        return JsonResponse({"status": "ignored", "reason": reason}, status=202)
    return _enqueue(source, repo)


@csrf_exempt
@require_POST
def pagerduty_webhook(request: HttpRequest) -> JsonResponse:
    """POST /webhooks/pagerduty/: verify, reject replays, enqueue a sync when the event's
    service is configured in the verified source (others are acknowledged and ignored)."""
    header = request.headers.get("X-PagerDuty-Signature", "")
    source = _verified_source(
        Source.Kind.PAGERDUTY, request.body, header, pagerduty_signature_valid
    )
    if source is None:
        return _deny(401, "missing or invalid signature")
    try:
        event_id, service_id = _pagerduty_event(request.body)
    except ValueError as exc:
        return _deny(400, f"body is not a PagerDuty v3 webhook event: {exc}")
    if not webhook_delivery_claim(provider="pagerduty", delivery_id=event_id):
        return _deny(409, "delivery already received")
    services = source.pagerduty_services.filter(service_id=service_id, enabled=True)
    if not service_id or not services.exists():
        reason = "service not configured or disabled"
        return JsonResponse({"status": "ignored", "reason": reason}, status=202)
    return _enqueue(source, service_id)
