"""Reads of the organisation: the singleton and its parsed settings, source credentials, the
teams a manager sees."""

import os
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.db.models import QuerySet
from pydantic import BaseModel, ValidationError

from apps.core.errors import ConfigError, KeelError
from apps.core.fields import secret_unreadable
from apps.organization import schema
from apps.organization.models import (
    Customer,
    JiraProject,
    Organization,
    PagerDutyService,
    Person,
    Repo,
    Source,
    Team,
)
from apps.organization.sources import source_adapter, source_adapters, source_label

T = TypeVar("T", bound=BaseModel)


@dataclass(frozen=True)
class OrgSettings:
    """The organisation's settings blocks (docs/configuration.md), defaults filled in."""

    bugs: schema.BugSettings
    incidents: schema.IncidentSettings
    churn: schema.ChurnSettings
    costs: schema.CostSettings
    dora: schema.DoraSettings = field(default_factory=schema.DoraSettings)


@dataclass(frozen=True)
class SourceCredentials:
    """What a client needs to authenticate. The token is left out of `repr` so it never ends up
    in a log line or a traceback."""

    token: str = field(repr=False)
    email: str = ""  # Jira basic auth only


def default_settings() -> dict[str, dict[str, Any]]:
    """The settings dicts of an organisation configured with nothing but defaults."""
    return {
        "bug_settings": schema.BugSettings().model_dump(mode="json"),
        "incident_settings": schema.IncidentSettings().model_dump(mode="json"),
        "churn_settings": schema.ChurnSettings().model_dump(mode="json"),
        "cost_settings": schema.CostSettings().model_dump(mode="json"),
        "dora_settings": schema.DoraSettings().model_dump(mode="json"),
    }


def organization_get() -> Organization:
    """The organisation (the first row). Before any config is applied: an unsaved
    `Organization(name="Keel", timezone="UTC")` with the default settings."""
    organization = Organization.objects.order_by("pk").first()
    if organization is None:
        organization = Organization(name="Keel", timezone="UTC", **default_settings())
    return organization


def _parse(model: type[T], data: dict[str, Any], field_name: str) -> T:
    try:
        return model.model_validate(data or {})
    except ValidationError as exc:
        path, message = schema.error_location(exc.errors()[0])
        raise ConfigError(f"organization.{field_name}.{path}".rstrip("."), message) from None


def org_settings() -> OrgSettings:
    """The parsed bug / incident / churn / cost / DORA settings (docs/configuration.md); empty
    blocks give defaults.

    Raises ConfigError if a block stored in the database no longer validates."""
    org = organization_get()
    return OrgSettings(
        bugs=_parse(schema.BugSettings, org.bug_settings, "bug_settings"),
        incidents=_parse(schema.IncidentSettings, org.incident_settings, "incident_settings"),
        churn=_parse(schema.ChurnSettings, org.churn_settings, "churn_settings"),
        costs=_parse(schema.CostSettings, org.cost_settings, "cost_settings"),
        dora=_parse(schema.DoraSettings, org.dora_settings, "dora_settings"),
    )


def _from_env(name: str) -> str:
    return os.environ.get(name, "") if name else ""


def _hint(env_name: str, what: str) -> str:
    where = f"set {env_name}" if env_name else f"name an environment variable with {what}_env"
    return f"{where} or enter one in the admin"


def secret_unreadable_message(*, source: Source, field: str) -> str:
    """The error of a source whose stored secret cannot be decrypted (docs/operations.md)."""
    return (
        f"secret for source {source.name} cannot be decrypted: re-enter it (admin: Sources, "
        f"{source.name}, {field}); KEEL_ENCRYPTION_KEY has changed or the stored value is corrupt"
    )


def source_credentials(*, source: Source) -> SourceCredentials:
    """The token (and for Jira the account e-mail) of `source`: the value stored in the admin
    wins, else the environment variable named by `token_env` / `email_env`.

    Raises KeelError naming the source and where to put the secret, never the secret itself,
    e.g. `source 'gh': no token (set GITHUB_TOKEN or enter one in the admin)`, or
    `secret for source gh cannot be decrypted: re-enter it (...)` when the stored token cannot
    be decrypted.
    """
    stored = source.token
    if secret_unreadable(stored):
        raise KeelError(secret_unreadable_message(source=source, field="token"))
    token = stored or _from_env(source.token_env)
    if not token:
        raise KeelError(f"source '{source.name}': no token ({_hint(source.token_env, 'token')})")
    email = source.email or _from_env(source.email_env)
    if "email_env" in _config_keys(source.kind) and not email:  # basic auth: e-mail + token
        hint = _hint(source.email_env, "email")
        label = source_label(source.kind)
        raise KeelError(f"source '{source.name}': no account e-mail for {label} ({hint})")
    return SourceCredentials(token=token, email=email)


# Only what is configured and enabled counts (docs/metrics.md#periods-and-scopes): a repo, Jira
# project or PagerDuty service counts when it and its source are enabled. Metrics, sync and
# webhooks all read these, so the rule lives in one place.


def _config_keys(kind: str) -> tuple[str, ...]:
    adapter = source_adapter(kind)
    return adapter.config_keys if adapter else ()


def _kinds_with(key: str) -> list[str]:
    """The source kinds whose config takes `key` (repos, projects, services)."""
    return [a.kind for a in source_adapters() if key in a.config_keys]


def repos_counted() -> QuerySet[Repo]:
    """The enabled repos of enabled sources whose kind has repos (code hosts)."""
    return Repo.objects.filter(
        enabled=True, source__enabled=True, source__kind__in=_kinds_with("repos")
    )


def jira_projects_counted() -> QuerySet[JiraProject]:
    """The enabled projects of enabled sources whose kind has projects (trackers)."""
    return JiraProject.objects.filter(
        enabled=True, source__enabled=True, source__kind__in=_kinds_with("projects")
    )


def services_counted() -> QuerySet[PagerDutyService]:
    """The enabled services of enabled sources whose kind has services (incidents)."""
    return PagerDutyService.objects.filter(
        enabled=True, source__enabled=True, source__kind__in=_kinds_with("services")
    )


def teams_managed_by(*, user: AuthUser | AnonymousUser | None) -> QuerySet[Team]:
    """The teams whose managers include `user` (none for anonymous users), by slug."""
    if user is None or not user.is_authenticated:
        return Team.objects.none()
    return Team.objects.filter(managers=user).order_by("slug")


def team_of_manager(user: AuthUser | AnonymousUser | None) -> Team | None:
    """The first team (by slug) `user` manages, or None."""
    return teams_managed_by(user=user).first()


def team_slugs() -> list[str]:
    """The slug of every configured team, sorted."""
    return list(Team.objects.order_by("slug").values_list("slug", flat=True))


def teams_list() -> QuerySet[Team]:
    """Teams with their managers (the teams API)."""
    return Team.objects.prefetch_related("managers")


def people_list() -> QuerySet[Person]:
    """People with their team and identities (the people API)."""
    return Person.objects.select_related("team").prefetch_related("identities")


def customers_list() -> QuerySet[Customer]:
    """Customers with their team (the customers API)."""
    return Customer.objects.select_related("team")
