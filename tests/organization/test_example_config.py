"""examples/keel.yaml is a complete organisation that `apply_config` accepts, and every key of the
schema is in it and has a row in docs/configuration.md (so neither falls behind the schema)."""

from __future__ import annotations

import re
import types
import typing
from decimal import Decimal
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
import yaml
from django.core.management import call_command
from pydantic import BaseModel

from apps.alerts.models import AlertChannel, AlertRule
from apps.organization import schema
from apps.organization.models import (
    Goal,
    Organization,
    PagerDutyService,
    Person,
    Repo,
    RevenueMonth,
)
from tests.organization.conftest import db_counts

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "examples" / "keel.yaml"
DOC = ROOT / "docs" / "configuration.md"


def nested_model(annotation: Any) -> type[BaseModel] | None:
    """The model inside `Model`, `list[Model]`, `Model | None`, `Annotated[...]`, if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    if typing.get_origin(annotation) in (list, typing.Union, types.UnionType, typing.Annotated):
        for arg in typing.get_args(annotation):
            found = nested_model(arg)
            if found:
                return found
    return None


def schema_keys(model: type[BaseModel], prefix: str = "") -> list[tuple[str, type[BaseModel]]]:
    """Every key path of the config, e.g. `sources[].repos[].tag_pattern`, with its model."""
    keys = []
    for name, field in model.model_fields.items():
        path = f"{prefix}{name}"
        keys.append((path, model))
        inner = nested_model(field.annotation)
        if inner is not None:
            is_list = typing.get_origin(field.annotation) is list
            keys += schema_keys(inner, f"{path}[]." if is_list else f"{path}.")
    return keys


def values_at(data: Any, path: str) -> list[Any]:
    """The values at `path` in the parsed YAML, across every item of the lists on the way."""
    found = [data]
    for part in path.split("."):
        name = part.removesuffix("[]")
        found = [item[name] for item in found if isinstance(item, dict) and name in item]
        if part.endswith("[]"):
            found = [element for items in found for element in items]
    return found


@pytest.mark.django_db
def test_the_example_applies_then_changes_nothing() -> None:
    out = StringIO()
    call_command("apply_config", str(EXAMPLE), stdout=out)
    again = StringIO()
    call_command("apply_config", str(EXAMPLE), stdout=again)

    assert out.getvalue().endswith("54 created, 0 updated, 0 deleted\n")
    assert again.getvalue() == f"applied {EXAMPLE}: no changes\n"
    counts = {label.split(".")[-1]: n for label, n in db_counts().items()}
    assert counts == {
        "User": 2,  # the two managers
        "Organization": 1,
        "Team": 2,
        "Person": 2,
        "Identity": 6,
        "Source": 4,
        "Repo": 5,
        "RepoGroup": 2,
        "JiraProject": 3,
        "PagerDutyService": 3,
        "Customer": 2,
        "RevenueMonth": 2,
        "CostExport": 2,
        "UsageSeries": 1,
        "UsageMonth": 2,  # the two months of examples/usage-requests.csv
        "Goal": 3,
        "managers": 2,
    }
    org = Organization.objects.get()
    assert (org.name, org.timezone) == ("Acme", "Europe/Paris")
    assert org.cost_settings["currency"] == "EUR" and org.cost_settings["fx_rates"] == {"USD": 0.92}
    assert Repo.objects.get(full_name="acme/sdk").tag_pattern == r"^v[0-9]+\.[0-9]+\.[0-9]+$"
    assert not Repo.objects.get(full_name="acme/legacy-app").enabled
    assert Repo.objects.get(full_name="acme-group/mobile/ios").source.kind == "gitlab"
    api = PagerDutyService.objects.get(service_id="PSVC1")
    assert (api.slo, api.weight) == (0.999, 2.0)
    assert [repo.full_name for repo in api.repos.all()] == ["acme/api"]
    assert Person.objects.get(email="bob@acme.test").team.slug == "platform"
    assert RevenueMonth.objects.order_by("month").last().amount == Decimal("126500.50")
    goals = {(g.metric, g.team.slug if g.team else None): g.target for g in Goal.objects.all()}
    assert goals == {
        ("uptime", None): 0.999,
        ("mttr_hours", "platform"): 4.0,
        ("release_frequency", None): 8.0,
    }
    assert AlertChannel.objects.count() == 5
    rules = {rule.name: rule for rule in AlertRule.objects.select_related("channel")}
    assert len(rules) == 6
    budget = rules["budget-burnt"]
    assert (budget.metric, budget.scope, budget.when, budget.value, budget.channel.name) == (
        "error_budget_remaining",
        "service",
        "below",
        0.0,
        "eng",
    )
    assert rules["cost-org-above-hook"].since.isoformat() == "2026-01-05"
    assert rules["mttr_hours-team-goal_missed-eng-bot"].periods == 2


@pytest.mark.parametrize("path", [path for path, _ in schema_keys(schema.OrgConfig)])
def test_the_example_sets_every_key(path: str) -> None:
    data = yaml.safe_load(EXAMPLE.read_text(encoding="utf-8"))
    assert values_at(data, path), f"examples/keel.yaml sets no `{path}`: add it, with a comment"


def documented_names() -> set[str]:
    """Every name in the backticked first cell of a table row, or in a heading, of the doc."""
    text = DOC.read_text(encoding="utf-8")
    cells = re.findall(r"^\| ([^|]+) \|", text, flags=re.MULTILINE)
    headings = re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    spans = [span for cell in cells for span in re.findall(r"`([^`]+)`", cell)]
    return {name for span in spans + headings for name in re.findall(r"[a-z_]+", span)}


@pytest.mark.parametrize("path", [path for path, _ in schema_keys(schema.OrgConfig)])
def test_every_key_has_a_row_in_the_configuration_doc(path: str) -> None:
    name = path.rsplit(".", 1)[-1].removesuffix("[]")
    assert name in documented_names(), f"docs/configuration.md has no row for `{path}`"


def test_every_section_has_its_heading() -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [key for key in schema.OrgConfig.model_fields if f"\n## {key}\n" not in text]
    assert missing == []
