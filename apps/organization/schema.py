"""The organisation config file (docs/configuration.md), as pydantic models.

`OrgConfig.model_validate(data)` checks everything that can be checked without the database:
unknown keys, types, regexes, dates, time zone, kind-specific source keys, uniqueness and
references between sections (`team: platfrom` when no such team is declared). Secrets are never
accepted in the file. `error_location` turns one pydantic error into `(key path, message)`.

The settings blocks (`BugSettings`, `IncidentSettings`, `ChurnSettings`, `DoraSettings`,
`CostSettings`) are also
what `apps.organization.selectors.org_settings` returns to the metric computations.
"""

import datetime as dt
from collections.abc import Iterator, Sequence
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, model_validator
from pydantic_core import ErrorDetails

from apps.organization import validators as v
from apps.organization.catalog import metric_error, metric_facts
from apps.organization.sources import identity_kinds, identity_names, source_adapter
from apps.organization.validators import PathError

Impact = Literal["high", "medium", "low"]
ExportFormat = Literal["focus", "aws-cur", "aws-cur2", "gcp", "azure"]
# A kind of the source registry (apps.organization.sources), checked when validated.
SourceKind = Annotated[str, AfterValidator(v.check_source_kind)]
ReleaseSource = Literal["releases", "deployments", "tags"]

# Every text stored in a column has that column's max_length here, so an over-long value is a
# ConfigError naming its key (PostgreSQL would refuse it mid-apply; SQLite would keep it).
Text = Annotated[str, Field(min_length=1)]
Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(v.check_one_line)]
Slug = Annotated[str, Field(max_length=50), AfterValidator(v.check_slug)]
LongSlug = Annotated[str, Field(max_length=100), AfterValidator(v.check_slug)]
Email = Annotated[str, Field(max_length=254), AfterValidator(v.check_email)]
EnvName = Annotated[str, Field(max_length=100), AfterValidator(v.check_env_name)]
Regex = Annotated[str, Field(max_length=300), AfterValidator(v.check_regex)]
Date = Annotated[dt.date, BeforeValidator(v.check_date)]
Month = Annotated[dt.date, BeforeValidator(v.check_month)]
Currency = Annotated[str, Field(pattern=r"^[A-Z]{3}$")]


class _Section(BaseModel):
    # Unknown keys are errors, so a typo never silently falls back to a default. YAML reads
    # `github: 1234` as a number: identities and names are text, so numbers become strings.
    model_config = ConfigDict(extra="forbid", coerce_numbers_to_str=True)


class OrganizationConfig(_Section):
    name: Name
    timezone: Annotated[str, Field(max_length=64), AfterValidator(v.check_timezone)] = "UTC"


class TeamConfig(_Section):
    slug: Slug
    name: Name
    managers: list[Email] = []


class PersonConfig(_Section):
    """A person; their accounts are keys named after the identity kinds of the source registry
    (`github: octocat`, `jira: <accountId>`, ...: apps.organization.sources), read with
    `identity()`. Any other key is an error, as in every section."""

    # Identity keys are not declared (the registry names them): extra keys are kept and
    # checked by `_identities`.
    model_config = ConfigDict(extra="allow", coerce_numbers_to_str=True)

    email: Email
    name: Annotated[str, Field(max_length=200)] = ""
    team: Slug | None = None

    @model_validator(mode="after")
    def _identities(self) -> "PersonConfig":
        names = set(identity_names())
        for key, value in list((self.model_extra or {}).items()):
            if key not in names:
                message = v.secret_key_message(key) if v.is_secret_key(key) else None
                raise PathError((key,), message or f"unknown key '{key}'")
            try:
                self.model_extra[key] = v.check_identity(value)  # type: ignore[index]
            except ValueError as exc:
                raise PathError((key,), str(exc)) from None
        return self

    def identity(self, provider: str) -> str | None:
        """The person's id at identity kind `provider` (None when not given)."""
        return (self.model_extra or {}).get(provider)


# `owner/name`; code hosts with nested groups (GitLab: `group/subgroup/project`) accept more
# segments (their adapter's `nested_repos`, checked by SourceConfig).
RepoName = Annotated[str, Field(pattern=r"^[\w.-]+(?:/[\w.-]+)+$", max_length=300)]
GroupPath = Annotated[str, Field(pattern=r"^[\w.-]+(?:/[\w.-]+)*$", max_length=300)]


