"""Config as code (docs/configuration.md): load and validate the YAML file, then apply it to the
database.

`config_load` never touches the database; `config_apply` writes everything in one transaction,
so an error at any point leaves the database as it was.
"""

from pathlib import Path
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User as AuthUser
from django.db import transaction
from pydantic import ValidationError

from apps.core.audit import audit_record
from apps.core.errors import ConfigError
from apps.core.models import AuditEvent
from apps.organization import schema
from apps.organization.models import (
    CostExport,
    Customer,
    Goal,
    Identity,
    JiraProject,
    Organization,
    PagerDutyService,
    Person,
    Repo,
    RepoGroup,
    RevenueMonth,
    Source,
    Team,
)
from apps.organization.rows import ApplyResult, Synced, rows_delete, rows_sync
from apps.organization.sections import section_appliers
from apps.organization.sources import identity_names
from apps.organization.usage import usage_apply, usage_files_read
from apps.organization.yaml_loader import yaml_parse

Rows = dict[tuple[Any, ...], dict[str, Any]]

__all__ = ["ApplyResult", "config_apply", "config_apply_file", "config_load"]


def config_load(*, text: str) -> schema.OrgConfig:
    """Parse and validate a config file's text (docs/configuration.md). Reads no database.

    Raises ConfigError(path, message) for the first problem, e.g.
    `ConfigError("sources[0].repos[1].team", "unknown team 'platfrom'")`; YAML syntax errors
    carry the line and column in the message, with an empty path.
    """
    data = yaml_parse(text)
    if data is None:
        raise ConfigError("", "the config file is empty")
    if not isinstance(data, dict):
        raise ConfigError("", "the config must be a mapping of sections (organization, teams, ...)")
    try:
        return schema.OrgConfig.model_validate(data)
    except ValidationError as exc:
        path, message = schema.error_location(exc.errors()[0])
        raise ConfigError(path, message) from None


def config_apply_file(*, path: str | Path, prune: bool = False) -> ApplyResult:
    """Read, validate and apply the config file at `path`. Raises ConfigError when the file
    cannot be read or is invalid; then nothing is applied."""
    try:
        data = Path(path).read_bytes()
    except FileNotFoundError:
        raise ConfigError("", f"config file not found: {path}") from None
    except OSError as exc:
        raise ConfigError("", f"cannot read config file {path}: {exc.strerror or exc}") from None
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        message = (
            f"config file {path} is not UTF-8 text ({exc.reason} at line {line}, "
            f"byte {exc.start}); save it as UTF-8"
        )
        raise ConfigError("", message) from None
    config = config_load(text=text)
    result = config_apply(config=config, prune=prune, base_dir=Path(path).resolve().parent)
    changes = {label: vars(change) for label, change in result.changes.items()}
    audit_record(
        actor=None,
        action=AuditEvent.Action.CONFIG_APPLIED,
        target=str(path),
        detail={"prune": prune, "changes": changes},
    )
    return result


@transaction.atomic
def config_apply(
    *, config: schema.OrgConfig, prune: bool = False, base_dir: Path | None = None
) -> ApplyResult:
    """Make the database match `config` (docs/configuration.md), idempotently, in one
    transaction.

    Rows are matched by natural key (team slug, person email, source name, ...) and saved only
    when a value differs. Objects absent from the file are kept unless `prune`. Secrets entered
    in the admin (`Source.token`, `Source.webhook_secret`) are never read or written here.
    Usage CSVs (`usage[].path`, relative to `base_dir`, else the working directory) are all
    read before anything is written. Returns the counts per model. Raises ConfigError for a
    missing or malformed usage file (`usage[0].path: usage.csv line 3: ...`) and for problems
    only the database reveals (e.g. two users with a manager's e-mail); the transaction is
    then rolled back.
    """
    usage = usage_files_read(config=config, base_dir=base_dir)
    result = ApplyResult()
    _apply_organization(config=config, result=result, prune=prune)
    teams = _apply_teams(config=config, result=result, prune=prune)
    _apply_people(config=config, teams=teams, result=result, prune=prune)
    _apply_sources(config=config, teams=teams, result=result, prune=prune)
    _apply_customers(config=config, teams=teams, result=result, prune=prune)
    _apply_costs(config=config, result=result, prune=prune)
    usage_apply(config=config, usage=usage, result=result, prune=prune)
    _apply_goals(config=config, teams=teams, result=result, prune=prune)
    for applier in section_appliers():
        applier(config=config, result=result, prune=prune)
    return result


def _apply_goals(
    *, config: schema.OrgConfig, teams: dict[Any, Team], result: ApplyResult, prune: bool
) -> None:
    rows_sync(
        queryset=Goal.objects.all(),
        key=("metric", "team_id"),
        rows={(g.metric, _team_id(teams, g.team)): {"target": g.target} for g in config.goals},
        result=result,
        prune=prune,
    )


