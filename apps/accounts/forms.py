"""The form of the API tokens page."""

from django import forms
from django.conf import settings


class TokenCreateForm(forms.Form):
    name = forms.CharField(
        max_length=100, required=False, help_text="What it is for, e.g. 'Looker nightly export'."
    )
    days = forms.IntegerField(
        label="Expires in (days)",
        min_value=1,
        max_value=settings.KEEL_API_TOKEN_MAX_DAYS,
        initial=settings.KEEL_API_TOKEN_TTL_DAYS,
    )
    read_write = forms.BooleanField(
        required=False,
        label="Allow writes (start syncs)",
        help_text="Leave unticked for a read-only token: enough for every BI tool.",
    )