class RepoGroupConfig(_Section):
    """A group whose repos (subgroups' included) the sync finds by itself, all with these
    settings (a repo also configured by name keeps its own)."""

    path: GroupPath
    team: Slug | None = None
    enabled: bool = True
    release_source: ReleaseSource = "releases"
    production_environment: Regex = "^production$"
    tag_pattern: Regex = "^v[0-9]"


class RepoConfig(_Section):
    name: RepoName
    team: Slug | None = None
    enabled: bool = True
    release_source: ReleaseSource = "releases"
    production_environment: Regex = "^production$"
    tag_pattern: Regex = "^v[0-9]"


class JiraProjectConfig(_Section):
    key: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]+$", max_length=50)]
    team: Slug | None = None
    enabled: bool = True


class PagerDutyServiceConfig(_Section):
    id: Annotated[str, Field(min_length=1, max_length=50)]
    team: Slug | None = None
    slo: Annotated[float, AfterValidator(v.check_slo)] | None = None
    name: Annotated[str, Field(max_length=300)] = ""
    enabled: bool = True
    # Its share in the team's and org's uptime (a weighted mean; 0 leaves it out).
    weight: Annotated[float, AfterValidator(v.check_weight)] = 1.0
    # The repos whose releases this service's outages are blamed on (DORA change failure rate);
    # each must be a repo configured under a source whose kind has repos (a code host).
    repos: list[RepoName] = []


class SourceConfig(_Section):
    name: LongSlug
    kind: SourceKind
    base_url: Annotated[str, Field(max_length=500), AfterValidator(v.check_base_url)] | None = None
    token_env: EnvName | None = None
    email_env: EnvName | None = None
    story_points_field: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    # Kinds with the `api` key (GitHub): read pull requests with GraphQL (few requests) or REST.
    api: Literal["graphql", "rest"] | None = None
    enabled: bool = True
    repos: list[RepoConfig] = []
    groups: list[RepoGroupConfig] = []
    projects: list[JiraProjectConfig] = []
    services: list[PagerDutyServiceConfig] = []

    @model_validator(mode="after")
    def _kind_rules(self) -> "SourceConfig":
        for key in v.kind_only_keys():
            message = v.kind_key_error(kind=self.kind, key=key)
            if message and key in self.model_fields_set:
                raise PathError((key,), message)
        adapter = source_adapter(self.kind)
        nested = adapter is not None and adapter.nested_repos
        for index, repo in enumerate(self.repos):
            if not nested and repo.name.count("/") > 1:
                message = f"must be owner/name for {self.kind} sources, got '{repo.name}'"
                raise PathError(("repos", index, "name"), message)
        if self.base_url is None and adapter is not None:
            if adapter.default_base_url is None:
                hint = f" ({adapter.base_url_hint})" if adapter.base_url_hint else ""
                raise PathError(("base_url",), f"required for {self.kind} sources{hint}")
            self.base_url = adapter.default_base_url
        return self


class CustomerConfig(_Section):
    key: LongSlug
    name: Name
    team: Slug | None = None
    onboarding_start: Date
    environment: Regex | None = None
    jira_issue: Annotated[str, Field(pattern=r"^[A-Z][A-Z0-9_]+-[1-9][0-9]*$")] | None = None


class ImpactWeights(_Section):
    high: Annotated[float, Field(ge=0)] = 3.0
    medium: Annotated[float, Field(ge=0)] = 2.0
    low: Annotated[float, Field(ge=0)] = 1.0


class ImpactSettings(_Section):
    weights: ImpactWeights = ImpactWeights()
    jira_priorities: dict[str, Impact] = {
        "Highest": "high",
        "High": "high",
        "Medium": "medium",
        "Low": "low",
        "Lowest": "low",
    }
    github_labels: dict[str, Impact] = {
        "impact:high": "high",
        "impact:medium": "medium",
        "impact:low": "low",
    }
    default: Impact = "medium"


