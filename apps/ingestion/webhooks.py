"""What every signed webhook shares: `POST /webhooks/<kind>/` is the `webhook` view of the
kind's adapter (apps.ingestion.adapters.<kind>, routed by apps.ingestion.webhook_urls), which
verifies the signature its provider sends, claims the delivery and enqueues an incremental sync
of the one scope the event is about, with the helpers here.

The secret is `Source.webhook_secret` (stored encrypted) of an enabled source of that kind; the
source whose secret verifies is the one synced. A missing or wrong signature is 401, a delivery
seen before is 409, a signed body of the wrong shape is 400, and none of them changes anything
(a malformed event is checked before it is recorded, so its corrected retry is accepted).
Comparisons are constant-time.
"""

import hashlib
import hmac
import logging
from collections.abc import Callable

from django.http import JsonResponse

from apps.core.fields import secret_unreadable
from apps.organization.models import Source
from apps.organization.selectors import secret_unreadable_message

logger = logging.getLogger(__name__)


def signature_hex(secret: str, body: bytes) -> str:
    """Hex HMAC-SHA256 of `body` keyed by `secret` (UTF-8)."""
    return hmac.new(secret.encode("utf-8"), body, hashlib.sha256).hexdigest()


def digest_equal(given: str, expected: str) -> bool:
    """Constant-time comparison; compared as UTF-8 bytes because `hmac.compare_digest` raises
    TypeError for a str with non-ASCII characters (a header is attacker-controlled)."""
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def verified_source(
    kind: str, body: bytes, header: str, check: Callable[..., bool]
) -> Source | None:
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


def sync_enqueue(source: Source, scope: str) -> JsonResponse:
    """Queue an incremental sync of the one repo or service the event is about."""
    from apps.ingestion.tasks import sync_source_task

    sync_source_task.delay(source.pk, scopes=[scope])
    return JsonResponse({"status": "queued", "source": source.name, "scope": scope}, status=202)


def deny(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)
