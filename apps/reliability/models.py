"""Reliability models: PagerDuty incidents (docs/metrics.md#uptime-and-incidents)."""

from django.db import models

from apps.organization.models import PagerDutyService


class Incident(models.Model):
    """One PagerDuty incident of a configured service. Instants are aware UTC.

    `resolved_at` comes from the payload's `resolved_at`, else from `last_status_change_at` of
    a resolved incident (older payloads); null while the incident is open.
    """

    pd_id = models.CharField(max_length=50, unique=True)
    service = models.ForeignKey(
        PagerDutyService, on_delete=models.CASCADE, related_name="incidents"
    )
    number = models.IntegerField(default=0)
    title = models.CharField(max_length=500, blank=True)
    status = models.CharField(max_length=20)
    urgency = models.CharField(max_length=10)
    created_at = models.DateTimeField()
    resolved_at = models.DateTimeField(null=True, blank=True)
    last_status_change_at = models.DateTimeField(null=True, blank=True)
    html_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["created_at"]
        indexes = [models.Index(fields=["service", "created_at"])]

    def __str__(self) -> str:
        return f"{self.pd_id} {self.title}"
