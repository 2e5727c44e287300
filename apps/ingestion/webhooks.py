"""Signed webhooks (GitHub, PagerDuty) that enqueue an incremental sync of the source.

- GitHub: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`, delivery id in
  `X-GitHub-Delivery`.
  # GitHub: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
- PagerDuty (v3 webhooks): `X-PagerDuty-Signature: v1=<hex>[,v1=<hex>...]` (several during a
  secret rotation; one match is enough), event id in `event.id` of the JSON body.
  # PagerDuty: https://developer.pagerduty.com/docs/webhooks/webhook-signatures

The secret is `Source.webhook_secret` (stored encrypted) of an enabled source of that kind; the
source whose secret verifies is the one synced. A missing or wrong signature is 401, a delivery
id seen before is 409, and neither changes anything. Comparisons are constant-time.
"""

import hashlib
import hmac
import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.ingestion.deliveries import webhook_delivery_claim
from apps.organization.models import Source


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
    for source in Source.objects.filter(kind=kind, enabled=True).order_by("pk"):
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
    delivery = request.headers.get("X-GitHub-Delivery", "")
    if not delivery:
        return _deny(400, "missing X-GitHub-Delivery")
    if not webhook_delivery_claim(provider="github", delivery_id=delivery):
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
        event = json.loads(request.body)["event"]
        event_id = str(event["id"])
    except (ValueError, KeyError, TypeError):
        return _deny(400, "body is not a PagerDuty v3 webhook event")
    if not webhook_delivery_claim(provider="pagerduty", delivery_id=event_id):
        return _deny(409, "delivery already received")
    service_id = ((event.get("data") or {}).get("service") or {}).get("id")
    services = source.pagerduty_services.filter(service_id=service_id, enabled=True)
    if not service_id or not services.exists():
        reason = "service not configured or disabled"
        return JsonResponse({"status": "ignored", "reason": reason}, status=202)
    return _enqueue(source, service_id)
