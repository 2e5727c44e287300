"""Sources and sync runs of the v1 API (read-only): each source with its last sync, and the
sync runs (filterable by source and status). Routed in config/api_router.py. A source is
served without its secrets: `token_set` says whether a token is configured (docs/api.md)."""

from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers, viewsets

from apps.ingestion import selectors
from apps.ingestion.models import SyncRun
from apps.organization.api import SLUG_PATTERN
from apps.organization.models import Source
from apps.organization.validators import url_without_credentials


class SyncRunSerializer(serializers.ModelSerializer):
    # DRF's metaclass takes declared fields off the class, so `source` does not shadow
    # Field.source; the stubs cannot know that.
    source: "serializers.SlugRelatedField[Source]" = serializers.SlugRelatedField(  # type: ignore[assignment]
        read_only=True, slug_field="name"
    )

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
            "points_spent",
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
    base_url = serializers.SerializerMethodField()
    last_sync = serializers.SerializerMethodField()

    class Meta:
        model = Source
        fields = ("name", "kind", "base_url", "enabled", "token_set", "last_sync")

    def get_base_url(self, source: Source) -> str:
        # Never a `user:pass@` part (a row stored before check_base_url refused them).
        return url_without_credentials(source.base_url)

    @extend_schema_field(LastSyncSerializer(allow_null=True))
    def get_last_sync(self, source: Source) -> dict | None:
        runs = getattr(source, "latest_runs", None)
        if runs is None:  # not from apps.ingestion.selectors.sources_list
            latest = selectors.sync_run_latest(source.pk)
            runs = [latest] if latest else []
        return LastSyncSerializer(runs[0]).data if runs else None


class SyncRunFilter(filters.FilterSet):
    source = filters.CharFilter(field_name="source__name", help_text="source name")
    status = filters.ChoiceFilter(choices=SyncRun.Status.choices)

    class Meta:
        model = SyncRun
        fields = ["source", "status"]


class SourceViewSet(viewsets.ReadOnlyModelViewSet):
    """Sources with their last sync; secrets are never part of the answer."""

    serializer_class = SourceSerializer
    queryset = selectors.sources_list()
    lookup_field = "name"
    lookup_value_regex = SLUG_PATTERN


class SyncRunViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = SyncRunSerializer
    queryset = selectors.sync_runs_list()
    filterset_class = SyncRunFilter
