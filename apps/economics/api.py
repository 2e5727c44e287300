"""Unit economics API (mounted at /api/v1/economics/, docs/api.md#unit-economics): the cost
growth model's fit and diagnostics, the releases around which unit cost moved, and onboarding
as a survival curve with go-live forecasts. Read-only; any signed-in role (these are org and
team aggregates). The metric rows and their records are served by /api/v1/metrics/."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.core.periods import DATE_MAX, DATE_MIN, validate_in_range
from apps.economics import reports
from apps.organization.models import Team

BAD_INPUT = OpenApiResponse(OpenApiTypes.OBJECT, description="invalid parameter")


class CostModelQuery(serializers.Serializer):
    scope = serializers.ChoiceField(choices=["org", "team"], default="org")
    scope_key = serializers.CharField(default="", allow_blank=True, max_length=50)
    month = serializers.DateField(
        required=False,
        validators=[validate_in_range],
        help_text=(
            f"first day of the month (default: the latest complete one), {DATE_MIN} to {DATE_MAX}"
        ),
    )

    def validate(self, data: dict) -> dict:
        if data.get("month") and data["month"].day != 1:
            raise serializers.ValidationError(
                {"month": "the first day of a month, e.g. 2026-10-01"}
            )
        if data["scope"] == "team" and not Team.objects.filter(slug=data["scope_key"]).exists():
            raise serializers.ValidationError({"scope_key": f"unknown team {data['scope_key']!r}"})
        if data["scope"] == "org" and data["scope_key"]:
            raise serializers.ValidationError({"scope_key": "must be empty for the org"})
        return data


class CostModelView(APIView):
    """The cost growth model of one scope and month: months fitted, R², every coefficient with
    its 90 % interval, drivers left out and why, the fixed vs marginal split of the month's
    cost, projections at 2× and 10× customers, and the points fitted with their residuals."""

    @extend_schema(
        parameters=[CostModelQuery],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), 400: BAD_INPUT},
    )
    def get(self, request: Request) -> Response:
        query = CostModelQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(reports.cost_model_report(**query.validated_data))


class ReleaseCostsQuery(serializers.Serializer):
    start = serializers.DateField(
        required=False, validators=[validate_in_range], help_text="release day on or after"
    )
    end = serializers.DateField(
        required=False, validators=[validate_in_range], help_text="release day before"
    )
    outside = serializers.BooleanField(
        default=False, help_text="only the releases outside the band"
    )


class ReleaseCostsView(APIView):
    """Each release with the unit cost of the 7 days after it against its EWMA baseline before
    it (per customer, per unit of each usage series), the band and whether it lies outside."""

    @extend_schema(
        parameters=[ReleaseCostsQuery],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), 400: BAD_INPUT},
    )
    def get(self, request: Request) -> Response:
        query = ReleaseCostsQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        results = reports.release_costs_report(
            start=data.get("start"), end=data.get("end"), outside_only=data["outside"]
        )
        return Response({"count": len(results), "results": results})


class OnboardingQuery(serializers.Serializer):
    team = serializers.SlugField(required=False, default="", allow_blank=True)

    def validate_team(self, value: str) -> str:
        if value and not Team.objects.filter(slug=value).exists():
            raise serializers.ValidationError(f"unknown team {value!r}")
        return value


class OnboardingView(APIView):
    """The Kaplan–Meier curve of time from onboarding start to go-live (the org's customers or
    one team's), its median, and a go-live forecast (median and 80 % interval) per customer
    still onboarding."""

    @extend_schema(
        parameters=[OnboardingQuery],
        responses={200: OpenApiResponse(OpenApiTypes.OBJECT), 400: BAD_INPUT},
    )
    def get(self, request: Request) -> Response:
        query = OnboardingQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response(reports.onboarding_report(team=query.validated_data["team"]))
