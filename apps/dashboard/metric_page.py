"""The metric page's context: the series of one metric and scope as a chart and a table, with
every null explained, and the records behind one point (issue 6)."""

import json
import math
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.urls import reverse

from apps.accounts.access import engineer_visible
from apps.metrics.display import value_text
from apps.metrics.registry import MetricDefinition, MetricFamily
from apps.metrics.selectors import (
    metric_doc_link,
    metric_records_get,
    organization_currency,
    unit_resolve,
)
from apps.organization.models import Team

from . import selectors
from .charts import figure_build
from .forms import MetricQueryForm
from .records import records_table
from .status import NO_DATA, family_statuses


def metric_url(metric: str, **params: object) -> str:
    """/metrics/<metric>/?<params>, empty parameters left out."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("dashboard:metric", args=[metric]) + (f"?{query}" if query else "")


def _check_scope(request: HttpRequest, metric: MetricDefinition, scope: str, key: str) -> None:
    if scope not in metric.scopes:
        raise Http404(f"{metric.name} has no {scope} scope")
    if scope == "engineer" and not engineer_visible(user=request.user, email=key):
        raise Http404("no such engineer")
    if scope == "team" and not Team.objects.filter(slug=key).exists():
        raise Http404("no such team")


def _rows(frame, metric: MetricDefinition, currency: str, empty_why: str, link) -> list[dict]:
    out = []
    for row in frame.itertuples():
        null = row.value is None or math.isnan(row.value)
        out.append(
            {
                "period_start": row.period_start,
                "period_end": row.period_end,
                "value": value_text(
                    None if null else row.value, unit=metric.unit, currency=currency
                ),
                "smoothed": value_text(
                    None if math.isnan(row.smoothed) else row.smoothed,
                    unit=metric.unit,
                    currency=currency,
                ),
                "anomaly": row.anomaly,
                "sample_size": row.sample_size,
                "note": row.note or (empty_why if null else ""),
                "null": null,
                "records_url": link(row.period_start),
            }
        )
    return out


def metric_context(*, request: HttpRequest, metric: MetricDefinition, family: MetricFamily) -> dict:
    form = MetricQueryForm(request.GET)
    if not form.is_valid():
        return {"metric": metric, "form": form, "errors": form.errors, "rows": []}
    q = form.cleaned_data
    scope, key, granularity = q["scope"], q["scope_key"] or "", q["granularity"]
    _check_scope(request, metric, scope, key)
    today, currency = selectors.today_local(), organization_currency()
    start = q.get("start") or form.default_start(today)
    frame = selectors.series_frame(
        user=request.user,
        metric=metric.name,
        scope=scope,
        scope_key=key,
        granularity=granularity,
        start=start,
        end=q.get("end"),
    )
    status = family_statuses(scope=scope, scope_key=key).get(family.name)
    base = {
        "scope": scope,
        "scope_key": key,
        "granularity": granularity,
        "start": q.get("start") or "",
        "end": q.get("end") or "",
    }

    def link(point) -> str:
        return metric_url(metric.name, **base, period_start=point.isoformat()) + "#records"

    unit = unit_resolve(metric.unit, currency=currency)
    return {
        "metric": metric,
        "family": family,
        "form": form,
        "scope": scope,
        "scope_key": key,
        "granularity": granularity,
        "start": start,
        "end": q.get("end"),
        "unit": unit,
        "figure": json.dumps(
            figure_build(
                frame,
                metric=metric.title,
                unit_label=unit,
                percent=metric.unit == "ratio",
                from_zero=metric.kind in ("count", "sum"),
                selected=q["period_start"].isoformat() if q.get("period_start") else "",
            )
        ),
        "doc_url": metric_doc_link(metric),
        "rows": _rows(frame, metric, currency, NO_DATA, link),
        "empty_why": status.empty_reason() if status else NO_DATA,
        "warning": status.failed if status else "",
        "toggle": {
            g: metric_url(metric.name, scope=scope, scope_key=key, granularity=g)
            for g in ("month", "week")
        },
        "scopes": _scope_links(metric, granularity, scope, key),
        "records": _records(request, metric, family, q, scope, key, currency),
        "records_base": metric_url(metric.name, **base),
    }


def _scope_links(
    metric: MetricDefinition, granularity: str, scope: str, key: str
) -> list[tuple[str, str, bool]]:
    """(label, url, current) for the org and each team, where the metric has those scopes."""
    links = (
        [("Organisation", metric_url(metric.name, granularity=granularity), scope == "org")]
        if "org" in metric.scopes
        else []
    )
    if "team" in metric.scopes:
        links += [
            (
                t.name,
                metric_url(metric.name, scope="team", scope_key=t.slug, granularity=granularity),
                scope == "team" and key == t.slug,
            )
            for t in Team.objects.order_by("name")
        ]
    return links


def _records(request, metric, family, q, scope, key, currency) -> dict | None:
    point = q.get("period_start")
    if point is None:
        return None
    if family.records is None:
        return {"period_start": point, "error": f"{metric.name} has no records to show"}
    result = metric_records_get(
        user=request.user,
        metric=metric.name,
        scope=scope,
        scope_key=key,
        granularity=q["granularity"],
        period_start=point,
    )
    return {
        **result,
        "table": records_table(result["records"]),
        "value_text": value_text(result["value"], unit=metric.unit, currency=currency),
        "api_url": reverse("metric-records", args=[metric.name])
        + "?"
        + urlencode(
            {
                "scope": scope,
                "scope_key": key,
                "granularity": q["granularity"],
                "period_start": point.isoformat(),
            }
        ),
    }