class BugSettings(_Section):
    """Which issues are bugs, which are known, and their impact
    (docs/metrics.md#unanticipated-bugs)."""

    jira_types: list[Text] = ["Bug"]
    github_labels: list[Text] = ["bug"]
    known_labels: list[Text] = ["known-issue", "accepted-risk", "wontfix"]
    known_resolutions: list[Text] = ["Won't Fix", "Known Error"]
    # Closed as not a bug at all: counted nowhere, neither as a bug nor as bug work.
    ignored_resolutions: list[Text] = ["Duplicate", "Cannot Reproduce", "Won't Do"]
    impact: ImpactSettings = ImpactSettings()

    @model_validator(mode="after")
    def _disjoint(self) -> "BugSettings":
        known = set(self.known_resolutions)
        for index, name in enumerate(self.ignored_resolutions):
            if name in known:
                raise PathError(
                    ("ignored_resolutions", index),
                    f"'{name}' is also in known_resolutions: a resolution is either a known "
                    "bug or not a bug, not both",
                )
        return self


class IncidentSettings(_Section):
    """docs/metrics.md#uptime-and-incidents: PagerDuty urgencies that make an incident an outage."""

    outage_urgencies: list[Literal["high", "low"]] = ["high"]


class ChurnSettings(_Section):
    """docs/metrics.md#churn_risk: the churn-risk window, threshold and minimum sample."""

    window_days: Annotated[int, Field(gt=0)] = 90
    bug_share_threshold: Annotated[float, Field(ge=0, le=1)] = 0.5
    min_items: Annotated[int, Field(ge=1)] = 5


class DoraSettings(_Section):
    """How long after a release an outage is blamed on it (docs/metrics.md#change_failure_rate),
    and the pull-request labels that make a change a hotfix
    (docs/metrics.md#deployment_rework_rate)."""

    incident_window_hours: Annotated[float, Field(gt=0, le=24 * 366, allow_inf_nan=False)] = 72.0
    hotfix_labels: list[Text] = ["hotfix"]


class CostSettings(_Section):
    """Billing currency, conversion rates and how cost lines find a team
    (docs/metrics.md#cost-metrics); each team's loaded engineering cost per month
    (`engineering`, in the billing currency) and the tag keys naming a cost line's PagerDuty
    service (`service_tag_keys`), both for the cost of poor quality
    (docs/metrics.md#cost_of_poor_quality)."""

    currency: Currency = "USD"
    fx_rates: dict[Currency, Annotated[float, Field(gt=0)]] = {}
    team_tag_keys: list[Text] = ["team", "user:team"]
    accounts: Annotated[dict[str, Slug], BeforeValidator(v.check_text_keys)] = {}
    engineering: dict[Slug, Annotated[float, Field(ge=0, allow_inf_nan=False)]] = {}
    service_tag_keys: list[Text] = ["service", "user:service"]


class CostExportConfig(_Section):
    name: LongSlug
    format: ExportFormat
    path: Annotated[str, Field(min_length=1, max_length=1000)]


class CostsConfig(CostSettings):
    """The `costs` section: the settings plus the export locations (stored as CostExport rows)."""

    exports: list[CostExportConfig] = []


class RevenueConfig(_Section):
    month: Month
    amount: Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=2)]


class UsageConfig(_Section):
    """A usage series, a driver of the cost growth model (docs/metrics.md#cost-growth-model):
    `path` is a CSV file of `month,value` lines (relative paths from the config file's folder),
    read when the config is applied (apps.organization.usage)."""

    name: Slug
    unit: Annotated[str, Field(min_length=1, max_length=50)]
    path: Annotated[str, Field(min_length=1, max_length=1000)]


MetricName = Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$", max_length=64)]
Finite = Annotated[float, Field(allow_inf_nan=False)]


class GoalConfig(_Section):
    """A target for one metric (docs/configuration.md#goals), for the organisation and every
    team without its own goal, or (`team`) for one team, where it overrides the org's."""

    metric: MetricName
    target: Finite
    team: Slug | None = None

    @model_validator(mode="after")
    def _known(self) -> "GoalConfig":
        if message := metric_error(self.metric, needs_direction=True):
            raise PathError(("metric",), message)
        return self


