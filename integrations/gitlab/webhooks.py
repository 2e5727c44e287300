"""GitLab webhook deliveries: the secret token check and the project an event is about.

GitLab sends the webhook's secret token, as configured, in ``X-Gitlab-Token`` (no signature of
the body), the event name in ``X-Gitlab-Event`` and a unique delivery id in
``X-Gitlab-Event-UUID`` (also ``Idempotency-Key`` from GitLab 17.4). The project is
``project.path_with_namespace`` of the JSON body.
# GitLab: https://docs.gitlab.com/ee/user/project/integrations/webhooks.html#validate-payloads-by-using-a-secret-token
# GitLab: https://docs.gitlab.com/ee/user/project/integrations/webhook_events.html
"""

from __future__ import annotations

import hmac
import json

TOKEN_HEADER = "X-Gitlab-Token"
EVENT_HEADER = "X-Gitlab-Event"
UUID_HEADER = "X-Gitlab-Event-UUID"


def gitlab_token_valid(*, secret: str, header: str) -> bool:
    """True when ``header`` (``X-Gitlab-Token``) equals ``secret``, compared in constant time
    as UTF-8 bytes (``hmac.compare_digest`` raises TypeError for a str with non-ASCII
    characters, and a header is attacker-controlled). An empty secret verifies nothing."""
    if not secret or not header:
        return False
    return hmac.compare_digest(header.encode("utf-8"), secret.encode("utf-8"))


def event_project(body: bytes) -> str:
    """``project.path_with_namespace`` of a webhook event body; ValueError naming the field when
    the body is not a JSON object holding it."""
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("body is not JSON") from None
    project = payload.get("project") if isinstance(payload, dict) else None
    path = project.get("path_with_namespace") if isinstance(project, dict) else None
    if not isinstance(path, str) or not path:
        raise ValueError("no project.path_with_namespace")
    return path
