"""Fixtures for the organisation tests: the documented example, and a DB snapshot."""

from collections.abc import Callable
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model

from apps.organization import models

# The example organisation these tests were written against (a .yaml file: its lines are longer
# than ruff allows).
SPEC_YAML = (Path(__file__).parent / "spec_example.yaml").read_text(encoding="utf-8")

MODELS = [
    get_user_model(),
    models.Organization,
    models.Team,
    models.Person,
    models.Identity,
    models.Source,
    models.Repo,
    models.RepoGroup,
    models.JiraProject,
    models.PagerDutyService,
    models.Customer,
    models.RevenueMonth,
    models.CostExport,
    models.Goal,
    models.UsageSeries,
    models.UsageMonth,
]


def db_counts() -> dict[str, int]:
    """Row counts of every model the config writes (and of the manager links)."""
    counts = {model._meta.label: model.objects.count() for model in MODELS}
    counts["managers"] = models.Team.managers.through.objects.count()
    return counts


@pytest.fixture
def spec_yaml() -> str:
    return SPEC_YAML


@pytest.fixture
def write_config(tmp_path) -> Callable[[str], str]:
    def write(text: str, name: str = "keel.yaml") -> str:
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        return str(path)

    return write
