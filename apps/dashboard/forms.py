"""Query parameters of the metric page, validated."""

from datetime import timedelta

from django import forms

from apps.core.periods import period_start_of

DEFAULT_SPAN = {"month": timedelta(days=548), "week": timedelta(weeks=26)}


class MetricQueryForm(forms.Form):
    """`?scope=&scope_key=&granularity=&start=&end=&period_start=` (dates YYYY-MM-DD; start/end
    bound the periods' starts; period_start picks the point whose records are shown)."""

    scope = forms.ChoiceField(
        choices=[(s, s) for s in ("org", "team", "engineer", "service", "customer")], required=False
    )
    scope_key = forms.CharField(required=False, max_length=300)
    granularity = forms.ChoiceField(choices=[("month", "month"), ("week", "week")], required=False)
    start = forms.DateField(required=False)
    end = forms.DateField(required=False)
    period_start = forms.DateField(required=False)

    def clean(self) -> dict:
        data = super().clean()
        data["scope"] = data.get("scope") or "org"
        data["granularity"] = data.get("granularity") or "month"
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError("the start date is after the end date")
        point = data.get("period_start")
        if point and period_start_of(point, data["granularity"]) != point:
            self.add_error("period_start", f"{point} does not start a {data['granularity']}")
        return data

    def default_start(self, today) -> object:
        return today - DEFAULT_SPAN[self.cleaned_data["granularity"]]
