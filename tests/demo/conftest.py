"""Demo test fixtures: the cost tests' organisation settings and teams."""

from tests.costs.conftest import org_costs, teams  # noqa: F401  (fixtures for this folder)
