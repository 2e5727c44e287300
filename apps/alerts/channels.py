"""Sending one alert through a channel (docs/alerts.md#channels): Slack (incoming webhook or
bot token, with slack-sdk), e-mail (Django's e-mail backend, the one the digests use) and a
generic webhook signed with HMAC-SHA256.

Every sender retries a 429 (waiting what `Retry-After` says, at most MAX_WAIT seconds) and a
5xx or a dropped connection (waiting 1, 2, 4... seconds) up to ATTEMPTS times; any other
refusal (a 4xx, Slack's `invalid_token`) fails at once. A failure raises SendError with a
message that names the channel and never a secret.
"""

import hashlib
import hmac
import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass

import requests
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.webhook import WebhookClient

from apps.alerts.content import AlertFacts, slack_blocks
from apps.alerts.models import AlertChannel
from apps.core.fields import secret_unreadable

ATTEMPTS = 4
BACKOFF = 1.0  # seconds before the first retry of a 5xx; doubled each time
MAX_WAIT = 60.0  # the longest Retry-After honoured; longer waits until the next evaluation
TIMEOUT = 10  # seconds per HTTP request
SIGNATURE_HEADER = "X-Keel-Signature"
Sleep = Callable[[float], None]


class SendError(Exception):
    """A message that could not be delivered (after its retries)."""


@dataclass(frozen=True)
class Attempt:
    """The outcome of one HTTP try."""

    ok: bool
    error: str = ""
    retryable: bool = False
    retry_after: float | None = None


def _retry_after(headers: object) -> float | None:
    value = None
    if isinstance(headers, dict):
        for key, found in headers.items():
            if str(key).lower() == "retry-after":
                value = found[0] if isinstance(found, list) else found
    try:
        return max(0.0, float(value)) if value is not None else None
    except (TypeError, ValueError):
        return None


def _http_attempt(status: int, body: str, headers: object) -> Attempt:
    if 200 <= status < 300:
        return Attempt(ok=True)
    error = f"HTTP {status}: {body.strip()[:200]}"
    if status == 429:
        return Attempt(False, error, retryable=True, retry_after=_retry_after(headers))
    return Attempt(False, error, retryable=status >= 500)


def with_retries(send_once: Callable[[], Attempt], *, sleep: Sleep = time.sleep) -> int:
    """Call `send_once` until it succeeds, retrying what may heal; returns the tries used.
    Raises SendError with the last error."""
    for attempt in range(1, ATTEMPTS + 1):
        outcome = send_once()
        if outcome.ok:
            return attempt
        if not outcome.retryable or attempt == ATTEMPTS:
            raise SendError(outcome.error)
        wait = outcome.retry_after
        if wait is None:
            wait = BACKOFF * 2 ** (attempt - 1)
        if wait > MAX_WAIT:
            raise SendError(f"{outcome.error} (Retry-After {wait:g}s: retried next evaluation)")
        sleep(wait)
    raise SendError("no attempt made")  # pragma: no cover (ATTEMPTS >= 1)


def _secret(channel: AlertChannel, field: str, env_field: str, what: str) -> str:
    stored = getattr(channel, field)
    if secret_unreadable(stored):
        raise SendError(
            f"channel {channel.name}: the stored {what} cannot be decrypted: re-enter it in the "
            "admin (KEEL_ENCRYPTION_KEY has changed or the value is corrupt)"
        )
    env_name = getattr(channel, env_field)
    value = stored or (os.environ.get(env_name, "") if env_name else "")
    if not value:
        where = f"set {env_name}" if env_name else f"name a variable with {env_field}"
        raise SendError(f"channel {channel.name}: no {what} ({where} or enter it in the admin)")
    return value


def _connection_attempt(exc: Exception) -> Attempt:
    return Attempt(False, f"{type(exc).__name__}: {exc}"[:300], retryable=True)


def slack_send(channel: AlertChannel, facts: AlertFacts, *, sleep: Sleep = time.sleep) -> None:
    """Post one alert to Slack (docs/alerts.md#messages)."""
    slack_post(channel, text=facts.summary, blocks=slack_blocks(facts), sleep=sleep)


