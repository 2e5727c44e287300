"""Pages of the managers' dashboard (docs/dashboard.md). Thin: parse, call selectors, render."""

from datetime import datetime, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse_lazy
from django.utils import timezone
from django.views.decorators.http import require_POST

from apps.accounts.access import engineer_visible, is_admin, sources_sync_allowed
from apps.accounts.views import SignInView, SignOutView
from apps.alerts.selectors import rules_failing
from apps.core.audit import engineers_viewed
from apps.metrics.registry import definition, family_of
from apps.metrics.selectors import organization_currency
from apps.organization.models import PagerDutyService, Person, Source, Team
from apps.quality.bug_load_metrics import AT_RISK

from . import selectors
from .compare import DEFAULT_METRIC, compare_context, team_metrics
from .data_quality import data_quality
from .economics import PageError, customers_context, economics_context
from .flow_page import flow_context
from .metric_page import metric_context
from .navigation import nav_url
from .services import SyncForbidden, SyncRefused, source_sync_enqueue
from .windows import DEFAULT_VIEW, VIEWS

LOGIN_URL = reverse_lazy("dashboard:login")
# Password and single sign-on (apps.accounts.views), at the paths the digests link to.
login = SignInView.as_view()
logout = SignOutView.as_view()


def _page(request: HttpRequest, template: str, **context) -> HttpResponse:
    context.setdefault("currency", organization_currency())
    context.setdefault("today", selectors.today_local())
    return render(request, f"dashboard/{template}", context)


def _with_badge(request: HttpRequest, context: dict) -> dict:
    """The data-quality badge of the pages whose numbers the gaps affect (organisation, team,
    metric): how many problems, linked to the data-quality page."""
    found = data_quality(user=request.user, today=selectors.today_local())
    context["dq_summary"] = found.summary
    return context


def _view(request: HttpRequest) -> str:
    """The tiles' view from `?view=` (windows.VIEWS; anything else is the default)."""
    view = request.GET.get("view", DEFAULT_VIEW)
    return view if view in VIEWS else DEFAULT_VIEW


def _views(request: HttpRequest, name: str, *args: str) -> list[tuple[str, str, bool]]:
    """(label, url, current) of each view of a tiles page, other filters kept."""
    current = _view(request)
    return [
        (label, nav_url(name, *args, query=request.GET, view=key), key == current)
        for key, label in VIEWS.items()
    ]


@login_required(login_url=LOGIN_URL)
def organization_page(request: HttpRequest) -> HttpResponse:
    view = _view(request)
    stages = selectors.tiles_get(user=request.user, scope="org", view=view)
    teams = Team.objects.order_by("name")
    services = PagerDutyService.objects.filter(enabled=True).order_by("name", "service_id")
    return _page(
        request,
        "organization.html",
        **_with_badge(request, {}),
        stages=stages,
        teams=teams,
        services=services,
        scope="org",
        scope_key="",
        view=view,
        views=_views(request, "dashboard:organization"),
    )


@login_required(login_url=LOGIN_URL)
def team_page(request: HttpRequest, slug: str) -> HttpResponse:
    team = get_object_or_404(Team, slug=slug)
    view = _view(request)
    stages = selectors.tiles_get(user=request.user, scope="team", scope_key=slug, view=view)
    today = selectors.today_local()
    month = selectors.latest_complete_month(today)
    members = selectors.team_members(user=request.user, team=team, month=month)
    if any(m.visible for m in members):
        engineers_viewed(
            user=request.user,
            emails=[m.person.email for m in members if m.visible],
            via=request.get_full_path(),
        )
    return _page(
        request,
        "team.html",
        **_with_badge(request, {}),
        team=team,
        stages=stages,
        members=members,
        members_month=month,
        at_risk_threshold=AT_RISK,
        numbers_shown=any(m.visible for m in members),
        services=team.pagerduty_services.filter(enabled=True).order_by("name", "service_id"),
        scope="team",
        scope_key=slug,
        view=view,
        views=_views(request, "dashboard:team", slug),
    )


@login_required(login_url=LOGIN_URL)
def engineer_page(request: HttpRequest, email: str) -> HttpResponse:
    """Superusers and the managers of the engineer's team only; everyone else gets a 404,
    the same as for an unknown address, so the page does not reveal who exists."""
    if not engineer_visible(user=request.user, email=email):
        raise Http404("no such engineer")
    person = get_object_or_404(Person.objects.select_related("team"), email=email)
    engineers_viewed(user=request.user, emails=[email], via=request.get_full_path())
    stages = selectors.tiles_get(user=request.user, scope="engineer", scope_key=email)
    metrics = [view.metric for _, views in stages for view in views]
    history = selectors.engineer_history(user=request.user, email=email, metrics=metrics)
    return _page(
        request,
        "engineer.html",
        person=person,
        stages=stages,
        scope="engineer",
        scope_key=email,
        history=history,
        history_metrics=metrics,
    )


@login_required(login_url=LOGIN_URL)
def metric_page(request: HttpRequest, metric: str) -> HttpResponse:
    metric_def, family = definition(metric), family_of(metric)
    if metric_def is None or family is None:
        raise Http404("unknown metric")
    context = metric_context(request=request, metric=metric_def, family=family)
    response = _page(request, "metric.html", **_with_badge(request, context))
    if context.get("errors"):
        response.status_code = 400
    return response


