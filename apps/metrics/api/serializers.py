"""Serializers of the metrics API (metric rows, catalog, records, health). Output only."""

from datetime import date

from rest_framework import serializers

from apps.core.periods import DATE_MAX, DATE_MIN, GRANULARITIES, date_in_range
from apps.metrics.models import MetricRow
from apps.metrics.registry import (
    ANOMALY_MODELS,
    BETTER,
    ROW_COLUMNS,
    SCOPES,
    SMOOTHING_WEIGHTS,
    MetricDefinition,
)
from apps.metrics.selectors import DEFAULT_CURRENCY, metric_doc_link, unit_resolve

# docs/api.md: exactly these keys, in this order (also the CSV header): the metric-row contract.
METRIC_ROW_FIELDS = ROW_COLUMNS


class MetricRowSerializer(serializers.ModelSerializer):
    """One metric row (docs/metrics.md#rows). `unit` "currency" is served as the billing currency
    code."""

    unit = serializers.SerializerMethodField()

    class Meta:
        model = MetricRow
        fields = METRIC_ROW_FIELDS

    def get_unit(self, row: MetricRow) -> str:
        return unit_resolve(row.unit, currency=self.context.get("currency", DEFAULT_CURRENCY))


class HealthSerializer(serializers.Serializer):
    """The answer of the health endpoint: the API is up and the token is accepted."""

    status = serializers.CharField(help_text='always "ok"')


class BandSerializer(serializers.Serializer):
    """One performance level of a benchmark (docs/metrics.md#dora-performance-bands)."""

    name = serializers.CharField(help_text='"elite", "high", "medium" or "low"')
    limit = serializers.FloatField(
        help_text="the value to meet: at most it when lower is better, at least it when higher "
        "is better (per day when `bands_per_day`); the last band takes every other value"
    )
    text = serializers.CharField(help_text="the benchmark's own words")


class CatalogEntrySerializer(serializers.Serializer):
    """One metric of the catalog; `definition` links to its section in docs/metrics.md.
    `label` is its human name, `short_label` an abbreviation ("MTTR") or "", `better` whether
    higher is better (`up`), worse (`down`) or neither (`none`)."""

    name = serializers.CharField()
    label = serializers.CharField(source="title")
    short_label = serializers.CharField(allow_blank=True)
    better = serializers.ChoiceField(choices=BETTER)
    unit = serializers.SerializerMethodField()
    description = serializers.CharField()
    scopes = serializers.ListField(child=serializers.ChoiceField(choices=SCOPES))
    kind = serializers.CharField()
    definition = serializers.SerializerMethodField()
    anomaly_model = serializers.ChoiceField(
        choices=ANOMALY_MODELS, help_text="how its anomalies are judged (docs/metrics.md#anomaly)"
    )
    smoothing_weight = serializers.ChoiceField(
        choices=SMOOTHING_WEIGHTS,
        help_text="what a period weighs in its `smoothed` trend (docs/metrics.md#smoothed)",
    )
    bands = BandSerializer(
        many=True,
        help_text="performance levels of a published benchmark, best first (empty for most "
        "metrics; docs/metrics.md#dora-performance-bands)",
    )
    bands_source = serializers.CharField(
        allow_blank=True, help_text="the benchmark the bands come from, with its year"
    )
    bands_per_day = serializers.BooleanField(
        help_text="the bands compare the value divided by the period's days"
    )

    def get_unit(self, metric: MetricDefinition) -> str:
        return unit_resolve(metric.unit, currency=self.context.get("currency", DEFAULT_CURRENCY))

    def get_definition(self, metric: MetricDefinition) -> str:
        return metric_doc_link(metric)


class RecordsQuerySerializer(serializers.Serializer):
    """Query parameters of the records endpoint; `scope_key` is "" (the default) for org."""

    scope = serializers.ChoiceField(choices=SCOPES)
    scope_key = serializers.CharField(required=False, allow_blank=True, default="")
    granularity = serializers.ChoiceField(choices=GRANULARITIES)
    period_start = serializers.DateField(
        help_text=f"first day of the period (Monday / 1st), {DATE_MIN} to {DATE_MAX}"
    )

    def validate_period_start(self, value: date) -> date:
        try:
            return date_in_range(value, name="period_start")
        except ValueError as exc:
            raise serializers.ValidationError(str(exc)) from None


class RecordsResponseSerializer(serializers.Serializer):
    """One number and the source records behind it (releases, bugs, incidents, cost lines)."""

    metric = serializers.CharField()
    scope = serializers.CharField()
    scope_key = serializers.CharField(allow_blank=True)
    granularity = serializers.CharField()
    period_start = serializers.DateField()
    period_end = serializers.DateField()
    value = serializers.FloatField(allow_null=True)
    note = serializers.CharField(allow_blank=True)
    records = serializers.ListField(child=serializers.DictField())
