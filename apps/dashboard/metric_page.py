"""The metric page's context: the series of one metric and scope as a chart and a table, with
every null explained, the running period to date against the same days of the period before,
and the records behind one point (docs/dashboard.md#metric-page)."""

import json
import math
from urllib.parse import urlencode

from django.http import Http404, HttpRequest
from django.urls import reverse

from apps.accounts.access import engineer_visible
from apps.core.audit import engineers_viewed
from apps.core.periods import GRANULARITIES, Granularity
from apps.dora.flow import STAGES
from apps.metrics.display import value_text
from apps.metrics.goals import goal_judged_at, goal_target, goals_index
from apps.metrics.registry import MetricDefinition, MetricFamily
from apps.metrics.selectors import metric_doc_link, metric_records_get, organization_currency
from apps.organization.models import PagerDutyService, Person, Team

from . import selectors
from .charts import ChartSpec, figure_build
from .forms import MetricQueryForm, RangeForm
from .records import records_table
from .status import NO_DATA, family_statuses
from .tiles import delta_of
from .windows import WINDOW_SCOPES, comparison_get


def metric_url(metric: str, **params: object) -> str:
    """/metrics/<metric>/?<params>, empty parameters left out."""
    query = urlencode({k: v for k, v in params.items() if v not in (None, "")})
    return reverse("dashboard:metric", args=[metric]) + (f"?{query}" if query else "")


def scope_label(scope: str, key: str) -> str:
    """How a scope reads: "the organisation", "team Platform", "service Payments API",
    "engineer Ann One", "customer acme"; 404 for an unknown team or service."""
    if scope == "org":
        return "the organisation"
    if scope == "team":
        team = Team.objects.filter(slug=key).first()
        if team is None:
            raise Http404("no such team")
        return f"team {team.name}"
    if scope == "service":
        service = PagerDutyService.objects.filter(service_id=key).first()
        if service is None:
            raise Http404("no such service")
        return f"service {service.name or key}"
    if scope == "engineer":
        person = Person.objects.filter(email=key).first()
        return f"engineer {person.name if person and person.name else key}"
    return f"{scope} {key}"


def _check_scope(request: HttpRequest, metric: MetricDefinition, scope: str, key: str) -> str:
    if scope not in metric.scopes:
        raise Http404(f"{metric.name} has no {scope} scope")
    if scope == "engineer" and not engineer_visible(user=request.user, email=key):
        raise Http404("no such engineer")
    if scope == "engineer":
        engineers_viewed(user=request.user, emails=[key], via=request.get_full_path())
    return scope_label(scope, key)


def _rows(frame, metric: MetricDefinition, currency: str, empty_why: str, link, today) -> list:
    out = []
    for row in frame.itertuples():
        null = row.value is None or math.isnan(row.value)
        out.append(
            {
                "period_start": row.period_start,
                "period_end": row.period_end,
                "to_date": row.period_start <= today < row.period_end,
                "value": value_text(
                    None if null else row.value, unit=metric.unit, currency=currency, words=False
                ),
                "smoothed": value_text(
                    None if math.isnan(row.smoothed) else row.smoothed,
                    unit=metric.unit,
                    currency=currency,
                    words=False,
                ),
                "anomaly": row.anomaly,
                "sample_size": row.sample_size,
                "note": row.note or (empty_why if null else ""),
                "null": null,
                "records_url": link(row.period_start),
            }
        )
    return out


def form_errors(form: RangeForm) -> list[str]:
    """Form errors as sentences naming the field ("From: Enter a valid date.")."""
    out = []
    for field, messages in form.errors.items():
        label = form.fields[field].label if field in form.fields else ""
        out += [f"{label}: {m}" if label else str(m) for m in messages]
    return out


def _to_date(
    metric, family, scope: str, key: str, granularity: Granularity, frame, today
) -> dict | None:
    """The running period to date against the same days of the period before."""
    if scope not in WINDOW_SCOPES or family.window is None or frame.empty:
        return None
    running = frame[(frame["period_start"] <= today) & (frame["period_end"] > today)]
    if running.empty:
        return None
    comparison = comparison_get(
        key="mtd", scope=scope, scope_key=key, granularity=granularity, only=[family]
    )
    current, previous = comparison.current.get(metric.name), comparison.previous.get(metric.name)
    if current is None:
        return None
    against = previous.value if previous else None
    return {
        "heading": f"{comparison.label} to date",
        "value": current.value,
        "note": current.note,
        "previous": against,
        "previous_note": previous.note if previous else "",
        "delta": delta_of(f"vs {comparison.against}", current.value, against, metric),
    }


