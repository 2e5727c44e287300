"""Digest deliveries (docs/digests.md): one row per (recipient, month), the record of exactly-once.

The row is created `pending`, claimed `sending` by a conditional UPDATE before the message goes
out (`apps.digests.services.digest_claim`), then marked `sent` or `failed`.
"""

from django.db import models


class DigestDelivery(models.Model):
    class Kind(models.TextChoices):
        ORG = "org"
        MANAGER = "manager"
        SLACK = "slack"  # the monthly digest posted to a Slack channel (recipient "slack:NAME")

    class Cadence(models.TextChoices):
        MONTH = "month"
        WEEK = "week"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    recipient = models.CharField(max_length=254, help_text="an e-mail address, or slack:CHANNEL")
    month = models.DateField(
        help_text="first day of the period the digest covers (a month, or a week's Monday)"
    )
    cadence = models.CharField(max_length=8, choices=Cadence.choices, default=Cadence.MONTH)
    kind = models.CharField(max_length=16, choices=Kind.choices)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    message_id = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-month", "recipient"]
        verbose_name_plural = "digest deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "month", "cadence"], name="digest_once_per_period"
            )
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.cadence} {self.month} {self.status}"


class DigestSettings(models.Model):
    """The config's `digests` section (docs/digests.md#weekly-digest): the addresses that also
    get a weekly digest, and the Slack channel the monthly digest is posted to. One row."""

    weekly = models.JSONField(
        default=list, blank=True, help_text="Recipients who also get the weekly digest (e-mails)."
    )
    slack_channel = models.ForeignKey(
        "alerts.AlertChannel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="A Slack alert channel the monthly digest is posted to.",
    )

    class Meta:
        verbose_name_plural = "digest settings"

    def __str__(self) -> str:
        return "digest settings"
