"""Metric rows (docs/metrics.md#rows): `(metric, scope, scope_key, granularity, period_start) ->
value`."""

from django.db import models


class MetricRow(models.Model):
    class Scope(models.TextChoices):
        ORG = "org"
        TEAM = "team"
        ENGINEER = "engineer"
        SERVICE = "service"
        CUSTOMER = "customer"

    class Granularity(models.TextChoices):
        WEEK = "week"
        MONTH = "month"

    metric = models.CharField(max_length=64)
    scope = models.CharField(max_length=16, choices=Scope.choices)
    scope_key = models.CharField(max_length=300, blank=True, default="")
    granularity = models.CharField(max_length=8, choices=Granularity.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    value = models.FloatField(null=True, blank=True)
    unit = models.CharField(max_length=32)
    sample_size = models.PositiveIntegerField(default=0)
    smoothed = models.FloatField(null=True, blank=True)
    anomaly = models.BooleanField(default=False)
    note = models.TextField(blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["metric", "scope", "scope_key", "granularity", "period_start"]
        constraints = [
            models.UniqueConstraint(
                fields=["metric", "scope", "scope_key", "granularity", "period_start"],
                name="metric_row_unique",
            )
        ]
        indexes = [
            models.Index(fields=["metric", "granularity", "period_start"]),
            # Every key of a scope over a date range (e.g. all teams last quarter): the unique
            # index would read every key's whole history to count them for the API's pages.
            models.Index(
                fields=["metric", "scope", "granularity", "period_start"],
                name="metric_row_scope_period",
            ),
        ]

    def __str__(self) -> str:
        series = f"{self.metric}[{self.scope}:{self.scope_key}]"
        return f"{series} {self.granularity} {self.period_start}"
