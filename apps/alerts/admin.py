"""Admin of the alerts (docs/alerts.md): channels with write-only secrets, rules with their
snooze and failure state, and the messages as a read-only record."""

from datetime import timedelta

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone

from apps.alerts import forms
from apps.alerts.models import AlertChannel, AlertMessage, AlertRule
from apps.alerts.selectors import latest_complete_start
from apps.core.admin_base import ReadOnlyAdmin
from apps.core.fields import secret_unreadable


def _status(value: str) -> str:
    if secret_unreadable(value):
        return "must be re-entered (cannot be decrypted with the current KEEL_ENCRYPTION_KEY)"
    return "set" if value else "not set"


@admin.register(AlertChannel)
class AlertChannelAdmin(admin.ModelAdmin):
    form = forms.AlertChannelForm
    list_display = ("name", "kind", "enabled")
    list_filter = ("kind", "enabled")
    readonly_fields = ("webhook_url_status", "token_status", "url_status", "secret_status")
    fieldsets = (
        (None, {"fields": ("name", "kind", "enabled")}),
        (
            "Slack",
            {
                "description": "An incoming webhook URL, or a bot token and a channel. Name an "
                "environment variable or enter the secret here (stored encrypted, never shown "
                "again). A stored value wins.",
                "fields": (
                    "webhook_url_env",
                    "webhook_url_status",
                    "new_webhook_url",
                    "clear_webhook_url",
                    "token_env",
                    "token_status",
                    "new_token",
                    "clear_token",
                    "channel",
                ),
            },
        ),
        ("E-mail", {"fields": ("to",)}),
        (
            "Webhook",
            {
                "description": "POSTed as JSON, signed X-Keel-Signature: sha256=<HMAC-SHA256>.",
                "fields": (
                    "url_env",
                    "url_status",
                    "new_url",
                    "clear_url",
                    "secret_env",
                    "secret_status",
                    "new_secret",
                    "clear_secret",
                ),
            },
        ),
    )

    @admin.display(description="Slack webhook URL")
    def webhook_url_status(self, obj: AlertChannel) -> str:
        return _status(obj.webhook_url)

    @admin.display(description="Slack bot token")
    def token_status(self, obj: AlertChannel) -> str:
        return _status(obj.token)

    @admin.display(description="webhook URL")
    def url_status(self, obj: AlertChannel) -> str:
        return _status(obj.url)

    @admin.display(description="signing secret")
    def secret_status(self, obj: AlertChannel) -> str:
        return _status(obj.secret)


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin):
    form = forms.AlertRuleForm
    list_display = (
        "name",
        "metric",
        "scope",
        "when",
        "channel",
        "enabled",
        "snoozed_until",
        "failures",
        "last_error",
    )
    list_filter = ("enabled", "when", "channel")
    search_fields = ("name", "metric")
    readonly_fields = ("failures", "last_error", "last_failure_at")
    actions = ("snooze_week", "unsnooze")

    def save_model(self, request: HttpRequest, obj: AlertRule, form, change: bool) -> None:
        if obj.since is None:
            # As for a rule from the config file: its history is not sent.
            obj.since = latest_complete_start(obj.granularity)
        super().save_model(request, obj, form, change)

    @admin.action(description="Snooze for 7 days")
    def snooze_week(self, request: HttpRequest, queryset: QuerySet[AlertRule]) -> None:
        count = queryset.update(snoozed_until=timezone.now() + timedelta(days=7))
        self.message_user(request, f"{count} rule(s) snoozed for 7 days", messages.SUCCESS)

    @admin.action(description="End the snooze")
    def unsnooze(self, request: HttpRequest, queryset: QuerySet[AlertRule]) -> None:
        count = queryset.update(snoozed_until=None)
        self.message_user(request, f"{count} rule(s) no longer snoozed", messages.SUCCESS)


@admin.register(AlertMessage)
class AlertMessageAdmin(ReadOnlyAdmin):
    deletable = True  # deleting a failed or stale message lets it be sent again
    list_display = (
        "rule",
        "scope_key",
        "period_start",
        "kind",
        "status",
        "attempts",
        "sent_at",
        "error",
    )
    list_filter = ("status", "kind", "rule")
    readonly_fields = [f.name for f in AlertMessage._meta.fields]
