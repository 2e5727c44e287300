"""Costs models: one `CostImport` per imported export file, and its `CostLine`s
(docs/metrics.md#cost-metrics).

A line keeps the source's own numbers (billed and effective cost in the file's currency) and
`cost`, the effective cost in the organisation's billing currency, which the metrics
sum. `team` is the allocation made at import (tag keys, then account, else null = unallocated).

Storage is tuned for the bulk import (docs/performance-costs.md): `tags` is JSON text, not
jsonb (nothing queries it in SQL; parsing 1M jsonb values cost 0.4 s of a 1.8 s COPY), and the
two lookup indexes (`cost_import_id`, `charge_period_start`) are BRIN on PostgreSQL (lines of
one import are contiguous; btree upkeep cost 1.2 s per million lines). Migration 0002 creates
them per vendor (btree on SQLite), so they are not declared in Meta.
"""

import json

from django.db import models

from apps.organization.models import CostExport, Team


class CostImport(models.Model):
    """One cost export file, imported all or nothing."""

    # Not a field: set on a succeeded import found again by its hash (nothing to recompute).
    unchanged: bool = False

    class Status(models.TextChoices):
        RUNNING = "running"
        SUCCEEDED = "succeeded"
        FAILED = "failed"
        REPLACED = "replaced"  # a later file restated its billing months

    path = models.CharField(max_length=1000)
    sha256 = models.CharField(max_length=64, db_index=True)
    export = models.ForeignKey(
        CostExport, null=True, blank=True, on_delete=models.SET_NULL, related_name="imports"
    )
    export_name = models.CharField(max_length=100, blank=True)
    format = models.CharField(max_length=16)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.RUNNING)
    rows = models.PositiveIntegerField(default=0)
    currency = models.CharField(max_length=3, blank=True)
    fx_rate = models.FloatField(default=1.0, help_text="billing currency per unit of `currency`")
    # {currency: {"billed": float, "effective": float}} in the file's currency, plus "cost"
    totals = models.JSONField(default=dict, blank=True)
    period_start = models.DateTimeField(null=True, blank=True)
    period_end = models.DateTimeField(null=True, blank=True)
    months = models.JSONField(default=list, blank=True, help_text='billing months, "YYYY-MM"')
    error = models.TextField(blank=True)
    replaced_by = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="replaced"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"


class CostLine(models.Model):
    """One normalised (FOCUS) cost line of an import."""

    # No database FK constraints on this bulk table: checking two deferred constraints per row
    # at commit doubled the import's server time; Django still cascades and nulls on delete,
    # and lines are only ever written by cost_file_import with ids it has just read.
    cost_import = models.ForeignKey(
        CostImport,
        on_delete=models.CASCADE,
        related_name="lines",
        db_constraint=False,
        db_index=False,  # costline_import_idx, see the module docstring
    )
    charge_period_start = models.DateTimeField()
    charge_period_end = models.DateTimeField()
    billed_cost = models.FloatField()
    effective_cost = models.FloatField()
    currency = models.CharField(max_length=3)
    cost = models.FloatField(help_text="effective cost in the billing currency")
    service_category = models.CharField(max_length=50)
    service_name = models.CharField(max_length=200)
    sub_account_id = models.CharField(max_length=200)
    resource_id = models.CharField(max_length=1000)
    charge_category = models.CharField(max_length=20)
    tags = models.TextField(default="{}", help_text="the line's tags as compact JSON text")
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="cost_lines",
        db_constraint=False,
        db_index=False,
    )
    source_row = models.BigIntegerField()

    class Meta:
        ordering = ["cost_import_id", "source_row"]

    def __str__(self) -> str:
        return f"{self.cost_import_id}:{self.source_row}"

    @property
    def tag_map(self) -> dict[str, str]:
        """`tags` parsed: {key: value}."""
        return json.loads(self.tags or "{}")


class CostGroup(models.Model):
    """The lines of one import summed by charge period, team and service category: the rollup
    the cost metrics read. Written with the lines, in the same transaction, so it always agrees
    with them; it stays small (days × teams × categories) however many lines a file has, where
    grouping millions of lines at every recompute took seconds (docs/performance.md)."""

    cost_import = models.ForeignKey(CostImport, on_delete=models.CASCADE, related_name="groups")
    charge_period_start = models.DateTimeField()
    charge_period_end = models.DateTimeField()
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="cost_groups"
    )
    service_category = models.CharField(max_length=50)
    cost = models.FloatField(help_text="sum of the lines' cost (billing currency)")
    lines = models.PositiveIntegerField()

    class Meta:
        ordering = ["cost_import_id", "charge_period_start"]

    def __str__(self) -> str:
        return f"{self.cost_import_id}:{self.charge_period_start:%Y-%m-%d} {self.service_category}"
