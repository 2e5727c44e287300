"""Admin forms of the alerts: the same checks as the config file (apps.organization.schema), so
the admin cannot store what `apply_config` would reject. Secrets are write-only."""

from typing import Any

from django import forms
from pydantic import ValidationError

from apps.alerts.models import AlertChannel, AlertRule
from apps.organization import schema
from apps.organization import validators as v

SECRETS = ("webhook_url", "token", "url", "secret")
LABELS = {
    "webhook_url": "New Slack webhook URL",
    "token": "New Slack bot token",
    "url": "New webhook URL",
    "secret": "New webhook signing secret",
}


def _secret_input(label: str) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text="Write-only. Leave blank to keep the stored value.",
    )


class AlertChannelForm(forms.ModelForm):
    new_webhook_url = _secret_input(LABELS["webhook_url"])
    clear_webhook_url = forms.BooleanField(required=False, label="Remove the webhook URL")
    new_token = _secret_input(LABELS["token"])
    clear_token = forms.BooleanField(required=False, label="Remove the bot token")
    new_url = _secret_input(LABELS["url"])
    clear_url = forms.BooleanField(required=False, label="Remove the webhook URL")
    new_secret = _secret_input(LABELS["secret"])
    clear_secret = forms.BooleanField(required=False, label="Remove the signing secret")

    class Meta:
        model = AlertChannel
        exclude = list(SECRETS)

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        kind = cleaned.get("kind")
        for key, wanted in schema.CHANNEL_KEYS.items():
            if cleaned.get(key) and kind and kind != wanted:
                self.add_error(key, f"'{key}' is only for {wanted} channels, not {kind}")
        for key in ("webhook_url_env", "token_env", "url_env", "secret_env"):
            if cleaned.get(key):
                try:
                    v.check_env_name(cleaned[key])
                except ValueError as exc:
                    self.add_error(key, str(exc))
        to = cleaned.get("to") or []
        if not isinstance(to, list) or not all(isinstance(a, str) for a in to):
            self.add_error("to", 'a list of addresses, e.g. ["alice@acme.test"]')
        else:
            for address in to:
                try:
                    v.check_email(address)
                except ValueError as exc:
                    self.add_error("to", str(exc))
            if kind == AlertChannel.Kind.EMAIL and not to:
                self.add_error("to", "an email channel needs at least one address")
        for secret in SECRETS:
            if cleaned.get(f"new_{secret}") and cleaned.get(f"clear_{secret}"):
                self.add_error(f"clear_{secret}", "enter a new value or remove it, not both")
        return cleaned

    def save(self, commit: bool = True) -> AlertChannel:
        for secret in SECRETS:
            if self.cleaned_data.get(f"new_{secret}"):
                setattr(self.instance, secret, self.cleaned_data[f"new_{secret}"])
            elif self.cleaned_data.get(f"clear_{secret}"):
                setattr(self.instance, secret, "")
        return super().save(commit=commit)


class AlertRuleForm(forms.ModelForm):
    """Checked by the config's own rule model (metric, scope, condition, value, periods)."""

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "metric",
            "scope",
            "scope_key",
            "granularity",
            "when",
            "value",
            "periods",
            "channel",
            "since",
            "enabled",
            "snoozed_until",
        ]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        channel = cleaned.get("channel")
        data = {
            "name": cleaned.get("name"),
            "metric": cleaned.get("metric"),
            "scope": cleaned.get("scope"),
            "granularity": cleaned.get("granularity"),
            "when": cleaned.get("when"),
            "channel": channel.name if channel else "x",
        }
        if cleaned.get("scope_key"):
            data["scope_key"] = cleaned["scope_key"]
        if cleaned.get("value") is not None:
            data["value"] = cleaned["value"]
        if cleaned.get("when") == AlertRule.When.GOAL_MISSED:
            data["periods"] = cleaned.get("periods") or 1
        if any(value is None for value in data.values()):
            return cleaned  # a required field's own error is shown
        try:
            schema.AlertRuleConfig.model_validate(data)
        except ValidationError as exc:
            path, message = schema.error_location(exc.errors()[0])
            field = path.split(".")[0] if path.split(".")[0] in self.fields else None
            self.add_error(field, message)
        return cleaned
