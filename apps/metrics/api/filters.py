"""django-filter FilterSets of the v1 API. Invalid values are a 400 naming the parameter."""

from django import forms
from django_filters import rest_framework as filters

from apps.ingestion.models import SyncRun
from apps.metrics.models import MetricRow
from apps.metrics.registry import all_definitions


def metric_choices() -> list[tuple[str, str]]:
    """The registered metrics; evaluated per request, so families registered later count."""
    return [(m.name, m.name) for m in all_definitions()]


class MetricRowFilterForm(forms.Form):
    def clean(self) -> dict:
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "end must be after start (start inclusive, end exclusive)")
        return data


class MetricRowFilter(filters.FilterSet):
    """Spec §4 filters; `start` (inclusive) and `end` (exclusive) apply to `period_start`."""

    # distinct=False: the filter joins nothing, so no row can repeat, and SELECT DISTINCT over
    # every column would make PostgreSQL sort all matching rows instead of reading them in
    # index order (and COUNT them through the same sort) — see benchmarks/bench_api_load.py.
    metric = filters.MultipleChoiceFilter(
        choices=metric_choices, help_text="repeatable: ?metric=a&metric=b", distinct=False
    )
    scope = filters.ChoiceFilter(choices=MetricRow.Scope.choices)
    scope_key = filters.CharFilter()
    granularity = filters.ChoiceFilter(choices=MetricRow.Granularity.choices)
    start = filters.DateFilter(
        field_name="period_start", lookup_expr="gte", help_text="YYYY-MM-DD, inclusive"
    )
    end = filters.DateFilter(
        field_name="period_start", lookup_expr="lt", help_text="YYYY-MM-DD, exclusive"
    )

    class Meta:
        model = MetricRow
        fields = ["metric", "scope", "scope_key", "granularity", "start", "end"]
        form = MetricRowFilterForm

    def get_form_class(self) -> type[forms.Form]:
        """django-filter builds a new form class (and its fields) for every request; they only
        change with the registered metrics, so the class is kept per set of metrics."""
        key = tuple(name for name, _ in metric_choices())
        form_class = _FORM_CLASSES.get(key)
        if form_class is None:
            form_class = _FORM_CLASSES[key] = super().get_form_class()
        return form_class


_FORM_CLASSES: dict[tuple[str, ...], type[forms.Form]] = {}


class SyncRunFilter(filters.FilterSet):
    source = filters.CharFilter(field_name="source__name", help_text="source name")
    status = filters.ChoiceFilter(choices=SyncRun.Status.choices)

    class Meta:
        model = SyncRun
        fields = ["source", "status"]
