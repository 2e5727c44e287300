"""Admin for everything in the config file (docs/configuration.md). Validation lives in
apps.organization.forms (the config's own validators); secrets are write-only and shown only as
"set" / "not set"."""

from django.contrib import admin
from django.http import HttpRequest

from apps.core.fields import secret_unreadable
from apps.organization import forms
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
    RevenueMonth,
    Source,
    Team,
    UsageMonth,
    UsageSeries,
)
from apps.organization.validators import url_without_credentials


@admin.register(Organization)
class OrganizationAdmin(admin.ModelAdmin):
    form = forms.OrganizationForm
    list_display = ("name", "timezone")

    def has_add_permission(self, request: HttpRequest) -> bool:
        # A singleton: Keel reads the first organisation only.
        return super().has_add_permission(request) and not Organization.objects.exists()


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
    list_display = ("slug", "name")
    search_fields = ("slug", "name")
    filter_horizontal = ("managers",)


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 1


@admin.register(Person)
class PersonAdmin(admin.ModelAdmin):
    form = forms.PersonForm
    list_display = ("email", "name", "team")
    list_filter = ("team",)
    search_fields = ("email", "name", "identities__external_id")
    inlines = (IdentityInline,)


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    """Identities on their own, so the data-quality page can open this form filled in
    (`?provider=github&external_id=<login>`): pick the person, save, and the account's work
    counts for them at the next recompute."""

    list_display = ("external_id", "provider", "person")
    list_filter = ("provider",)
    search_fields = ("external_id", "person__email", "person__name")
    autocomplete_fields = ("person",)


class RepoInline(admin.TabularInline):
    model = Repo
    form = forms.RepoForm
    formset = forms.SourceChildFormSet
    fields = (
        "full_name",
        "team",
        "enabled",
        "release_source",
        "production_environment",
        "tag_pattern",
    )
    extra = 0


class JiraProjectInline(admin.TabularInline):
    model = JiraProject
    form = forms.JiraProjectForm
    formset = forms.SourceChildFormSet
    fields = ("key", "team", "enabled")
    extra = 0


class PagerDutyServiceInline(admin.TabularInline):
    model = PagerDutyService
    form = forms.PagerDutyServiceForm
    formset = forms.SourceChildFormSet
    fields = ("service_id", "name", "team", "enabled", "slo", "weight", "repos")
    extra = 0


def _status(value: str) -> str:
    if secret_unreadable(value):
        return "must be re-entered (cannot be decrypted with the current KEEL_ENCRYPTION_KEY)"
    return "set" if value else "not set"


@admin.register(Source)
class SourceAdmin(admin.ModelAdmin):
    form = forms.SourceForm
    list_display = ("name", "kind", "address", "enabled", "token_status", "webhook_secret_status")
    list_filter = ("kind", "enabled")
    readonly_fields = ("token_status", "webhook_secret_status")
    inlines = (RepoInline, JiraProjectInline, PagerDutyServiceInline)
    fieldsets = (
        (None, {"fields": ("name", "kind", "base_url", "api", "enabled", "story_points_field")}),
        (
            "Credentials",
            {
                "description": "Either name environment variables, or enter the secret here "
                "(stored encrypted, never shown again). A stored value wins.",
                "fields": (
                    "token_env",
                    "token_status",
                    "new_token",
                    "clear_token",
                    "email_env",
                    "email",
                    "webhook_secret_status",
                    "new_webhook_secret",
                    "clear_webhook_secret",
                ),
            },
        ),
    )

    @admin.display(description="base URL")
    def address(self, obj: Source) -> str:
        return url_without_credentials(obj.base_url)

    @admin.display(description="token")
    def token_status(self, obj: Source) -> str:
        return _status(obj.token)

    @admin.display(description="webhook secret")
    def webhook_secret_status(self, obj: Source) -> str:
        return _status(obj.webhook_secret)


@admin.register(Repo)
class RepoAdmin(admin.ModelAdmin):
    form = forms.RepoForm
    list_display = ("full_name", "source", "team", "enabled", "release_source", "default_branch")
    list_filter = ("source", "team", "enabled", "release_source")
    search_fields = ("full_name",)
    readonly_fields = ("external_id", "default_branch")


@admin.register(JiraProject)
class JiraProjectAdmin(admin.ModelAdmin):
    form = forms.JiraProjectForm
    list_display = ("key", "source", "team", "enabled")
    list_filter = ("source", "team", "enabled")


@admin.register(PagerDutyService)
class PagerDutyServiceAdmin(admin.ModelAdmin):
    form = forms.PagerDutyServiceForm
    list_display = ("service_id", "name", "source", "team", "enabled", "slo", "weight")
    list_filter = ("source", "team", "enabled")
    filter_horizontal = ("repos",)


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    form = forms.CustomerForm
    list_display = ("key", "name", "team", "onboarding_start", "jira_issue")
    list_filter = ("team",)
    search_fields = ("key", "name")


@admin.register(RevenueMonth)
class RevenueMonthAdmin(admin.ModelAdmin):
    form = forms.RevenueMonthForm
    list_display = ("month", "amount")


@admin.register(CostExport)
class CostExportAdmin(admin.ModelAdmin):
    form = forms.CostExportForm
    list_display = ("name", "format", "path")


class UsageMonthInline(admin.TabularInline):
    model = UsageMonth
    form = forms.UsageMonthForm
    fields = ("month", "value")
    extra = 0


@admin.register(UsageSeries)
class UsageSeriesAdmin(admin.ModelAdmin):
    """Usage series (config `usage`): a driver of the cost growth model. Applying the config
    again re-reads the CSV and overwrites the months it names."""

    list_display = ("name", "unit", "path")
    search_fields = ("name",)
    inlines = (UsageMonthInline,)


@admin.register(Goal)
class GoalAdmin(admin.ModelAdmin):
    """Goals (docs/configuration.md#goals): a team's goal overrides the organisation's."""

    form = forms.GoalForm
    list_display = ("metric", "team", "target")
    list_filter = ("metric", "team")