def _apply_organization(*, config: schema.OrgConfig, result: ApplyResult, prune: bool) -> None:
    values = {
        "name": config.organization.name,
        "timezone": config.organization.timezone,
        "bug_settings": config.bugs.model_dump(mode="json"),
        "incident_settings": config.incidents.model_dump(mode="json"),
        "churn_settings": config.churn.model_dump(mode="json"),
        "dora_settings": config.dora.model_dump(mode="json"),
        # Export locations live in CostExport rows (editable in the admin), not in the settings.
        "cost_settings": config.costs.model_dump(mode="json", exclude={"exports"}),
    }
    first = Organization.objects.order_by("pk").first()
    # The organisation is a singleton: its key is whichever row exists first.
    key = first.pk if first else None
    rows_sync(
        queryset=Organization.objects.filter(pk=first.pk) if first else Organization.objects.none(),
        key=("pk",),
        rows={(key,): values},
        result=result,
        prune=False,
    )
    if prune and first:
        rows_delete(queryset=Organization.objects.exclude(pk=first.pk), result=result)


def _team_id(teams: dict[Any, Team], slug: str | None) -> int | None:
    return teams[(slug,)].pk if slug else None


def _apply_teams(*, config: schema.OrgConfig, result: ApplyResult, prune: bool) -> dict[Any, Team]:
    synced: Synced[Team] = rows_sync(
        queryset=Team.objects.prefetch_related("managers"),
        key=("slug",),
        rows={(team.slug,): {"name": team.name} for team in config.teams},
        result=result,
        prune=prune,
    )
    users: dict[str, AuthUser] = {}
    for index, team_config in enumerate(config.teams):
        key = (team_config.slug,)
        wanted = []
        for position, email in enumerate(team_config.managers):
            if email not in users:
                path = f"teams[{index}].managers[{position}]"
                users[email] = _manager_user(email=email, path=path, result=result)
            wanted.append(users[email])
        team = synced.objects[key]
        if {user.pk for user in wanted} != {user.pk for user in team.managers.all()}:
            team.managers.set(wanted)
            # A team created or already updated in this run counts once.
            if key not in synced.created and key not in synced.updated:
                result.add(Team._meta.label, updated=1)
    return synced.objects


def _manager_user(*, email: str, path: str, result: ApplyResult) -> AuthUser:
    """The Django user for a manager's e-mail: username == email, else the one user with that
    e-mail, else a new user with an unusable password (they sign in once one is set)."""
    user_model = get_user_model()
    user = user_model.objects.filter(username=email).first()
    if user is None:
        matches = list(user_model.objects.filter(email__iexact=email)[:2])
        if len(matches) > 1:
            raise ConfigError(path, f"several users have the e-mail {email}; which one manages?")
        user = matches[0] if matches else None
    if user is None:
        user = user_model(username=email, email=email)
        user.set_unusable_password()
        user.save()
        result.add(user_model._meta.label, created=1)
    return user


def _apply_people(
    *, config: schema.OrgConfig, teams: dict[Any, Team], result: ApplyResult, prune: bool
) -> None:
    people: dict[Any, Person] = rows_sync(
        queryset=Person.objects.all(),
        key=("email",),
        rows={
            (p.email,): {"name": p.name, "team_id": _team_id(teams, p.team)} for p in config.people
        },
        result=result,
        prune=prune,
    ).objects
    identities: Rows = {}
    for p in config.people:
        for provider in identity_names():
            external_id = p.identity(provider)
            if external_id:
                identities[(provider, external_id)] = {"person_id": people[(p.email,)].pk}
    rows_sync(
        queryset=Identity.objects.all(),
        key=("provider", "external_id"),
        rows=identities,
        result=result,
        prune=prune,
    )


def _apply_sources(
    *, config: schema.OrgConfig, teams: dict[Any, Team], result: ApplyResult, prune: bool
) -> None:
    sources: dict[Any, Source] = rows_sync(
        # The encrypted secrets are not even loaded: applying a file can never change them.
        queryset=Source.objects.defer("token", "webhook_secret"),
        key=("name",),
        rows={
            (s.name,): {
                "kind": s.kind,
                "base_url": s.base_url,
                "token_env": s.token_env or "",
                "email_env": s.email_env or "",
                "story_points_field": s.story_points_field or "",
                "api": s.api or Source.Api.GRAPHQL,
                "enabled": s.enabled,
            }
            for s in config.sources
        },
        result=result,
        prune=prune,
    ).objects
    repos, projects, services = _source_children(config=config, sources=sources, teams=teams)
    groups = _source_groups(config=config, sources=sources, teams=teams)
    # A repo a group's sync found that is now configured by name becomes the config's.
    for source_id, name in repos:
        Repo.objects.filter(source_id=source_id, full_name=name).update(group=None)
    synced: dict[type, Synced[Any]] = {}
    for model, key, rows in (
        (RepoGroup, ("source_id", "path"), groups),  # a removed group takes its repos along
        (Repo, ("source_id", "full_name"), repos),
        (JiraProject, ("source_id", "key"), projects),
        (PagerDutyService, ("source_id", "service_id"), services),
    ):
        # Repos found in a group are the sync's, not the file's: never pruned here.
        queryset = Repo.objects.filter(group=None) if model is Repo else model.objects.all()
        synced[model] = rows_sync(queryset=queryset, key=key, rows=rows, result=result, prune=prune)
    _apply_group_repos(groups=synced[RepoGroup])
    _apply_service_repos(config=config, sources=sources, synced=synced, result=result)


