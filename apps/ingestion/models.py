"""Sync bookkeeping: one `SyncRun` per source run, cursors, the ETags of list URLs, and the
webhook deliveries already accepted."""

from django.db import models

from apps.organization.models import Source


class SyncRun(models.Model):
    class Status(models.TextChoices):
        QUEUED = "queued"
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        PARTIAL = "partial"  # some repos / projects / services failed, the rest synced
        FAILED = "failed"

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="sync_runs")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.QUEUED)
    full = models.BooleanField(default=False)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # {"<repo>/<endpoint>": rows upserted}, e.g. {"acme/api/pulls": 120}
    counts = models.JSONField(default=dict, blank=True)
    requests_made = models.PositiveIntegerField(default=0)
    not_modified = models.PositiveIntegerField(default=0, help_text="requests answered 304")
    rate_limit_waits = models.PositiveIntegerField(default=0)
    rate_limit_wait_seconds = models.FloatField(default=0.0)
    # Points a points-based API charged (GitHub GraphQL's rateLimit.cost, summed).
    points_spent = models.PositiveIntegerField(default=0)
    # Per-scope failures of a partial run: {"acme/missing": "repo not found (404)"}
    scope_errors = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    progress = models.CharField(max_length=500, blank=True)
    # The earliest instant a change stored by this run can affect (apps.ingestion.upserts
    # ChangeWindow); null when it changed nothing. The metric recompute after it starts there.
    changed_from = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]
        indexes = [models.Index(fields=["source", "-id"])]

    def __str__(self) -> str:
        return f"{self.source} #{self.pk} {self.status}"


class SyncCursor(models.Model):
    """How far one endpoint of one scope (repo full name, project key, service id) is synced.
    Advanced only in the transaction that commits the data it covers."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="cursors")
    scope = models.CharField(max_length=300)
    endpoint = models.CharField(max_length=100)
    value = models.CharField(max_length=100, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "scope", "endpoint"], name="cursor_unique")
        ]

    def __str__(self) -> str:
        return f"{self.source}/{self.scope}/{self.endpoint}={self.value}"


class HttpValidator(models.Model):
    """The `ETag` last seen for a list URL, sent back as `If-None-Match` (a 304 means no work).
    Stored together with the data of that URL, so a failed run never skips unsaved pages."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="http_validators")
    url = models.CharField(max_length=1000)
    etag = models.CharField(max_length=300)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "HTTP validator"
        constraints = [models.UniqueConstraint(fields=["source", "url"], name="validator_unique")]


class WebhookDelivery(models.Model):
    """A webhook delivery already accepted (replay protection): GitHub `X-GitHub-Delivery`,
    PagerDuty `event.id`."""

    provider = models.CharField(max_length=16)
    delivery_id = models.CharField(max_length=200)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "webhook deliveries"
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "delivery_id"], name="webhook_delivery_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.delivery_id}"