def _goal(
    metric: MetricDefinition, scope: str, key: str, granularity: str, currency: str
) -> tuple[float, str] | None:
    """The goal that applies to this series, with its legend label ("goal ≥ 8 releases"), or
    None (docs/metrics.md#goals)."""
    if not goal_judged_at(metric, granularity):
        return None
    found = goal_target(goals_index(), metric=metric.name, scope=scope, scope_key=key)
    if found is None:
        return None
    sign = "≥" if metric.better == "up" else "≤"
    return found[0], f"goal {sign} {value_text(found[0], unit=metric.unit, currency=currency)}"


def metric_context(*, request: HttpRequest, metric: MetricDefinition, family: MetricFamily) -> dict:
    form = MetricQueryForm(request.GET)
    if not form.is_valid():
        return {"metric": metric, "form": form, "errors": form_errors(form), "rows": []}
    q = form.cleaned_data
    scope, key, granularity = q["scope"], q["scope_key"] or "", q["granularity"]
    if scope == "org" and "org" not in metric.scopes and "service" in metric.scopes:
        # A per-service metric (error budget): its first service rather than a 404.
        first = _services().first()
        if first is not None:
            scope, key = "service", first.service_id
    subject = _check_scope(request, metric, scope, key)
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

    spec = ChartSpec.of(metric, currency=currency, granularity=granularity)
    selected = q["period_start"].isoformat() if q.get("period_start") else ""
    return {
        "metric": metric,
        "family": family,
        "form": form,
        "scope": scope,
        "scope_key": key,
        "subject": subject,
        "granularity": granularity,
        "start": start,
        "end": q.get("end"),
        "axis_title": spec.axis_title,
        "figure": json.dumps(
            figure_build(
                frame,
                spec=spec,
                today=today,
                selected=selected,
                goal=_goal(metric, scope, key, granularity, currency),
            )
        ),
        "doc_url": metric_doc_link(metric),
        "rows": _rows(frame, metric, currency, NO_DATA, link, today),
        "to_date": _to_date(metric, family, scope, key, granularity, frame, today),
        "empty_why": status.empty_reason() if status else NO_DATA,
        "warning": status.failed if status else "",
        "toggle": {g: metric_url(metric.name, **base | {"granularity": g}) for g in GRANULARITIES},
        "scopes": _scope_links(metric, base, scope, key),
        "records": _records(request, metric, family, q, scope, key, currency),
        "records_base": metric_url(metric.name, **base),
        "flow_url": _flow_url(metric, scope, key, granularity),
    }


# The pull-request flow metrics, whose pages link to the flow page (docs/dashboard.md#flow-page).
FLOW_LINKED = ("lead_time_for_changes_hours", *STAGES)


def _flow_url(metric: MetricDefinition, scope: str, key: str, granularity: str) -> str:
    """The flow page of the same scope and granularity, from a flow metric's page; ""
    for other metrics and scopes."""
    if metric.name not in FLOW_LINKED or scope not in ("org", "team"):
        return ""
    params = {"team": key} if scope == "team" else {}
    return reverse("dashboard:flow") + "?" + urlencode({**params, "granularity": granularity})


def _scope_links(
    metric: MetricDefinition, base: dict, scope: str, key: str
) -> list[tuple[str, str, bool]]:
    """(label, url, current) for the org and each team, where the metric has those scopes; the
    granularity and dates are kept."""
    keep = {k: v for k, v in base.items() if k not in ("scope", "scope_key")}
    links = (
        [("Organisation", metric_url(metric.name, **keep), scope == "org")]
        if "org" in metric.scopes
        else []
    )
    if "team" in metric.scopes:
        links += [
            (
                t.name,
                metric_url(metric.name, scope="team", scope_key=t.slug, **keep),
                scope == "team" and key == t.slug,
            )
            for t in Team.objects.order_by("name")
        ]
    if "service" in metric.scopes:
        links += [
            (
                s.name or s.service_id,
                metric_url(metric.name, scope="service", scope_key=s.service_id, **keep),
                scope == "service" and key == s.service_id,
            )
            for s in _services()
        ]
    return links


def _services():
    return PagerDutyService.objects.filter(enabled=True).order_by("name", "service_id")


def _records(request, metric, family, q, scope, key, currency) -> dict | None:
    point = q.get("period_start")
    if point is None:
        return None
    if family.records is None:
        return {"period_start": point, "error": f"{metric.title} has no records to show"}
    result = metric_records_get(
        user=request.user,
        metric=metric.name,
        scope=scope,
        scope_key=key,
        granularity=q["granularity"],
        period_start=point,
    )
    api_url = (
        reverse("metric-records", args=[metric.name])
        + "?"
        + urlencode(
            {
                "scope": scope,
                "scope_key": key,
                "granularity": q["granularity"],
                "period_start": point.isoformat(),
            }
        )
    )
    return {
        **result,
        "table": records_table(result["records"], currency=currency),
        "value_text": value_text(result["value"], unit=metric.unit, currency=currency),
        "api_url": api_url,
        "csv_url": api_url + "&format=csv",
    }