#: The settings a group's repos take from it.
GROUP_REPO_FIELDS = ("team_id", "release_source", "production_environment", "tag_pattern")


def _source_groups(
    *, config: schema.OrgConfig, sources: dict[Any, Source], teams: dict[Any, Team]
) -> Rows:
    """The repo group rows, keyed by (source id, path)."""
    return {
        (sources[(s.name,)].pk, group.path): {
            "team_id": _team_id(teams, group.team),
            "release_source": group.release_source,
            "production_environment": group.production_environment,
            "tag_pattern": group.tag_pattern,
            "enabled": group.enabled,
        }
        for s in config.sources
        for group in s.groups
    }


def _apply_group_repos(*, groups: Synced[RepoGroup]) -> None:
    """The repos a group's sync found take the group's settings now (a disabled group's are
    disabled; the next sync enables those still in an enabled group)."""
    for group in groups.objects.values():
        values: dict[str, Any] = {name: getattr(group, name) for name in GROUP_REPO_FIELDS}
        if not group.enabled:
            values["enabled"] = False
        Repo.objects.filter(group=group).update(**values)


def _apply_service_repos(
    *,
    config: schema.OrgConfig,
    sources: dict[Any, Source],
    synced: dict[type, Synced[Any]],
    result: ApplyResult,
) -> None:
    """Each service's `repos` (names checked by the schema, matched case-insensitively)."""
    by_name = {name.lower(): repo for (_, name), repo in synced[Repo].objects.items()}
    services: Synced[PagerDutyService] = synced[PagerDutyService]
    for s in config.sources:
        for service in s.services:
            key = (sources[(s.name,)].pk, service.id)
            obj = services.objects[key]
            wanted = {by_name[name.lower()].pk for name in service.repos}
            if wanted != set(obj.repos.values_list("pk", flat=True)):
                obj.repos.set(wanted)
                if key not in services.created and key not in services.updated:
                    result.add(PagerDutyService._meta.label, updated=1)


def _source_children(
    *, config: schema.OrgConfig, sources: dict[Any, Source], teams: dict[Any, Team]
) -> tuple[Rows, Rows, Rows]:
    """The repo, Jira project and PagerDuty service rows, keyed by (source id, natural key)."""
    repos: Rows = {}
    projects: Rows = {}
    services: Rows = {}
    for s in config.sources:
        source_id = sources[(s.name,)].pk
        for repo in s.repos:
            repos[(source_id, repo.name)] = {
                "team_id": _team_id(teams, repo.team),
                "release_source": repo.release_source,
                "production_environment": repo.production_environment,
                "tag_pattern": repo.tag_pattern,
                "enabled": repo.enabled,
            }
        for project in s.projects:
            projects[(source_id, project.key)] = {
                "team_id": _team_id(teams, project.team),
                "enabled": project.enabled,
            }
        for service in s.services:
            values: dict[str, Any] = {
                "team_id": _team_id(teams, service.team),
                "slo": service.slo,
                "enabled": service.enabled,
                "weight": service.weight,
            }
            if service.name:  # else keep the name sync read from PagerDuty
                values["name"] = service.name
            services[(source_id, service.id)] = values
    return repos, projects, services


def _apply_customers(
    *, config: schema.OrgConfig, teams: dict[Any, Team], result: ApplyResult, prune: bool
) -> None:
    rows: Rows = {
        (c.key,): {
            "name": c.name,
            "team_id": _team_id(teams, c.team),
            "onboarding_start": c.onboarding_start,
            "environment": c.environment or "",
            "jira_issue": c.jira_issue or "",
        }
        for c in config.customers
    }
    rows_sync(queryset=Customer.objects.all(), key=("key",), rows=rows, result=result, prune=prune)


def _apply_costs(*, config: schema.OrgConfig, result: ApplyResult, prune: bool) -> None:
    rows_sync(
        queryset=CostExport.objects.all(),
        key=("name",),
        rows={(e.name,): {"format": e.format, "path": e.path} for e in config.costs.exports},
        result=result,
        prune=prune,
    )
    rows_sync(
        queryset=RevenueMonth.objects.all(),
        key=("month",),
        rows={(r.month,): {"amount": r.amount} for r in config.revenue},
        result=result,
        prune=prune,
    )