def slack_post(
    channel: AlertChannel, *, text: str, blocks: list[dict], sleep: Sleep = time.sleep
) -> None:
    """Post `text` and Block Kit `blocks` to Slack: an incoming webhook
    (https://api.slack.com/messaging/webhooks) or, with a bot token, chat.postMessage
    (https://api.slack.com/methods/chat.postMessage). Raises SendError."""
    token = channel.token or (os.environ.get(channel.token_env, "") if channel.token_env else "")
    if token or secret_unreadable(channel.token):
        token = _secret(channel, "token", "token_env", "Slack bot token")
        client = WebClient(token=token, base_url=settings.KEEL_SLACK_API_URL, timeout=TIMEOUT)

        def post_bot() -> Attempt:
            try:
                client.chat_postMessage(channel=channel.channel, text=text, blocks=blocks)
            except SlackApiError as exc:
                response = exc.response
                error = response.get("error") if isinstance(response.data, dict) else None
                attempt = _http_attempt(
                    response.status_code, error or str(response.data), response.headers
                )
                if attempt.ok:  # HTTP 200 with ok: false (invalid_token, channel_not_found...)
                    return Attempt(False, f"Slack: {error}")
                return Attempt(
                    False,
                    f"Slack: {error or attempt.error}",
                    attempt.retryable,
                    attempt.retry_after,
                )
            except OSError as exc:
                return _connection_attempt(exc)
            return Attempt(ok=True)

        with_retries(post_bot, sleep=sleep)
        return
    url = _secret(channel, "webhook_url", "webhook_url_env", "Slack webhook URL")
    hook = WebhookClient(url=url, timeout=TIMEOUT)

    def post_webhook() -> Attempt:
        try:
            response = hook.send(text=text, blocks=blocks)
        except OSError as exc:
            return _connection_attempt(exc)
        return _http_attempt(response.status_code, response.body or "", response.headers)

    with_retries(post_webhook, sleep=sleep)


def webhook_body(facts: AlertFacts) -> bytes:
    """The webhook's JSON body: every fact, keys sorted."""
    return json.dumps(facts.as_json(), sort_keys=True).encode()


def webhook_signature(body: bytes, secret: str) -> str:
    """`sha256=<hex HMAC-SHA256 of the body with the secret>`, as X-Keel-Signature carries it."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def webhook_send(channel: AlertChannel, facts: AlertFacts, *, sleep: Sleep = time.sleep) -> None:
    """POST the facts as JSON, signed with the channel's secret (docs/alerts.md#webhook)."""
    url = _secret(channel, "url", "url_env", "webhook URL")
    secret = _secret(channel, "secret", "secret_env", "webhook signing secret")
    body = webhook_body(facts)
    headers = {
        "Content-Type": "application/json",
        SIGNATURE_HEADER: webhook_signature(body, secret),
        "User-Agent": "Keel-Alerts",
    }

    def post() -> Attempt:
        try:
            response = requests.post(url, data=body, headers=headers, timeout=TIMEOUT)
        except requests.RequestException as exc:
            return _connection_attempt(exc)
        return _http_attempt(response.status_code, response.text, dict(response.headers))

    with_retries(post, sleep=sleep)


def email_message(
    channel: AlertChannel, facts: AlertFacts, *, connection=None
) -> EmailMultiAlternatives:
    context = {"facts": facts}
    prefix = "[Keel] Resolved: " if facts.status == "resolved" else "[Keel] "
    # ASCII separators: a subject of ASCII text is not MIME-encoded, so it is never folded onto
    # a second header line (which some clients show with a leading space).
    where = f"{facts.scope} {facts.scope_key}".strip()
    subject = " ".join(f"{prefix}{facts.label}, {where}, {facts.period}".split())
    message = EmailMultiAlternatives(
        subject=subject,
        body=render_to_string("alerts/alert.txt", context),
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=list(channel.to),
        connection=connection,
    )
    message.attach_alternative(render_to_string("alerts/alert.html", context), "text/html")
    return message


def email_send(channel: AlertChannel, facts: AlertFacts, *, sleep: Sleep = time.sleep) -> None:
    """Send through the configured e-mail backend (EMAIL_URL), as the digests are."""
    if not channel.to:
        raise SendError(f"channel {channel.name}: no addresses in 'to'")
    try:
        email_message(channel, facts).send()
    except Exception as exc:  # SMTP refusals and connection errors alike
        raise SendError(f"e-mail: {type(exc).__name__}: {exc}"[:300]) from exc


SENDERS = {
    AlertChannel.Kind.SLACK: slack_send,
    AlertChannel.Kind.EMAIL: email_send,
    AlertChannel.Kind.WEBHOOK: webhook_send,
}


def channel_send(channel: AlertChannel, facts: AlertFacts, *, sleep: Sleep = time.sleep) -> None:
    """Deliver `facts` through `channel`; raises SendError."""
    SENDERS[AlertChannel.Kind(channel.kind)](channel, facts, sleep=sleep)
