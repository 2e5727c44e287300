"""Quality API: what a manager must map — identities matching no person and Jira names the
config does not map. Mounted at /api/v1/quality/unmapped/ (GET)."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts.access import manager_tools_allowed
from apps.quality.identities import identities_unmatched, jira_names_unmapped


class IsManagerOrAdmin(permissions.BasePermission):
    """Admins and managers (`apps.accounts.access.manager_tools_allowed`)."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        return manager_tools_allowed(user=request.user)


class UnmappedView(APIView):
    """Identities seen in the data that match no configured person, and unmapped Jira names."""

    permission_classes = [permissions.IsAuthenticated, IsManagerOrAdmin]

    @extend_schema(
        responses={
            200: OpenApiResponse(
                OpenApiTypes.OBJECT,
                description=(
                    "{identities: [{provider, external_id, display_name, roles, occurrences}], "
                    "jira: {priorities: [...], types: [...]}}"
                ),
            ),
            403: OpenApiResponse(OpenApiTypes.OBJECT, description="managers and admins only"),
        }
    )
    def get(self, request: Request) -> Response:
        return Response({"identities": identities_unmatched(), "jira": jira_names_unmapped()})
