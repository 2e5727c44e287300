"""The OpenAPI schema's error answers (apps.metrics.api.schema)."""

from rest_framework.permissions import AllowAny, IsAuthenticated

from apps.metrics.api.schema import _allows_any


def test_a_composed_permission_is_not_allow_any():
    """`A & B` is an operand holder, not a class: issubclass() on it raised TypeError."""
    assert _allows_any(AllowAny)
    assert not _allows_any(IsAuthenticated)
    assert not _allows_any(IsAuthenticated & AllowAny)
    assert not _allows_any(~IsAuthenticated)
