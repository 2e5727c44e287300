"""Sending the monthly digests exactly once (docs/digests.md): each (recipient, month) is claimed
before it is sent.

Each (recipient, month) has one `DigestDelivery` row. Before a message goes out, the row is
claimed with a conditional UPDATE (`pending|failed → sending`) that only one sender can win —
on PostgreSQL a second concurrent UPDATE waits for the first to commit and then matches no
row. The claim is committed (autocommit, no surrounding transaction) before SMTP is spoken.

Delivery guarantee: at-most-once. A send that raises (SMTP refusal, dropped connection, even
KeyboardInterrupt/SystemExit) leaves no accepted message, so the row becomes `failed` and the
next run retries it. Only a process killed hard between the claim and the final update leaves
a `sending` row; whether the server accepted that message is unknown, so it is NOT resent
automatically. `send_digests --reclaim-stale` (an operator's decision) turns claims older than
STALE_AFTER into `failed` so they are resent: at-least-once for those few.
"""

import time
from collections import Counter
from collections.abc import Callable
from datetime import date, datetime, timedelta

from django.db.models import F
from django.utils import timezone

from apps.alerts.channels import slack_post
from apps.digests.models import DigestDelivery, DigestSettings
from apps.digests.render import digest_message, digest_slack
from apps.digests.selectors import Recipient, digest_build, digest_recipients
from apps.digests.weekly import weekly_build, weekly_message, weekly_recipients

STALE_AFTER = timedelta(minutes=15)
Status = DigestDelivery.Status
Cadence = DigestDelivery.Cadence


def digest_deliveries_create(
    *, month: date, recipients: list[Recipient], cadence: str = Cadence.MONTH
) -> None:
    """A pending row per recipient and period; existing rows are left as they are."""
    DigestDelivery.objects.bulk_create(
        [
            DigestDelivery(recipient=r.email, month=month, kind=r.kind, cadence=cadence)
            for r in recipients
        ],
        ignore_conflicts=True,
    )