AlertKind = Literal["slack", "email", "webhook"]
AlertWhen = Literal["below", "above", "goal_missed", "anomaly", "below_slo"]
# Keys that belong to one channel kind (docs/alerts.md#channels).
CHANNEL_KEYS: dict[str, str] = {
    "webhook_url_env": "slack",
    "token_env": "slack",
    "channel": "slack",
    "to": "email",
    "url_env": "webhook",
    "secret_env": "webhook",
}


class AlertChannelConfig(_Section):
    """Where alerts go (docs/alerts.md#channels): a Slack incoming webhook (`webhook_url_env`)
    or bot token (`token_env` + `channel`), e-mail addresses (`to`), or a signed webhook
    (`url_env`, `secret_env`). Secrets are named by environment variable or entered in the
    admin."""

    name: LongSlug
    kind: AlertKind
    webhook_url_env: EnvName | None = None
    token_env: EnvName | None = None
    channel: Annotated[str, Field(min_length=1, max_length=100)] | None = None
    to: list[Email] = []
    url_env: EnvName | None = None
    secret_env: EnvName | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _kind_rules(self) -> "AlertChannelConfig":
        for key, kind in CHANNEL_KEYS.items():
            if key in self.model_fields_set and kind != self.kind:
                raise PathError((key,), f"'{key}' is only for {kind} channels, not {self.kind}")
        if self.kind == "email" and not self.to:
            raise PathError(("to",), "an email channel needs at least one address in 'to'")
        if self.kind == "slack" and self.token_env and not self.channel:
            raise PathError(("channel",), "a Slack bot token needs the channel to post to")
        if self.kind == "slack" and self.webhook_url_env and self.token_env:
            raise PathError(
                ("token_env",), "use either webhook_url_env (incoming webhook) or token_env (bot)"
            )
        return self


class AlertRuleConfig(_Section):
    """One alert rule (docs/alerts.md#rules): when a complete period of `metric` at `scope`
    fires, one message goes to `channel`."""

    name: LongSlug | None = None
    metric: MetricName
    scope: Literal["org", "team", "service", "customer"]
    scope_key: Annotated[str, Field(max_length=300)] | None = None
    granularity: Literal["week", "month"] = "month"
    when: AlertWhen
    value: Finite | None = None
    periods: Annotated[int, Field(ge=1, le=24)] = 1
    channel: LongSlug
    since: Date | None = None
    enabled: bool = True

    @model_validator(mode="after")
    def _consistent(self) -> "AlertRuleConfig":
        if message := metric_error(self.metric, needs_direction=self.when == "goal_missed"):
            raise PathError(("metric",), message)
        facts = metric_facts(self.metric)
        if facts and facts.scopes and self.scope not in facts.scopes:
            scopes = ", ".join(s for s in facts.scopes if s != "engineer")
            raise PathError(
                ("scope",), f"metric '{self.metric}' has no {self.scope} rows (scopes: {scopes})"
            )
        if self.when in ("below", "above") and self.value is None:
            raise PathError(("value",), f"when: {self.when} needs a value")
        if self.when not in ("below", "above") and "value" in self.model_fields_set:
            raise PathError(("value",), f"when: {self.when} takes no value")
        if self.when != "goal_missed" and "periods" in self.model_fields_set:
            raise PathError(("periods",), "periods is only for when: goal_missed")
        if self.when == "below_slo" and (self.metric, self.scope) != ("uptime", "service"):
            raise PathError(("when",), "below_slo is for uptime at scope service")
        if self.scope == "org" and self.scope_key:
            raise PathError(("scope_key",), "the org scope has no scope_key")
        if self.name is None:
            parts = [self.metric, self.scope, self.scope_key or "", self.when, self.channel]
            self.name = "-".join(p for p in parts if p)[:100]
        return self


class AlertsConfig(_Section):
    """The `alerts` section (docs/alerts.md)."""

    channels: list[AlertChannelConfig] = []
    rules: list[AlertRuleConfig] = []


class DigestsConfig(_Section):
    """The `digests` section (docs/digests.md#weekly-digest): who also gets a weekly digest,
    and the Slack channel (of `alerts.channels`) the monthly digest is posted to."""

    weekly: list[Email] = []
    slack_channel: LongSlug | None = None


