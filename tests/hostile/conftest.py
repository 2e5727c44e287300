"""Hostile-input tests reuse the cost tests' organisation fixture."""

from tests.costs.conftest import org_costs  # noqa: F401 - a fixture, used by name
