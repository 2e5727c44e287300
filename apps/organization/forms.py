"""Admin forms. Every rule comes from apps.organization.validators / schema, the same code that
checks the config file, so the admin cannot store what `apply_config` would reject.

Secrets (`Source.token`, `Source.webhook_secret`) are write-only: the form never renders them
(not even the ciphertext); a blank field keeps the stored value, a checkbox removes it.
"""

import datetime as dt
import math
from collections.abc import Callable
from typing import Any, get_args

import yaml
from django import forms
from django.forms.formsets import DELETION_FIELD_NAME
from django.forms.models import BaseInlineFormSet
from pydantic import BaseModel, ValidationError

from apps.core.errors import ConfigError
from apps.organization import schema
from apps.organization import validators as v
from apps.organization.catalog import metric_error
from apps.organization.models import (
    CostExport,
    Customer,
    Goal,
    JiraProject,
    Organization,
    PagerDutyService,
    Person,
    Repo,
    RevenueMonth,
    Source,
    UsageMonth,
)
from apps.organization.yaml_loader import yaml_parse


class _CheckedForm(forms.ModelForm):
    """Runs `checks` ({field: validator}) on non-empty values; a ValueError becomes the field's
    error and a returned value replaces the cleaned one (e.g. a base_url without its slash)."""

    checks: dict[str, Callable[[Any], Any]] = {}

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        for name, check in self.checks.items():
            value = cleaned.get(name)
            if value in (None, ""):
                continue
            try:
                cleaned[name] = check(value)
            except ValueError as exc:
                self.add_error(name, str(exc))
        return cleaned


def _kind_error(*, source: Source | None, key: str) -> str | None:
    return v.kind_key_error(kind=source.kind, key=key) if source and source.kind else None


class SettingsYamlField(forms.Field):
    """One settings section as the YAML of its config file section (docs/configuration.md):
    shown with every default filled in, parsed strictly (apps.organization.yaml_loader) into a
    mapping that OrganizationForm.clean validates with the same schema as `apply_config`."""

    def __init__(self, model: type[BaseModel], section: str, **kwargs: Any) -> None:
        self.model = model
        kwargs.setdefault("required", False)
        kwargs.setdefault(
            "widget",
            forms.Textarea(attrs={"rows": 8, "cols": 70, "style": "font-family: monospace"}),
        )
        kwargs.setdefault(
            "help_text",
            f"YAML: the keys of <code>{section}:</code> in the configuration file, each "
            f"described in docs/configuration.md#{section}. A key left out takes its default.",
        )
        super().__init__(**kwargs)

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, dict):
            try:
                value = self.model.model_validate(value).model_dump(mode="json")
            except ValidationError:
                pass  # shown as stored; saving it names the bad key
            return yaml.safe_dump(value, sort_keys=False, allow_unicode=True) if value else ""
        return value

    def to_python(self, value: Any) -> dict[str, Any]:
        text = "" if value is None else str(value)
        if not text.strip():
            return {}
        try:
            parsed = yaml_parse(text)
        except ConfigError as exc:
            raise forms.ValidationError(exc.message) from None
        if parsed is None:
            return {}
        if not isinstance(parsed, dict):
            raise forms.ValidationError("expected keys and values (a YAML mapping)")
        return parsed


class OrganizationForm(_CheckedForm):
    checks = {"timezone": v.check_timezone, "name": v.check_one_line}
    settings_schemas: dict[str, type[BaseModel]] = {
        "bug_settings": schema.BugSettings,
        "incident_settings": schema.IncidentSettings,
        "churn_settings": schema.ChurnSettings,
        "dora_settings": schema.DoraSettings,
        "cost_settings": schema.CostSettings,
    }
    bug_settings = SettingsYamlField(schema.BugSettings, "bugs", label="Bugs")
    incident_settings = SettingsYamlField(schema.IncidentSettings, "incidents", label="Incidents")
    churn_settings = SettingsYamlField(schema.ChurnSettings, "churn", label="Churn")
    dora_settings = SettingsYamlField(schema.DoraSettings, "dora", label="DORA")
    cost_settings = SettingsYamlField(schema.CostSettings, "costs", label="Costs")

    class Meta:
        model = Organization
        fields = "__all__"

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        for name, model in self.settings_schemas.items():
            if name not in cleaned:
                continue
            try:
                # Stored with every default filled in, as `apply_config` stores it.
                cleaned[name] = model.model_validate(cleaned[name] or {}).model_dump(mode="json")
            except ValidationError as exc:
                path, message = schema.error_location(exc.errors()[0])
                self.add_error(name, f"{path}: {message}" if path else message)
        return cleaned


def _secret_input(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave blank to keep the stored value.",
    )


