"""Views of the v1 API (docs/api.md): validate input, call a selector, serialize. Read-only."""

from django.http import StreamingHttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import mixins, viewsets
from rest_framework.exceptions import NotFound, ParseError
from rest_framework.renderers import BrowsableAPIRenderer, JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.audit import engineers_viewed
from apps.metrics import selectors
from apps.metrics.api import serializers as s
from apps.metrics.api.filters import MetricRowFilter
from apps.metrics.api.pagination import MetricRowPagination
from apps.metrics.api.renderers import CSVRenderer, csv_lines
from apps.metrics.goals import goals_index, goals_judge
from apps.metrics.models import MetricRow
from apps.metrics.registry import all_definitions, definition

CSV_FILENAME = "keel-metrics.csv"
FORMAT_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="csv: every matching row (not one page) as CSV; same as `Accept: text/csv`",
)

FORMAT_RECORDS_PARAMETER = OpenApiParameter(
    "format",
    str,
    enum=["json", "csv"],
    description="csv: the records alone as CSV, every field a column; same as `Accept: text/csv`",
)


@extend_schema_view(
    list=extend_schema(
        parameters=[FORMAT_PARAMETER],
        responses={
            (200, "application/json"): s.MetricRowSerializer(many=True),
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="header line + every matching row"
            ),
        },
    )
)
class MetricRowViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Metric rows (docs/metrics.md#rows), newest data included; engineer rows only for their
    managers."""

    serializer_class = s.MetricRowSerializer
    filterset_class = MetricRowFilter
    pagination_class = MetricRowPagination
    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    def get_queryset(self):
        return selectors.metric_rows_visible(user=self.request.user)

    # A CSV list streams (StreamingHttpResponse), which ListModelMixin's Response type does not
    # allow for; DRF sends either.
    def list(  # type: ignore[override]
        self, request: Request, *args, **kwargs
    ) -> Response | StreamingHttpResponse:
        rows = self.filter_queryset(self.get_queryset())
        if request.accepted_renderer.format != CSVRenderer.format:
            # The page as plain dicts of MetricRowSerializer's shape: a ModelSerializer per row
            # cost more than the rest of the request (benchmarks/bench_api_load.py).
            page = self.paginate_queryset(rows.values_list(*s.METRIC_ROW_FIELDS))
            engineers = [row[2] for row in page or () if row[1] == MetricRow.Scope.ENGINEER]
            engineers_viewed(user=request.user, emails=engineers, via=request.get_full_path())
            return self.get_paginated_response(
                selectors.metric_row_dicts(values=page or [], fields=s.METRIC_ROW_FIELDS)
            )
        keys = rows.filter(scope=MetricRow.Scope.ENGINEER).values_list("scope_key", flat=True)
        engineers_viewed(user=request.user, emails=keys.distinct(), via=request.get_full_path())
        values = selectors.metric_row_values(
            rows=rows, fields=s.METRIC_ROW_FIELDS, currency=selectors.organization_currency()
        )
        response = StreamingHttpResponse(
            csv_lines(s.METRIC_ROW_FIELDS, values), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="{CSV_FILENAME}"'
        return response

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON even when CSV was asked for: a BI tool can show the message.
        if isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class HealthView(APIView):
    """`{"status": "ok"}` for any authenticated caller, so a BI tool can check its token (a
    wrong or missing one is a 401). Same authentication, permission, throttle and middleware as
    every v1 endpoint; it reads the database only to authenticate."""

    @extend_schema(
        responses={
            200: s.HealthSerializer,
            401: OpenApiResponse(OpenApiTypes.OBJECT, description="missing or wrong token"),
        },
    )
    def get(self, request: Request) -> Response:
        return Response({"status": "ok"})


class MetricCatalogView(APIView):
    """Every registered metric: unit, description, scopes, kind and its definition's link."""

    @extend_schema(responses=s.CatalogEntrySerializer(many=True))
    def get(self, request: Request) -> Response:
        context = {"currency": selectors.organization_currency(), "goals": goals_index()}
        entries = s.CatalogEntrySerializer(all_definitions(), many=True, context=context)
        return Response(entries.data)


def records_csv_columns(records: list[dict]) -> list[str]:
    """Every field of `records`, in order of first appearance (records of one metric may differ:
    an engineer's work items carry `person`)."""
    columns: list[str] = []
    for record in records:
        columns += [k for k in record if k not in columns]
    return columns


class MetricRecordsView(APIView):
    """The records behind one number, so it can be checked (releases, bugs, incidents, ...);
    `?format=csv` gives the records alone as CSV (formulas neutralised as in the metrics CSV)."""

    renderer_classes = [JSONRenderer, BrowsableAPIRenderer, CSVRenderer]

    @extend_schema(
        parameters=[s.RecordsQuerySerializer, FORMAT_RECORDS_PARAMETER],
        responses={
            (200, "application/json"): s.RecordsResponseSerializer,
            (200, "text/csv"): OpenApiResponse(
                OpenApiTypes.STR, description="header line (every field) + one line per record"
            ),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="missing or invalid parameter"),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="engineer not visible to you"),
            404: OpenApiResponse(OpenApiTypes.OBJECT, description="unknown metric"),
        },
    )
    def get(self, request: Request, metric: str) -> Response | StreamingHttpResponse:
        if definition(metric) is None:
            raise NotFound(f"unknown metric {metric!r}")
        query = s.RecordsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        try:
            result = selectors.metric_records_get(
                user=request.user, metric=metric, **query.validated_data
            )
        except ValueError as exc:
            raise ParseError(str(exc)) from exc
        if result["scope"] == MetricRow.Scope.ENGINEER:
            emails = [result["scope_key"]]
            engineers_viewed(user=request.user, emails=emails, via=request.get_full_path())
        if request.accepted_renderer.format == CSVRenderer.format:
            records = result["records"]
            columns = records_csv_columns(records)
            lines = csv_lines(columns, ([r.get(c) for c in columns] for r in records))
            response = StreamingHttpResponse(lines, content_type="text/csv; charset=utf-8")
            name = f"keel-{metric}-{result['scope']}-{result['period_start']:%Y-%m-%d}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return Response(s.RecordsResponseSerializer(result).data)

    def handle_exception(self, exc: Exception) -> Response:
        # Errors are JSON even when CSV was asked for (as for the metric rows).
        if isinstance(getattr(self.request, "accepted_renderer", None), CSVRenderer):
            self.request.accepted_renderer = JSONRenderer()
            self.request.accepted_media_type = JSONRenderer.media_type
        return super().handle_exception(exc)


