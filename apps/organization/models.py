"""The organisation as configured (docs/configuration.md): teams, people and identities, sources
with their repos / projects / services, customers, revenue and the bug / incident / churn / cost
settings.

Models stay thin: `apps.organization.services.config_apply` writes them, selectors read them.
"""

from django.conf import settings
from django.db import models

from apps.core.fields import EncryptedTextField
from apps.organization.sources import identity_choices, kind_choices


class Organization(models.Model):
    """The one organisation Keel measures. Settings blocks are the validated dicts of the
    config's `bugs`, `incidents`, `churn`, `dora` and `costs` sections
    (schema: apps.organization.schema)."""

    name = models.CharField(max_length=200)
    timezone = models.CharField(max_length=64, default="UTC")
    bug_settings = models.JSONField(default=dict, blank=True)
    incident_settings = models.JSONField(default=dict, blank=True)
    churn_settings = models.JSONField(default=dict, blank=True)
    dora_settings = models.JSONField(default=dict, blank=True)
    cost_settings = models.JSONField(default=dict, blank=True)

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    slug = models.SlugField(unique=True)
    name = models.CharField(max_length=200)
    managers = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="managed_teams"
    )

    class Meta:
        ordering = ["slug"]

    def __str__(self) -> str:
        return self.slug


class Person(models.Model):
    email = models.EmailField(unique=True)
    name = models.CharField(max_length=200, blank=True)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="members"
    )

    class Meta:
        ordering = ["email"]
        verbose_name_plural = "people"

    def __str__(self) -> str:
        return self.email


