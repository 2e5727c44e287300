"""Serializers of the v1 API. Output only: nothing here writes, and no secret is ever a field."""

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.periods import GRANULARITIES
from apps.ingestion.models import SyncRun
from apps.metrics.models import MetricRow
from apps.metrics.registry import BETTER, SCOPES, MetricDefinition
from apps.metrics.selectors import DEFAULT_CURRENCY, metric_doc_link, unit_resolve
from apps.organization.models import Customer, Identity, Person, Source, Team

# Spec §4: exactly these keys, in this order (also the CSV header).
METRIC_ROW_FIELDS = (
    "metric",
    "scope",
    "scope_key",
    "granularity",
    "period_start",
    "period_end",
    "value",
    "unit",
    "sample_size",
    "smoothed",
    "anomaly",
    "note",
)


class MetricRowSerializer(serializers.ModelSerializer):
    """One metric row (spec §1). `unit` "currency" is served as the billing currency code."""

    unit = serializers.SerializerMethodField()

    class Meta:
        model = MetricRow
        fields = METRIC_ROW_FIELDS

    def get_unit(self, row: MetricRow) -> str:
        return unit_resolve(row.unit, currency=self.context.get("currency", DEFAULT_CURRENCY))


class HealthSerializer(serializers.Serializer):
    """The answer of the health endpoint: the API is up and the token is accepted."""

    status = serializers.CharField(help_text='always "ok"')


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

    def get_unit(self, metric: MetricDefinition) -> str:
        return unit_resolve(metric.unit, currency=self.context.get("currency", DEFAULT_CURRENCY))

    def get_definition(self, metric: MetricDefinition) -> str:
        return metric_doc_link(metric)


class RecordsQuerySerializer(serializers.Serializer):
    """Query parameters of the records endpoint; `scope_key` is "" (the default) for org."""

    scope = serializers.ChoiceField(choices=SCOPES)
    scope_key = serializers.CharField(required=False, allow_blank=True, default="")
    granularity = serializers.ChoiceField(choices=GRANULARITIES)
    period_start = serializers.DateField(help_text="first day of the period (Monday / 1st)")


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


class TeamSerializer(serializers.ModelSerializer):
    managers = serializers.SlugRelatedField(many=True, read_only=True, slug_field="email")

    class Meta:
        model = Team
        fields = ("slug", "name", "managers")


class IdentitySerializer(serializers.ModelSerializer):
    # A plain string in the schema: as an enum it would duplicate Source.kind's choice set
    # (drf-spectacular warns about one choice set under two names).
    provider = serializers.CharField(help_text="github | jira | pagerduty")

    class Meta:
        model = Identity
        fields = ("provider", "external_id")


class PersonSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)
    identities = IdentitySerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ("email", "name", "team", "identities")


class CustomerSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(read_only=True, slug_field="slug", allow_null=True)

    class Meta:
        model = Customer
        fields = ("key", "name", "team", "onboarding_start", "environment", "jira_issue")


class SyncRunSerializer(serializers.ModelSerializer):
    source = serializers.SlugRelatedField(read_only=True, slug_field="name")

    class Meta:
        model = SyncRun
        fields = (
            "id",
            "source",
            "status",
            "full",
            "started_at",
            "finished_at",
            "counts",
            "requests_made",
            "not_modified",
            "rate_limit_waits",
            "rate_limit_wait_seconds",
            "scope_errors",
            "error",
            "progress",
            "changed_from",
        )


class LastSyncSerializer(serializers.ModelSerializer):
    class Meta:
        model = SyncRun
        fields = ("id", "status", "started_at", "finished_at", "error", "counts")


class SourceSerializer(serializers.ModelSerializer):
    """A source without its secrets: `token_set` says whether a token is configured; the token,
    the webhook secret and the Jira e-mail are never serialized."""

    token_set = serializers.BooleanField(read_only=True)
    last_sync = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ("name", "kind", "base_url", "enabled", "token_set", "last_sync")

    @extend_schema_field(LastSyncSerializer(allow_null=True))
    def get_last_sync(self, source: Source) -> dict | None:
        runs = getattr(source, "latest_runs", None)
        if runs is None:  # not from apps.metrics.selectors.sources_list
            runs = list(source.sync_runs.order_by("-id")[:1])
        return LastSyncSerializer(runs[0]).data if runs else None
