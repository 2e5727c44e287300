"""Query parameters of the metric, comparison and flow pages, validated.

Dates bound the periods shown by their first day, as the API's do (docs/api.md): `start` is
inclusive and `end` exclusive, so a page and its API link select the same rows."""

from datetime import date, timedelta

from django import forms

from apps.core.periods import period_start_of, validate_in_range
from apps.organization.models import Team

DEFAULT_SPAN = {"month": timedelta(days=548), "week": timedelta(weeks=26)}


# Dates a page can place in a period (year 1 or 9999 would overflow period arithmetic): the
# range of apps.core.periods, with the validator the API's date fields use.
DAY_RANGE = [validate_in_range]


class RangeForm(forms.Form):
    """`?granularity=&start=&end=`: periods starting on or after `start` and before `end`."""

    granularity = forms.ChoiceField(
        choices=[("month", "month"), ("week", "week")], required=False, label="Granularity"
    )
    start = forms.DateField(
        required=False,
        label="From",
        validators=DAY_RANGE,
        help_text="periods starting on or after this day",
    )
    end = forms.DateField(
        required=False,
        label="Before",
        validators=DAY_RANGE,
        help_text="periods starting before this day (exclusive, as in the API)",
    )

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        data["granularity"] = data.get("granularity") or "month"
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            raise forms.ValidationError(
                f"the range is empty: “Before” ({end}) must be after “From” ({start})"
            )
        return data

    def default_start(self, today: date) -> date:
        return today - DEFAULT_SPAN[self.cleaned_data["granularity"]]


class MetricQueryForm(RangeForm):
    """`?scope=&scope_key=&granularity=&start=&end=&period_start=` (dates YYYY-MM-DD;
    period_start picks the point whose records are shown)."""

    scope = forms.ChoiceField(
        choices=[(s, s) for s in ("org", "team", "engineer", "service", "customer")],
        required=False,
        label="Scope",
    )
    scope_key = forms.CharField(required=False, max_length=300, label="Scope key")
    period_start = forms.DateField(required=False, label="Period", validators=DAY_RANGE)

    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        data["scope"] = data.get("scope") or "org"
        point = data.get("period_start")
        if point and period_start_of(point, data["granularity"]) != point:
            self.add_error("period_start", f"{point} does not start a {data['granularity']}")
        return data


class FlowQueryForm(RangeForm):
    """`?team=&granularity=&start=&end=` of the flow page: the organisation, or the team whose
    slug is `team` (an unknown one is a form error, not a 404: the address is what is wrong)."""

    team = forms.SlugField(required=False, max_length=100, label="Team")

    def clean_team(self) -> Team | None:
        slug = self.cleaned_data.get("team") or ""
        if not slug:
            return None
        team = Team.objects.filter(slug=slug).first()
        if team is None:
            raise forms.ValidationError(f"no team {slug!r}: pick one from the list")
        return team