class OrgConfig(_Section):
    """The whole file: docs/configuration.md, and examples/keel.yaml for an example."""

    organization: OrganizationConfig
    teams: list[TeamConfig] = []
    people: list[PersonConfig] = []
    sources: list[SourceConfig] = []
    customers: list[CustomerConfig] = []
    bugs: BugSettings = BugSettings()
    incidents: IncidentSettings = IncidentSettings()
    churn: ChurnSettings = ChurnSettings()
    dora: DoraSettings = DoraSettings()
    costs: CostsConfig = CostsConfig()
    revenue: list[RevenueConfig] = []
    usage: list[UsageConfig] = []
    goals: list[GoalConfig] = []
    alerts: AlertsConfig = AlertsConfig()
    digests: DigestsConfig = DigestsConfig()

    @model_validator(mode="after")
    def _consistent(self) -> "OrgConfig":
        for path, message in _duplicates(self):
            raise PathError(path, message)
        for path, message in _unknown_teams(self):
            raise PathError(path, message)
        for path, message in _unknown_repos(self):
            raise PathError(path, message)
        for path, message in _alert_references(self):
            raise PathError(path, message)
        return self


Problem = tuple[tuple[str | int, ...], str]


def _first_seen(
    items: Sequence[Any], attr: str, where: tuple[str | int, ...], what: str, fold: bool = False
) -> Iterator[Problem]:
    seen: dict[Any, int] = {}
    for index, item in enumerate(items):
        value = getattr(item, attr, None)  # a person's identity keys are present when given
        if value is None:
            continue
        key = value.lower() if fold else value
        if key in seen:
            first = v.format_path((*where, seen[key]))
            yield (*where, index, attr), f"duplicate {what} '{value}' (first at {first})"
        seen.setdefault(key, index)


def _duplicates(config: OrgConfig) -> Iterator[Problem]:
    yield from _first_seen(config.teams, "slug", ("teams",), "team slug")
    yield from _first_seen(config.people, "email", ("people",), "person email")
    for kind in identity_kinds():  # compared as the provider compares them (case or not)
        yield from _first_seen(
            config.people, kind.name, ("people",), kind.noun, fold=kind.case_insensitive
        )
    yield from _first_seen(config.sources, "name", ("sources",), "source name")
    for i, source in enumerate(config.sources):
        yield from _first_seen(source.repos, "name", ("sources", i, "repos"), "repo")
        yield from _first_seen(source.groups, "path", ("sources", i, "groups"), "group", fold=True)
        yield from _first_seen(source.projects, "key", ("sources", i, "projects"), "project key")
        yield from _first_seen(source.services, "id", ("sources", i, "services"), "service id")
    yield from _first_seen(config.customers, "key", ("customers",), "customer key")
    yield from _first_seen(config.costs.exports, "name", ("costs", "exports"), "export name")
    yield from _first_seen(config.revenue, "month", ("revenue",), "revenue month")
    yield from _first_seen(config.usage, "name", ("usage",), "usage name")
    goals = config.goals
    for index, goal in enumerate(goals):
        first = next(
            i for i, g in enumerate(goals) if (g.metric, g.team) == (goal.metric, goal.team)
        )
        if first != index:
            whose = f"team '{goal.team}'" if goal.team else "the organisation"
            yield (
                ("goals", index, "metric"),
                (f"duplicate goal for '{goal.metric}' of {whose} (first at goals[{first}])"),
            )
    alerts = config.alerts
    yield from _first_seen(alerts.channels, "name", ("alerts", "channels"), "channel name")
    yield from _first_seen(alerts.rules, "name", ("alerts", "rules"), "rule name")
    for index, address in enumerate(config.digests.weekly):
        if config.digests.weekly.index(address) != index:
            first = config.digests.weekly.index(address)
            yield (
                ("digests", "weekly", index),
                (f"duplicate address '{address}' (first at digests.weekly[{first}])"),
            )