@login_required(login_url=LOGIN_URL)
def economics_page(request: HttpRequest) -> HttpResponse:
    """Unit economics: the cost growth model, releases that moved unit cost, the cost of poor
    quality (org and team aggregates: every role)."""
    currency, today = organization_currency(), selectors.today_local()
    try:
        context = economics_context(query=request.GET, currency=currency, today=today)
    except PageError as exc:
        response = _page(request, "economics.html", errors=str(exc))
        response.status_code = 400
        return response
    return _page(request, "economics.html", currency=currency, today=today, **context)


@login_required(login_url=LOGIN_URL)
def customers_page(request: HttpRequest) -> HttpResponse:
    """Customers: time to live as a survival curve, go-live forecasts, every customer."""
    try:
        context = customers_context(query=request.GET)
    except PageError as exc:
        response = _page(request, "customers.html", errors=str(exc))
        response.status_code = 400
        return response
    return _page(request, "customers.html", **context)


# Session key of the user's "sync now" requests: {source name: [newest run id before the
# request, when requested (ISO 8601)]}. A request is "queued" until the source has a newer run,
# whose own state (running, failed, ...) is then shown instead; forgotten after an hour (a
# worker that never took it).
SYNC_REQUESTS = "sync_requests"
SYNC_REQUEST_FORGOTTEN = timedelta(hours=1)


def _sync_requests_queued(request: HttpRequest, sources: list) -> set[str]:
    """Names of the sources whose "sync now" by this user has no run yet; requests overtaken
    by a newer run (or too old) are dropped from the session."""
    requested: dict[str, list] = request.session.get(SYNC_REQUESTS, {})
    newest = {source.name: (runs[0].pk if runs else 0) for source, runs in sources}
    now = timezone.now()
    kept = {
        name: (before, at)
        for name, (before, at) in requested.items()
        if newest.get(name, 0) <= before
        and name in newest
        and now - datetime.fromisoformat(at) < SYNC_REQUEST_FORGOTTEN
    }
    if kept != {name: tuple(v) for name, v in requested.items()}:
        request.session[SYNC_REQUESTS] = {name: list(v) for name, v in kept.items()}
    return set(kept)


@login_required(login_url=LOGIN_URL)
def sources_page(request: HttpRequest) -> HttpResponse:
    sources = selectors.sources_overview()
    queued = _sync_requests_queued(request, sources)
    running = bool(queued) or any(
        run.status in ("queued", "running") for _, runs in sources for run in runs
    )
    return _page(
        request,
        "sources.html",
        sources=sources,
        running=running,
        queued=queued,
        imports=selectors.cost_imports_recent(),
        failing_rules=list(rules_failing()),
        can_sync=set(sources_sync_allowed(user=request.user).values_list("pk", flat=True)),
    )


@login_required(login_url=LOGIN_URL)
@require_POST
def source_sync_now(request: HttpRequest, name: str) -> HttpResponse:
    """Queue a sync; the Sources page says "queued" until a newer run of the source exists and
    then shows that run's state (a flash message would still say "queued" after it failed)."""
    source = get_object_or_404(Source, name=name)
    try:
        before = source_sync_enqueue(user=request.user, source=source)
    except SyncForbidden as exc:
        return HttpResponseForbidden(str(exc))
    except SyncRefused as exc:
        messages.error(request, f"Not synced: {exc}.")
        return redirect("dashboard:sources")
    request.session[SYNC_REQUESTS] = {
        **request.session.get(SYNC_REQUESTS, {}),
        source.name: [before, timezone.now().isoformat()],
    }
    return redirect("dashboard:sources")


@login_required(login_url=LOGIN_URL)
def data_quality_page(request: HttpRequest) -> HttpResponse:
    """Unmatched accounts, unallocated cost, failing or stale sources, unscored engineers."""
    found = data_quality(user=request.user, today=selectors.today_local())
    return _page(request, "data_quality.html", dq=found, user_is_admin=is_admin(request.user))


@login_required(login_url=LOGIN_URL)
def service_page(request: HttpRequest, service_id: str) -> HttpResponse:
    """One PagerDuty service: its uptime, downtime, incidents, time to restore and error
    budget, by its PagerDuty name."""
    service = (
        PagerDutyService.objects.filter(service_id=service_id, enabled=True)
        .select_related("team")
        .first()
    )
    if service is None:
        raise Http404("no such service")
    view = _view(request)
    stages = selectors.tiles_get(
        user=request.user, scope="service", scope_key=service_id, view=view
    )
    return _page(
        request,
        "service.html",
        **_with_badge(request, {}),
        service=service,
        stages=stages,
        scope="service",
        scope_key=service_id,
        view=view,
        views=_views(request, "dashboard:service", service_id),
    )


@login_required(login_url=LOGIN_URL)
def compare_page(request: HttpRequest) -> HttpResponse:
    """Every team side by side for one metric with a team scope (`?metric=`)."""
    name = request.GET.get("metric") or DEFAULT_METRIC
    metric = definition(name)
    if metric is None or "team" not in metric.scopes:
        response = _page(
            request,
            "compare.html",
            metrics=team_metrics(),
            errors=f"{name!r} is no metric with a team scope: pick one from the list.",
        )
        response.status_code = 400
        return response
    context = compare_context(
        user=request.user,
        metric=metric,
        currency=organization_currency(),
        today=selectors.today_local(),
    )
    return _page(request, "compare.html", **context)


@login_required(login_url=LOGIN_URL)
def flow_page(request: HttpRequest) -> HttpResponse:
    """Where a pull request waits: the four stage medians per period stacked, with the lead
    time, for the organisation or `?team=` (aggregates: every role); a query it cannot use is
    a 400 naming the field."""
    context = flow_context(request=request)
    response = _page(request, "flow.html", **context)
    if context.get("errors"):
        response.status_code = 400
    return response