class Identity(models.Model):
    """One account of a person at a provider (a GitHub login, a Jira accountId, ...): `provider`
    is an identity kind of the source registry (apps.organization.sources)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="identities")
    provider = models.CharField(max_length=16, choices=identity_choices)
    external_id = models.CharField(max_length=200)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["provider", "external_id"], name="identity_unique_per_provider"
            )
        ]
        verbose_name_plural = "identities"

    def __str__(self) -> str:
        return f"{self.provider}:{self.external_id}"


class Source(models.Model):
    """A configured upstream. The secret is either named by an environment variable
    (`token_env`, `email_env`) or entered in the admin and stored encrypted (`token`)."""

    class Api(models.TextChoices):
        GRAPHQL = "graphql"
        REST = "rest"

    name = models.SlugField(max_length=100, unique=True)
    # A kind of the source registry (apps.organization.sources): choices are read when used, so
    # a new adapter needs no migration.
    kind = models.CharField(max_length=16, choices=kind_choices)
    base_url = models.URLField(max_length=500)
    token_env = models.CharField(max_length=100, blank=True)
    email_env = models.CharField(max_length=100, blank=True)
    token = EncryptedTextField(blank=True, help_text="Write-only; stored encrypted.")
    email = models.CharField(
        max_length=254, blank=True, help_text="Jira account e-mail for basic auth."
    )
    webhook_secret = EncryptedTextField(blank=True, help_text="Write-only; stored encrypted.")
    story_points_field = models.CharField(max_length=100, blank=True)
    # The API pull requests are read with, for kinds with the `api` key
    # (docs/configuration.md#sources).
    api = models.CharField(max_length=16, choices=Api.choices, default=Api.GRAPHQL)
    enabled = models.BooleanField(default=True, help_text="Off: not synced and counted nowhere.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class ReleaseSource(models.TextChoices):
    RELEASES = "releases"
    DEPLOYMENTS = "deployments"
    TAGS = "tags"


class RepoGroup(models.Model):
    """A group of repos on a code host that the sync expands into its repos (a GitLab group with
    its subgroups, docs/configuration.md#sources): each repo it finds is a `Repo` with the
    group's team and release settings, kept in step with the group's."""

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="repo_groups")
    path = models.CharField(max_length=300, help_text="group or group/subgroup")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="repo_groups"
    )
    release_source = models.CharField(
        max_length=16, choices=ReleaseSource.choices, default="releases"
    )
    production_environment = models.CharField(max_length=300, default="^production$")
    tag_pattern = models.CharField(max_length=300, default="^v[0-9]")
    enabled = models.BooleanField(default=True, help_text="Off: not synced and counted nowhere.")

    class Meta:
        ordering = ["path"]
        constraints = [
            models.UniqueConstraint(fields=["source", "path"], name="repo_group_unique_per_source")
        ]

    def __str__(self) -> str:
        return self.path


class Repo(models.Model):
    ReleaseSource = ReleaseSource

    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="repos")
    full_name = models.CharField(max_length=300, help_text="owner/name")
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="repos"
    )
    release_source = models.CharField(
        max_length=16, choices=ReleaseSource.choices, default="releases"
    )
    production_environment = models.CharField(max_length=300, default="^production$")
    tag_pattern = models.CharField(max_length=300, default="^v[0-9]")
    enabled = models.BooleanField(default=True, help_text="Off: not synced and counted nowhere.")
    # The code host's id of the repo (GitLab: the project id), filled by the first sync.
    external_id = models.BigIntegerField(null=True, blank=True)
    default_branch = models.CharField(max_length=300, blank=True)
    # The group the sync found this repo in (null: configured by its name); its settings follow
    # the group's, and removing the group removes it.
    group = models.ForeignKey(
        RepoGroup, null=True, blank=True, on_delete=models.CASCADE, related_name="repos"
    )

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(fields=["source", "full_name"], name="repo_unique_per_source")
        ]

    def __str__(self) -> str:
        return self.full_name


class JiraProject(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="jira_projects")
    key = models.CharField(max_length=50)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="jira_projects"
    )
    enabled = models.BooleanField(default=True, help_text="Off: not synced and counted nowhere.")

    class Meta:
        verbose_name = "Jira project"
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["source", "key"], name="jira_project_unique_per_source")
        ]

    def __str__(self) -> str:
        return self.key


class PagerDutyService(models.Model):
    source = models.ForeignKey(Source, on_delete=models.CASCADE, related_name="pagerduty_services")
    service_id = models.CharField(max_length=50)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="pagerduty_services"
    )
    slo = models.FloatField(null=True, blank=True, help_text="e.g. 0.999")
    name = models.CharField(max_length=300, blank=True)
    enabled = models.BooleanField(default=True, help_text="Off: not synced and counted nowhere.")
    weight = models.FloatField(
        default=1.0, help_text="Share in the team's and org's uptime (weighted mean); 0 or more."
    )
    repos = models.ManyToManyField(
        Repo,
        blank=True,
        related_name="pagerduty_services",
        help_text="Repos whose releases its outages are blamed on (else its team's repos).",
    )

    class Meta:
        verbose_name = "PagerDuty service"
        ordering = ["service_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "service_id"], name="pd_service_unique_per_source"
            )
        ]

    def __str__(self) -> str:
        return self.name or self.service_id


class Customer(models.Model):
    key = models.SlugField(max_length=100, unique=True)
    name = models.CharField(max_length=200)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.SET_NULL, related_name="customers"
    )
    onboarding_start = models.DateField()
    environment = models.CharField(
        max_length=300, blank=True, help_text="regex on deployment environment"
    )
    jira_issue = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.key


class RevenueMonth(models.Model):
    month = models.DateField(unique=True, help_text="first day of the month")
    amount = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        ordering = ["month"]

    def __str__(self) -> str:
        return f"{self.month:%Y-%m}: {self.amount}"


class CostExport(models.Model):
    """A cost export location (config `costs.exports`)."""

    name = models.SlugField(max_length=100, unique=True)
    format = models.CharField(max_length=16)
    path = models.CharField(max_length=1000)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class UsageSeries(models.Model):
    """A usage series of the config (`usage`): a driver of the cost growth model
    (docs/metrics.md#cost-growth-model), e.g. requests or active users per month."""

    name = models.SlugField(max_length=50, unique=True)
    unit = models.CharField(max_length=50)
    path = models.CharField(max_length=1000, blank=True, help_text="the CSV it was read from")

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "usage series"

    def __str__(self) -> str:
        return self.name


class UsageMonth(models.Model):
    """One month of a usage series."""

    series = models.ForeignKey(UsageSeries, on_delete=models.CASCADE, related_name="months")
    month = models.DateField(help_text="first day of the month")
    value = models.FloatField()

    class Meta:
        ordering = ["series", "month"]
        constraints = [
            models.UniqueConstraint(fields=["series", "month"], name="usage_month_unique")
        ]

    def __str__(self) -> str:
        return f"{self.series_id} {self.month:%Y-%m}: {self.value}"


class Goal(models.Model):
    """A target for one metric (config `goals`, docs/configuration.md#goals): for the
    organisation and every team without its own (no team), or for one team."""

    metric = models.CharField(max_length=64)
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="goals",
        help_text="Empty: the organisation's goal, which also applies to teams without their own.",
    )
    target = models.FloatField(
        help_text="Met when the value is at least (higher is better) or at "
        "most (lower is better) this."
    )

    class Meta:
        ordering = ["metric", "team__slug"]
        constraints = [
            models.UniqueConstraint(fields=["metric", "team"], name="goal_unique_per_team"),
            models.UniqueConstraint(
                fields=["metric"],
                condition=models.Q(team__isnull=True),
                name="goal_unique_per_org",
            ),
        ]

    def __str__(self) -> str:
        scope = f"for {self.team.slug}" if self.team is not None else "org"
        return f"{self.metric} {scope}: {self.target}"
