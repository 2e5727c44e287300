"""Reads of the metric store for the metrics API (docs/api.md), with the engineer-scope privacy
rule of `apps.accounts.access`: engineer rows reach only admins and the managers of the
engineer's team.
"""

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import replace
from datetime import date
from typing import Any, TypeAlias, cast

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from apps.accounts.access import (
    engineer_emails_visible,
    engineer_visible,
    teams_with_engineers_visible,
)
from apps.core.periods import Granularity, next_period_start, period_bounds, period_start_of
from apps.metrics.models import MetricRow
from apps.metrics.registry import (
    CURRENCY_UNIT,
    MetricDefinition,
    RecordsQuery,
    definition,
    family_of,
)
from apps.organization.selectors import organization_get

User: TypeAlias = AuthUser | AnonymousUser
DEFAULT_CURRENCY = "USD"
NO_ROW_NOTE = "no row computed for this period"


def organization_currency() -> str:
    """The organisation's billing currency (config `costs.currency`, default USD)."""
    return (organization_get().cost_settings or {}).get("currency", DEFAULT_CURRENCY)


def unit_resolve(unit: str, *, currency: str) -> str:
    """The unit as served: the registry's "currency" becomes the billing currency code."""
    return currency if unit == CURRENCY_UNIT else unit


def metric_rows_visible(*, user: User) -> QuerySet[MetricRow]:
    """Every metric row `user` may see: no engineer rows except those of the engineers
    `apps.accounts.access` lets `user` see (all of them for an admin). Hidden rows are simply
    absent."""
    rows = MetricRow.objects.all()
    emails = engineer_emails_visible(user=user)
    if emails is None:
        return rows
    return rows.filter(~Q(scope=MetricRow.Scope.ENGINEER) | Q(scope_key__in=emails))


def metric_doc_link(metric: MetricDefinition) -> str:
    """Where a metric's definition is documented: KEEL_METRICS_DOC_URL (default the repo's
    docs/metrics.md) plus the metric's anchor."""
    base = getattr(settings, "KEEL_METRICS_DOC_URL", "docs/metrics.md")
    return f"{base}#{metric.doc_anchor}"


def metric_records_get(
    *, user: User, metric: str, scope: str, scope_key: str, granularity: str, period_start: date
) -> dict[str, Any]:
    """The number of one period and the records behind it
    (docs/api.md#records-behind-a-number--get-apiv1metricsmetricrecords).

    Raises Http404 for an unknown metric or one without records, ValueError for a scope the
    metric lacks or a period_start that does not start a period, PermissionDenied for an
    engineer `user` may not see.
    """
    metric_def, family = definition(metric), family_of(metric)
    if metric_def is None or family is None:
        raise Http404(f"unknown metric {metric!r}")
    if family.records is None:
        raise Http404(f"metric {metric!r} has no records")
    if scope not in metric_def.scopes:
        raise ValueError(f"metric {metric!r} has no scope {scope!r}; it has {metric_def.scopes}")
    if period_start_of(period_start, cast(Granularity, granularity)) != period_start:
        raise ValueError(f"{period_start} does not start a {granularity}")
    if scope == MetricRow.Scope.ENGINEER and not engineer_visible(user=user, email=scope_key):
        raise PermissionDenied("engineer numbers are shown only to the managers of their team")
    query = replace(
        _records_query(metric, scope, scope_key, granularity, period_start),
        engineers_named=_engineers_named(user=user, scope=scope, scope_key=scope_key),
    )
    row = MetricRow.objects.filter(
        metric=metric,
        scope=scope,
        scope_key=scope_key,
        granularity=granularity,
        period_start=period_start,
    ).first()
    return {
        "metric": metric,
        "scope": scope,
        "scope_key": scope_key,
        "granularity": granularity,
        "period_start": period_start,
        "period_end": query.period_end,
        "value": row.value if row else None,
        "note": row.note if row else NO_ROW_NOTE,
        "records": family.records(query),
    }


def _engineers_named(*, user: User, scope: str, scope_key: str) -> bool:
    """Whether `user` may see every engineer of a team or org number: an admin always, a
    manager for the teams they manage (apps.accounts.access)."""
    if scope == MetricRow.Scope.TEAM:
        return teams_with_engineers_visible(user=user).filter(slug=scope_key).exists()
    return scope == MetricRow.Scope.ORG and engineer_emails_visible(user=user) is None


def _records_query(
    metric: str, scope: str, scope_key: str, granularity: str, period_start: date
) -> RecordsQuery:
    tz, period = organization_get().timezone, cast(Granularity, granularity)
    start_at, end_at = period_bounds(period_start, period, tz)
    return RecordsQuery(
        metric=metric,
        scope=scope,
        scope_key=scope_key,
        granularity=granularity,
        period_start=period_start,
        tz=tz,
        start_at=start_at,
        end_at=end_at,
        period_end=next_period_start(period_start, period),
    )


def metric_row_values(
    *, rows: QuerySet[MetricRow], fields: Sequence[str], currency: str
) -> Iterator[tuple]:
    """Every row of `rows` as a tuple of `fields`, streamed from the database in chunks, with
    `unit` resolved to `currency`: for exports of any size (the CSV)."""
    yield from _units_resolved(
        rows.values_list(*fields).iterator(chunk_size=2000), fields=fields, currency=currency
    )


def metric_row_dicts(
    *, values: Sequence[tuple], fields: Sequence[str], currency: str | None = None
) -> list[dict[str, Any]]:
    """Tuples of `fields` (e.g. one page of `rows.values_list(*fields)`) as dicts keyed by
    `fields`, `unit` resolved to `currency` (None: the organisation's, read only when a row has
    a cost unit). What MetricRowSerializer gives (dates and numbers are rendered by the JSON
    encoder), without a model instance and a serializer field per value: those cost more than
    the rest of an API request (benchmarks/bench_api_load.py)."""
    unit_at = list(fields).index("unit") if "unit" in fields else None
    if currency is None and any(
        unit_at is not None and row[unit_at] == CURRENCY_UNIT for row in values
    ):
        currency = organization_currency()
    return [
        dict(zip(fields, row, strict=True))
        for row in _units_resolved(values, fields=fields, currency=currency or "")
    ]


def _units_resolved(
    values: Iterable[tuple], *, fields: Sequence[str], currency: str
) -> Iterator[tuple]:
    unit_at = list(fields).index("unit") if "unit" in fields else None
    for row in values:
        if unit_at is not None:
            row = (
                *row[:unit_at],
                unit_resolve(row[unit_at], currency=currency),
                *row[unit_at + 1 :],
            )
        yield row
