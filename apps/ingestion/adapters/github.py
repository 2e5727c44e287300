"""GitHub as a source: repos with their pull requests, reviews, releases, tags, deployments
and issues (apps.ingestion.github_sync over integrations.github), people by login, and signed
webhooks at `POST /webhooks/github/`.

Webhook: `X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body>`. The delivery id header
`X-GitHub-Delivery` is required but not signed, so replays are recognised by the SHA-256 of the
signed body instead: a captured delivery sent again under a new id is a replay.
# GitHub: https://docs.github.com/en/webhooks/using-webhooks/validating-webhook-deliveries
"""

import hashlib
import json

from django.http import HttpRequest, JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from apps.ingestion.deliveries import webhook_delivery_claim
from apps.ingestion.github_sync import github_client_build, github_source_sync
from apps.ingestion.webhooks import deny, digest_equal, signature_hex, sync_enqueue, verified_source
from apps.organization.sources import IdentityKind, RecordLinks, SourceAdapter, source_register

KIND = "github"


def github_signature_valid(*, secret: str, body: bytes, header: str) -> bool:
    """True when `header` is `sha256=<hex>` of `body` under `secret`."""
    if not secret or not header.startswith("sha256="):
        return False
    return digest_equal(header[len("sha256=") :].strip(), signature_hex(secret, body))


def _github_repo(body: bytes) -> str:
    try:
        return str(json.loads(body)["repository"]["full_name"])
    except (ValueError, KeyError, TypeError):
        return ""


@csrf_exempt
@require_POST
def github_webhook(request: HttpRequest) -> JsonResponse:
    """POST /webhooks/github/: verify, reject replays, enqueue a sync (ping: no sync)."""
    header = request.headers.get("X-Hub-Signature-256", "")
    source = verified_source(KIND, request.body, header, github_signature_valid)
    if source is None:
        return deny(401, "missing or invalid signature")
    if not request.headers.get("X-GitHub-Delivery", ""):
        return deny(400, "missing X-GitHub-Delivery")
    body_digest = hashlib.sha256(request.body).hexdigest()
    if not webhook_delivery_claim(provider=KIND, delivery_id=f"sha256:{body_digest}"):
        return deny(409, "delivery already received")
    if request.headers.get("X-GitHub-Event") == "ping":
        return JsonResponse({"status": "pong"}, status=200)
    repo = _github_repo(request.body)
    if not source.repos.filter(full_name__iexact=repo, enabled=True).exists():
        reason = "repo not configured or disabled"
        return JsonResponse({"status": "ignored", "reason": reason}, status=202)
    return sync_enqueue(source, repo)


def github_web_url(base_url: str) -> str:
    """The web host of an API base URL: api.github.com → github.com; GHE HOST/api/v3 → HOST."""
    url = base_url.rstrip("/")
    if url.endswith("/api/v3"):
        return url[: -len("/api/v3")]
    return url.replace("://api.github.com", "://github.com")


ADAPTER = source_register(
    SourceAdapter(
        kind=KIND,
        label="GitHub",
        roles=frozenset({"code", "issues"}),
        default_base_url="https://api.github.com",
        config_keys=("repos", "api"),
        scope_noun="repo",
        scope_relation="repos",
        # GitHub logins are case-insensitive.
        identity=IdentityKind(KIND, "GitHub", "github login", case_insensitive=True),
        web_url=github_web_url,
        web_hosts=("github.com",),
        links=RecordLinks(
            tag=lambda repo_url, name: f"{repo_url}/releases/tag/{name}",
            deployment=lambda repo_url, environment: f"{repo_url}/deployments/{environment}",
        ),
        sync=github_source_sync,
        client_build=github_client_build,
        webhook=github_webhook,
    )
)