class GoalsView(APIView):
    """Each configured goal with, per scope it applies to, its latest complete period's value,
    whether it is met and how many periods in a row it has been missed
    (docs/api.md#goals--get-apiv1goals)."""

    @extend_schema(
        parameters=[s.GoalsQuerySerializer],
        responses={
            200: s.GoalSerializer(many=True),
            400: OpenApiResponse(OpenApiTypes.OBJECT, description="invalid parameter"),
        },
    )
    def get(self, request: Request) -> Response:
        query = s.GoalsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        metric = params.get("metric")
        judged = goals_judge(
            granularity=params["granularity"],
            metrics=[metric] if metric else None,
            scope=params.get("scope"),
        )
        currency = selectors.organization_currency()
        goals = []
        for (name, team), target in sorted(
            goals_index().items(), key=lambda kv: (kv[0][0], kv[0][1] or "")
        ):
            known = definition(name)
            if known is None or (metric and name != metric):
                continue
            scopes = [
                vars(j)
                for j in judged
                if j.metric == name
                and (j.team_goal == (team is not None))
                and (team is None or j.scope_key == team)
            ]
            goals.append(
                {
                    "metric": name,
                    "label": known.title,
                    "better": known.better,
                    "unit": selectors.unit_resolve(known.unit, currency=currency),
                    "team": team,
                    "target": target,
                    "granularity": params["granularity"],
                    "scopes": scopes,
                }
            )
        return Response(s.GoalSerializer(goals, many=True).data)
