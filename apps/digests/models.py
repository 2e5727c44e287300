"""Digest deliveries (docs/digests.md): one row per (recipient, month), the record of exactly-once.

The row is created `pending`, claimed `sending` by a conditional UPDATE before the message goes
out (`apps.digests.services.digest_claim`), then marked `sent` or `failed`.
"""

from django.db import models


class DigestDelivery(models.Model):
    class Kind(models.TextChoices):
        ORG = "org"
        MANAGER = "manager"

    class Status(models.TextChoices):
        PENDING = "pending"
        SENDING = "sending"
        SENT = "sent"
        FAILED = "failed"

    recipient = models.EmailField()
    month = models.DateField(help_text="first day of the month the digest covers")
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
            models.UniqueConstraint(fields=["recipient", "month"], name="digest_once_per_month")
        ]

    def __str__(self) -> str:
        return f"{self.recipient} {self.month:%Y-%m} {self.status}"