def _unknown_teams(config: OrgConfig) -> Iterator[Problem]:
    teams = {team.slug for team in config.teams}
    refs: list[tuple[tuple[str | int, ...], str | None]] = []
    refs += [(("people", i, "team"), p.team) for i, p in enumerate(config.people)]
    for i, source in enumerate(config.sources):
        children: dict[str, Sequence[Any]] = {
            "repos": source.repos,
            "groups": source.groups,
            "projects": source.projects,
            "services": source.services,
        }
        for key, items in children.items():
            refs += [(("sources", i, key, j, "team"), item.team) for j, item in enumerate(items)]
    refs += [(("customers", i, "team"), c.team) for i, c in enumerate(config.customers)]
    accounts = config.costs.accounts.items()
    refs += [(("costs", "accounts", account), team) for account, team in accounts]
    refs += [(("costs", "engineering", team), team) for team in config.costs.engineering]
    refs += [(("goals", i, "team"), g.team) for i, g in enumerate(config.goals)]
    rules = config.alerts.rules
    refs += [
        (("alerts", "rules", i, "scope_key"), r.scope_key)
        for i, r in enumerate(rules)
        if r.scope == "team"
    ]
    for path, team in refs:
        if team is not None and team not in teams:
            yield path, f"unknown team '{team}'"


def _unknown_repos(config: OrgConfig) -> Iterator[Problem]:
    """A service's `repos` must name repos configured under a code host source's `repos`
    (case-insensitive, as code hosts' names are)."""
    known = {repo.name.lower() for source in config.sources for repo in source.repos}
    hosts = " or ".join(v.config_key_kinds().get("repos", []))
    for i, source in enumerate(config.sources):
        for j, service in enumerate(source.services):
            for k, name in enumerate(service.repos):
                if name.lower() not in known:
                    path = ("sources", i, "services", j, "repos", k)
                    yield (
                        path,
                        f"unknown repo '{name}': configure it under a {hosts} source's repos",
                    )


def _alert_references(config: OrgConfig) -> Iterator[Problem]:
    """A rule's channel must be declared; a service or customer scope_key must be configured."""
    channels = {channel.name for channel in config.alerts.channels}
    services = {svc.id for source in config.sources for svc in source.services}
    customers = {customer.key for customer in config.customers}
    slack = config.digests.slack_channel
    kinds = {channel.name: channel.kind for channel in config.alerts.channels}
    if slack is not None and kinds.get(slack) != "slack":
        what = "not a slack channel" if slack in kinds else "unknown channel"
        yield ("digests", "slack_channel"), f"{what} '{slack}' (declare it in alerts.channels)"
    for i, rule in enumerate(config.alerts.rules):
        if rule.channel not in channels:
            yield ("alerts", "rules", i, "channel"), f"unknown channel '{rule.channel}'"
        known = {"service": services, "customer": customers}.get(rule.scope)
        if rule.scope_key and known is not None and rule.scope_key not in known:
            yield ("alerts", "rules", i, "scope_key"), f"unknown {rule.scope} '{rule.scope_key}'"


_MESSAGES = {
    "missing": "required key missing",
    "model_type": "expected a mapping of keys",
    "model_attributes_type": "expected a mapping of keys",
    "dict_type": "expected a mapping",
    "list_type": "expected a list",
    "bool_parsing": "expected true or false",
    "bool_type": "expected true or false",
}


def error_location(error: ErrorDetails) -> tuple[str, str]:
    """`(path, message)` for one pydantic error, e.g.
    `("sources[0].repos[1].team", "unknown team 'platfrom'")` or
    `("teams[0].colour", "unknown key 'colour'")`."""
    loc: tuple[str | int, ...] = tuple(error["loc"])
    cause = error.get("ctx", {}).get("error")
    kind = error["type"]
    if isinstance(cause, PathError):
        return v.format_path(loc + cause.path), str(cause)
    if loc and loc[-1] == "[key]":
        return v.format_path(loc[:-1]), f"invalid key: {error['msg']}"
    if kind == "value_error" and cause is not None:
        return v.format_path(loc), str(cause)
    if kind == "extra_forbidden":
        key = str(loc[-1])
        message = v.secret_key_message(key) if v.is_secret_key(key) else f"unknown key '{key}'"
        return v.format_path(loc), message
    if kind == "string_type" and isinstance(error["input"], bool):
        # YAML 1.1 reads yes/no/on/off as booleans (a Jira project key `NO`, for one).
        return v.format_path(loc), f"expected text, got {error['input']}: quote the value"
    return v.format_path(loc), _MESSAGES.get(kind, error["msg"])