class SourceForm(_CheckedForm):
    SECRETS = ("token", "webhook_secret")

    base_url = forms.URLField(max_length=500, assume_scheme="https")
    # GitHub only; left out of a post (a non-GitHub source, a scripted form) → the default.
    api = forms.ChoiceField(
        choices=Source.Api.choices,
        required=False,
        initial=Source.Api.GRAPHQL,
        help_text="GitHub: read pull requests with GraphQL (few requests) or REST.",
    )
    new_token = _secret_input("New token")
    clear_token = forms.BooleanField(required=False, label="Remove the stored token")
    new_webhook_secret = _secret_input("New webhook secret")
    clear_webhook_secret = forms.BooleanField(required=False, label="Remove the webhook secret")

    checks = {
        "base_url": v.check_base_url,
        "token_env": v.check_env_name,
        "email_env": v.check_env_name,
    }

    class Meta:
        model = Source
        exclude = ["token", "webhook_secret"]

    def clean_api(self) -> str:
        return self.cleaned_data.get("api") or Source.Api.GRAPHQL

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        kind = cleaned.get("kind")
        for key in ("email_env", "story_points_field"):
            message = v.kind_key_error(kind=kind, key=key) if kind else None
            if message and cleaned.get(key):
                self.add_error(key, message)
        for secret in self.SECRETS:
            if cleaned.get(f"new_{secret}") and cleaned.get(f"clear_{secret}"):
                self.add_error(f"clear_{secret}", "enter a new value or remove it, not both")
        return cleaned

    def save(self, commit: bool = True) -> Source:
        for secret in self.SECRETS:
            if self.cleaned_data.get(f"new_{secret}"):
                setattr(self.instance, secret, self.cleaned_data[f"new_{secret}"])
            elif self.cleaned_data.get(f"clear_{secret}"):
                setattr(self.instance, secret, "")
        return super().save(commit=commit)


class _SourceChildForm(_CheckedForm):
    """A repo / project / service: on its own page, its source must be of the right kind."""

    kind_key = ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        message = _kind_error(source=cleaned.get("source"), key=self.kind_key)
        if message and "source" in self.fields:
            self.add_error("source", message)
        return cleaned


class RepoForm(_SourceChildForm):
    kind_key = "repos"
    checks = {"production_environment": v.check_regex, "tag_pattern": v.check_regex}

    class Meta:
        model = Repo
        fields = "__all__"


class JiraProjectForm(_SourceChildForm):
    kind_key = "projects"

    class Meta:
        model = JiraProject
        fields = "__all__"


class PagerDutyServiceForm(_SourceChildForm):
    kind_key = "services"
    checks = {"slo": v.check_slo, "weight": v.check_weight}

    class Meta:
        model = PagerDutyService
        fields = "__all__"


class SourceChildFormSet(BaseInlineFormSet):
    """Inline repos / projects / services only on a source of the matching kind (the parent's
    kind as posted on the same page)."""

    form: type[_SourceChildForm]

    def clean(self) -> None:
        super().clean()
        message = _kind_error(source=self.instance, key=self.form.kind_key)
        kept = [f for f in self.forms if f.has_changed() or f.instance.pk]
        if message and any(not f.cleaned_data.get(DELETION_FIELD_NAME) for f in kept):
            raise forms.ValidationError(message)


class PersonForm(_CheckedForm):
    checks = {"email": v.check_email}

    class Meta:
        model = Person
        fields = "__all__"


class CustomerForm(_CheckedForm):
    checks = {"environment": v.check_regex}

    class Meta:
        model = Customer
        fields = "__all__"


class RevenueMonthForm(forms.ModelForm):
    class Meta:
        model = RevenueMonth
        fields = "__all__"

    def clean_month(self) -> dt.date:
        # A revenue row is a month: whichever day is entered, store the first.
        return self.cleaned_data["month"].replace(day=1)


class UsageMonthForm(forms.ModelForm):
    value = forms.FloatField(min_value=0)

    class Meta:
        model = UsageMonth
        fields = "__all__"

    def clean_month(self) -> dt.date:
        # One value per month: whichever day is entered, store the first.
        return self.cleaned_data["month"].replace(day=1)


class CostExportForm(forms.ModelForm):
    format = forms.ChoiceField(choices=[(f, f) for f in get_args(schema.ExportFormat)])

    class Meta:
        model = CostExport
        fields = "__all__"


def _check_goal_metric(value: str) -> str:
    if message := metric_error(value, needs_direction=True):
        raise ValueError(message)
    return value


class GoalForm(_CheckedForm):
    """A goal: the metric must be in the catalog and have a direction, as in the config file."""

    checks = {"metric": _check_goal_metric}

    class Meta:
        model = Goal
        fields = ["metric", "team", "target"]

    def clean_target(self) -> float:
        target = self.cleaned_data["target"]
        if target is not None and not math.isfinite(target):
            raise forms.ValidationError("expected a finite number")
        return target
