"""django-filter FilterSet of the metric rows. Invalid values are a 400 naming the parameter."""

import copy
from typing import Any, Self

from django import forms
from django_filters import fields as df_fields
from django_filters import rest_framework as filters

from apps.metrics.models import MetricRow
from apps.metrics.registry import all_definitions


def metric_choices() -> list[tuple[str, str]]:
    """The registered metrics; evaluated per request, so families registered later count."""
    return [(m.name, m.name) for m in all_definitions()]


class SharedChoicesMixin(forms.ChoiceField):
    """A choice field whose choices are shared, not deep-copied, by each form instance: they are
    immutable (name, label) pairs, and Django's copy of them was a third of a metric API
    request's time in its filters (benchmarks/bench_api_load.py)."""

    _choices: Any  # ChoiceField's normalised choices (behind its `choices` property)

    def __deepcopy__(self, memo: dict[int, Any]) -> Self:
        result = forms.Field.__deepcopy__(self, memo)  # widget, messages, validators
        result._choices = self._choices
        return result


class MetricNamesField(SharedChoicesMixin, df_fields.MultipleChoiceField):
    pass


class SharedChoiceField(SharedChoicesMixin, df_fields.ChoiceField):
    pass


class ShallowCopyMixin:
    """A filter copied per request (FilterSet deep-copies its filters) without deep-copying its
    settings: only `parent` and `model` change per request, and `extra` is copied."""

    extra: dict[str, Any]  # django-filter's Filter: the form field's keyword arguments

    def __deepcopy__(self, memo: dict) -> "ShallowCopyMixin":
        result = copy.copy(self)
        result.extra = dict(self.extra)
        return result


class MetricNamesFilter(ShallowCopyMixin, filters.MultipleChoiceFilter):
    field_class = MetricNamesField


class SharedChoiceFilter(ShallowCopyMixin, filters.ChoiceFilter):
    field_class = SharedChoiceField


class KeyFilter(ShallowCopyMixin, filters.CharFilter):
    pass


class DayFilter(ShallowCopyMixin, filters.DateFilter):
    pass


class MetricRowFilterForm(forms.Form):
    def clean(self) -> dict:
        super().clean()
        data = self.cleaned_data
        start, end = data.get("start"), data.get("end")
        if start and end and end <= start:
            self.add_error("end", "end must be after start (start inclusive, end exclusive)")
        return data


class MetricRowFilter(filters.FilterSet):
    """The filters of docs/api.md; `start` (inclusive) and `end` (exclusive) apply to
    `period_start`."""

    # distinct=False: the filter joins nothing, so no row can repeat, and SELECT DISTINCT over
    # every column would make PostgreSQL sort all matching rows instead of reading them in
    # index order (and COUNT them through the same sort) — see benchmarks/bench_api_load.py.
    metric = MetricNamesFilter(
        choices=metric_choices, help_text="repeatable: ?metric=a&metric=b", distinct=False
    )
    scope = SharedChoiceFilter(choices=MetricRow.Scope.choices)
    scope_key = KeyFilter()
    granularity = SharedChoiceFilter(choices=MetricRow.Granularity.choices)
    start = DayFilter(
        field_name="period_start", lookup_expr="gte", help_text="YYYY-MM-DD, inclusive"
    )
    end = DayFilter(field_name="period_start", lookup_expr="lt", help_text="YYYY-MM-DD, exclusive")

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
