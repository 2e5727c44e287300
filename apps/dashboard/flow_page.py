"""The flow page's context (docs/dashboard.md#flow-page): the query validated, the five series
of the scope read as the user may see them, the periods, chart, table and sentence."""

import json
from dataclasses import dataclass

from django.http import HttpRequest

from apps.dora.flow import STAGES
from apps.metrics.registry import definition
from apps.organization.models import Team

from . import selectors
from .economics import doc_link
from .flow import (
    LEAD,
    Cell,
    FlowPeriod,
    duration_text,
    flow_metrics,
    flow_periods,
    flow_unit,
    longest_stage_sentence,
)
from .flow_chart import flow_figure
from .forms import FlowQueryForm
from .metric_page import form_errors, metric_url
from .status import family_statuses


@dataclass(frozen=True)
class Shown:
    """A median as the table shows it: its metric's label, the text with its unit, its row's
    note, and the address of the records behind it."""

    label: str
    text: str
    note: str
    url: str


def _shown(label: str, cell: Cell, url: str) -> Shown:
    return Shown(label, duration_text(cell.hours), cell.note, url)


def flow_context(*, request: HttpRequest) -> dict:
    """What templates/dashboard/flow.html shows; `errors` (sentences naming the field) when the
    query cannot be used. Rows are those `request.user` may see (selectors.series_frame)."""
    form = FlowQueryForm(request.GET)
    teams = list(Team.objects.order_by("name"))
    if not form.is_valid():
        return {
            "form": form,
            "errors": form_errors(form),
            "teams": teams,
            "doc_url": doc_link("pull-request-flow"),
        }
    q = form.cleaned_data
    team: Team | None = q["team"]
    scope, key = ("team", team.slug) if team else ("org", "")
    granularity, today = q["granularity"], selectors.today_local()
    start, end = q.get("start") or form.default_start(today), q.get("end")
    frames = {
        name: selectors.series_frame(
            user=request.user,
            metric=name,
            scope=scope,
            scope_key=key,
            granularity=granularity,
            start=start,
            end=end,
        )
        for name in (LEAD, *STAGES)
    }
    periods = flow_periods(frames, today=today)
    unit = flow_unit(periods)
    base = {"scope": scope, "scope_key": key, "granularity": granularity}

    def link(metric: str, period: FlowPeriod) -> str:
        return metric_url(metric, **base, period_start=period.start.isoformat()) + "#records"

    stages, lead = flow_metrics(), definition(LEAD)
    assert lead is not None
    rows = [
        {
            "period": p,
            "stages": [_shown(m.title, p.stages[m.name], link(m.name, p)) for m in stages],
            "lead": _shown(lead.title, p.lead, link(LEAD, p)),
        }
        for p in periods
    ]
    status = family_statuses(scope=scope, scope_key=key).get("flow")
    figure = flow_figure(
        periods, stages=stages, lead_label=lead.title, unit=unit, granularity=granularity, link=link
    )
    return {
        "form": form,
        "teams": teams,
        "team": team,
        "granularity": granularity,
        "start": start,
        "end": end,
        "stages": stages,
        "lead_metric": lead,
        "unit": unit,
        "rows": rows,
        "has_changes": any(p.changes for p in periods),
        "changes": sum(p.changes for p in periods),
        "sentence": longest_stage_sentence(periods, granularity=granularity),
        "figure": json.dumps(figure),
        "missing": status.missing if status else "",
        "warning": status.failed if status else "",
        "lead_url": metric_url(LEAD, **base),
        "doc_url": doc_link("pull-request-flow"),
    }