def digest_claim(*, delivery_id: int, now: datetime) -> bool:
    """Claim one delivery for sending; True for exactly one caller while it is unsent."""
    claimed = DigestDelivery.objects.filter(
        pk=delivery_id, status__in=[Status.PENDING, Status.FAILED]
    ).update(status=Status.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    return claimed == 1


def digest_stale_reclaim(*, month: date, now: datetime, cadence: str = Cadence.MONTH) -> int:
    """Turn `sending` claims older than STALE_AFTER into `failed` (resent next); a count."""
    return DigestDelivery.objects.filter(
        month=month, cadence=cadence, status=Status.SENDING, claimed_at__lt=now - STALE_AFTER
    ).update(status=Status.FAILED, error="stale claim reclaimed: may have been sent already")


def _finish(delivery_id: int, **fields) -> None:
    DigestDelivery.objects.filter(pk=delivery_id, status=Status.SENDING).update(**fields)


def delivery_send(*, delivery: DigestDelivery, send: Callable[[], str]) -> str:
    """Claim `delivery`, call `send` (which returns a message id, or ""), record the outcome;
    returns the new status ("skipped" when another sender holds or finished it). Any failure
    is recorded on the row; BaseExceptions re-raise."""
    if not digest_claim(delivery_id=delivery.pk, now=timezone.now()):
        return "skipped"
    try:
        message_id = send()
    except BaseException as exc:  # noqa: BLE001 — recorded, then re-raised if not an Exception
        _finish(delivery.pk, status=Status.FAILED, error=f"{type(exc).__name__}: {exc}"[:2000])
        if not isinstance(exc, Exception):
            raise
        return Status.FAILED
    _finish(
        delivery.pk, status=Status.SENT, sent_at=timezone.now(), error="", message_id=message_id
    )
    return Status.SENT


def digest_deliver(*, delivery: DigestDelivery, recipient: Recipient, connection=None) -> str:
    """Claim, render and send one monthly digest; returns its new status."""

    def send() -> str:
        message = digest_message(
            digest_build(recipient=recipient, month=delivery.month),
            to=recipient.email,
            connection=connection,
        )
        message.send()
        return message.extra_headers["Message-ID"]

    return delivery_send(delivery=delivery, send=send)


def digests_send(
    *,
    month: date,
    reclaim_stale: bool = False,
    connection=None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict[str, int]:
    """Send every recipient's digest for `month` that is not sent yet. Safe to run again and
    concurrently. Returns counts by outcome: sent, failed, skipped."""
    recipients = {r.email: r for r in digest_recipients()}
    digest_deliveries_create(month=month, recipients=list(recipients.values()))
    if reclaim_stale:
        digest_stale_reclaim(month=month, now=timezone.now())
    outcomes: Counter[str] = Counter()
    pending = DigestDelivery.objects.filter(
        month=month,
        cadence=Cadence.MONTH,
        recipient__in=list(recipients),
        status__in=[Status.PENDING, Status.FAILED],
    ).order_by("recipient")
    for delivery in pending:
        outcomes[
            digest_deliver(
                delivery=delivery, recipient=recipients[delivery.recipient], connection=connection
            )
        ] += 1
    outcome = digest_slack_send(month=month, sleep=sleep)
    if outcome:
        outcomes[outcome] += 1
    return {key: outcomes[key] for key in ("sent", "failed", "skipped")}


def digest_slack_send(*, month: date, sleep: Callable[[float], None] = time.sleep) -> str | None:
    """Post the organisation's digest of `month` to the Slack channel of the config's
    `digests.slack_channel`, once (docs/digests.md#slack); its status, or None without one."""
    settings_row = DigestSettings.objects.select_related("slack_channel").first()
    channel = settings_row.slack_channel if settings_row else None
    if channel is None or not channel.enabled:
        return None
    recipient = Recipient(f"slack:{channel.name}", DigestDelivery.Kind.SLACK, channel.name)
    digest_deliveries_create(month=month, recipients=[recipient])
    delivery = DigestDelivery.objects.get(
        recipient=recipient.email, month=month, cadence=Cadence.MONTH
    )
    if delivery.status not in (Status.PENDING, Status.FAILED):
        return "skipped"

    def send() -> str:
        org = Recipient(recipient.email, DigestDelivery.Kind.ORG, channel.name)
        text, blocks = digest_slack(digest_build(recipient=org, month=month))
        slack_post(channel, text=text, blocks=blocks, sleep=sleep)
        return ""

    return delivery_send(delivery=delivery, send=send)


def digests_preview_send(*, month: date, to: str, connection=None) -> int:
    """Send a copy of every recipient's digest to `to`, recording nothing; a count."""
    recipients = digest_recipients()
    for recipient in recipients:
        digest = digest_build(recipient=recipient, month=month)
        digest_message(
            digest, to=to, connection=connection, subject_prefix=f"[preview for {recipient.email}] "
        ).send()
    return len(recipients)


def weekly_send(*, week: date, reclaim_stale: bool = False, connection=None) -> dict[str, int]:
    """Send the weekly digest of the week starting `week` (a Monday) to every recipient the
    config's `digests.weekly` names, once each (docs/digests.md#weekly-digest). Counts by
    outcome: sent, failed, skipped."""
    recipients = {r.email: r for r in weekly_recipients()}
    digest_deliveries_create(month=week, recipients=list(recipients.values()), cadence=Cadence.WEEK)
    if reclaim_stale:
        digest_stale_reclaim(month=week, now=timezone.now(), cadence=Cadence.WEEK)
    outcomes: Counter[str] = Counter()
    pending = DigestDelivery.objects.filter(
        month=week,
        cadence=Cadence.WEEK,
        recipient__in=list(recipients),
        status__in=[Status.PENDING, Status.FAILED],
    ).order_by("recipient")
    for delivery in pending:
        recipient = recipients[delivery.recipient]

        def send(recipient: Recipient = recipient) -> str:
            message = weekly_message(
                weekly_build(recipient=recipient, week=week),
                to=recipient.email,
                connection=connection,
            )
            message.send()
            return message.extra_headers["Message-ID"]

        outcomes[delivery_send(delivery=delivery, send=send)] += 1
    return {key: outcomes[key] for key in ("sent", "failed", "skipped")}
