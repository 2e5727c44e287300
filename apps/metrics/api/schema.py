"""The OpenAPI schema class of the API: drf-spectacular's AutoSchema, plus the error answers
every view can give, so that a client (and the schema fuzzing in tests/security) can rely on
the document for every status code the API sends, not only 200.

Documented per operation, unless the view documents that code itself:

- 401 and 403 (`Error`): every view that is not open to anonymous clients;
- 404 (`Error`): views with a path parameter (no such object), paginated lists (a page past
  the last: "Invalid page.");
- 400 (`ValidationError`): views with query parameters (a filter value that is not valid).
"""

from typing import Any, Literal

from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import OpenApiResponse
from rest_framework import serializers
from rest_framework.permissions import AllowAny


class ErrorSerializer(serializers.Serializer):
    """`{"detail": "<message>"}`: DRF's answer to authentication, permission and lookup
    failures."""

    detail = serializers.CharField()


# DRF's ValidationError: {"<parameter>": ["<message>", ...]}, or {"detail": "<message>"} for a
# request that cannot be parsed at all.
VALIDATION_ERROR: dict[str, Any] = {
    "type": "object",
    "description": "invalid query parameter: its name -> messages",
    "additionalProperties": {
        "oneOf": [{"type": "array", "items": {"type": "string"}}, {"type": "string"}]
    },
}


def _allows_any(permission: object) -> bool:
    """Whether a view's permission class is AllowAny (a composed one, `A & B`, is not)."""
    return isinstance(permission, type) and issubclass(permission, AllowAny)


class KeelAutoSchema(AutoSchema):
    """AutoSchema that documents the 400 / 401 / 403 / 404 answers (see the module docs)."""

    def _get_response_bodies(
        self, direction: Literal["request", "response"] = "response"
    ) -> dict[str, Any]:
        responses = super()._get_response_bodies(direction=direction)
        for code, response in self._error_responses().items():
            if code not in responses:
                responses[code] = self._get_response_for_code(response, code, direction=direction)
        return responses

    def _error_responses(self) -> dict[str, OpenApiResponse]:
        errors: dict[str, OpenApiResponse] = {}
        if self._query_parameters():
            errors["400"] = OpenApiResponse(VALIDATION_ERROR, description="invalid parameter")
        if not all(_allows_any(p) for p in self.view.permission_classes):
            errors["401"] = OpenApiResponse(ErrorSerializer, description="no valid credentials")
            errors["403"] = OpenApiResponse(ErrorSerializer, description="not allowed")
        if self._has_path_parameters() or self._is_paginated_list():
            errors["404"] = OpenApiResponse(ErrorSerializer, description="no such object or page")
        return errors

    def _query_parameters(self) -> bool:
        return any(p.get("in") == "query" for p in self._get_parameters())

    def _has_path_parameters(self) -> bool:
        return "{" in self.path

    def _is_paginated_list(self) -> bool:
        return self._is_list_view() and self._get_paginator() is not None
