"""Serializers of the metrics API (metric rows, catalog, records, health). Output only."""

from datetime import date

from drf_spectacular.utils import extend_schema_field
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


class CatalogGoalSerializer(serializers.Serializer):
    """A goal of the catalog: the team it is for (null: the organisation) and its target."""

    team = serializers.CharField(allow_null=True)
    target = serializers.FloatField()


class CatalogEntrySerializer(serializers.Serializer):
    """One metric of the catalog; `definition` links to its section in docs/metrics.md.
    `label` is its human name, `short_label` an abbreviation ("MTTR") or "", `better` whether
    higher is better (`up`), worse (`down`) or neither (`none`)."""

    name = serializers.CharField()
    # DRF's metaclass takes declared fields off the class, so this does not shadow
    # Field.label; the stubs cannot know that.
    label = serializers.CharField(source="title")  # type: ignore[assignment]
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
    goals = serializers.SerializerMethodField(
        help_text="its targets (docs/metrics.md#goals): team null for the organisation's goal"
    )

    @extend_schema_field(CatalogGoalSerializer(many=True))
    def get_goals(self, metric: MetricDefinition) -> list[dict]:
        index = self.context.get("goals", {})
        return [
            {"team": team, "target": target}
            for (name, team), target in sorted(index.items(), key=lambda kv: kv[0][1] or "")
            if name == metric.name
        ]

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


class GoalsQuerySerializer(serializers.Serializer):
    """Query parameters of the goals endpoint."""

    granularity = serializers.ChoiceField(choices=GRANULARITIES, default="month")
    metric = serializers.CharField(required=False, help_text="one metric's goals only")
    scope = serializers.ChoiceField(choices=["org", "team"], required=False)


class GoalScopeSerializer(serializers.Serializer):
    """One goal judged for one scope key on its latest complete period."""

    scope = serializers.CharField()
    scope_key = serializers.CharField(allow_blank=True)
    target = serializers.FloatField(help_text="the target that applies here")
    team_goal = serializers.BooleanField(help_text="the team's own goal (else the organisation's)")
    period_start = serializers.DateField(allow_null=True)
    period_end = serializers.DateField(allow_null=True)
    value = serializers.FloatField(allow_null=True)
    met = serializers.BooleanField(allow_null=True, help_text="null when the value is null")
    missed_in_a_row = serializers.IntegerField(
        help_text="complete periods in a row, ending with this one, that missed the target"
    )


class GoalSerializer(serializers.Serializer):
    """A configured goal (docs/metrics.md#goals) and, per scope it applies to, whether it is met."""

    metric = serializers.CharField()
    # Declared fields are taken off the class: this does not shadow Field.label (stubs can't tell).
    label = serializers.CharField()  # type: ignore[assignment]
    better = serializers.ChoiceField(choices=BETTER)
    unit = serializers.CharField()
    team = serializers.CharField(allow_null=True, help_text="null: the organisation's goal")
    target = serializers.FloatField()
    granularity = serializers.CharField()
    scopes = GoalScopeSerializer(many=True)
