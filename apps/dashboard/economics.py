"""What the Unit economics and customers pages show (docs/dashboard.md#unit-economics), from
apps.economics.reports: the cost growth model of one scope and month with its diagnostics and
plots, the releases that moved unit cost, the cost of poor quality, onboarding as a survival
curve with go-live forecasts. Every number is said in words too."""

import json
from datetime import date, timedelta

from django.conf import settings
from django.http import QueryDict

from apps.core.periods import date_range_error
from apps.economics import reports
from apps.metrics.display import value_text
from apps.organization.models import Team

from . import economics_charts as charts

RELEASE_DAYS = 90


def doc_link(anchor: str) -> str:
    """A section of docs/metrics.md (base URL setting KEEL_METRICS_DOC_URL, as for metrics)."""
    return f"{getattr(settings, 'KEEL_METRICS_DOC_URL', 'docs/metrics.md')}#{anchor}"


class PageError(ValueError):
    """A query parameter the page cannot use; the message says which and why."""


def _month(text: str | None) -> date | None:
    if not text:
        return None
    try:
        month = date.fromisoformat(f"{text}-01")
    except ValueError:
        raise PageError(f"month {text!r}: expected YYYY-MM, e.g. 2026-10") from None
    if error := date_range_error(month):
        raise PageError(f"month: {error}")
    return month


def _team(slug: str | None) -> Team | None:
    if not slug:
        return None
    team = Team.objects.filter(slug=slug).first()
    if team is None:
        raise PageError(f"unknown team {slug!r}")
    return team


def elasticity_words(low: float, high: float) -> str:
    """What the elasticity's 90 % interval says about cost per customer as customers grow."""
    if high < 1:
        return "Cost per customer falls as customers grow: economies of scale."
    if low > 1:
        return "Each new customer costs more than the last: cost per customer rises as you grow."
    return "Cost grows about in step with customers (the interval includes 1)."


def _split_why(elasticity: float) -> str:
    """Why a month's cost has no fixed vs marginal split (an elasticity outside [0, 1])."""
    if elasticity > 1:
        return (
            "With an elasticity above 1, each new customer adds more than the average customer "
            "costs: no part of the cost behaves as fixed."
        )
    if elasticity < 0:
        return "Cost fell as customers grew over these months: the model gives no split."
    return ""


def _money(value: float | None, currency: str) -> str:
    return value_text(value, unit="currency", currency=currency)


def _model(model: dict, currency: str) -> dict:
    """The cost model section, with its sentences and figures (status "fit" only)."""
    if model["status"] != "fit":
        return model
    low, high = model["elasticity_low_90"], model["elasticity_high_90"]
    two, ten = model["projections"]
    return model | {
        "sentence": (
            f"Over the last {model['months_fitted']} months, 1% more customers came with "
            f"{model['elasticity']:.2f}% more cost (90% interval {low:.2f} to {high:.2f})."
        ),
        "verdict": elasticity_words(low, high),
        "marginal_text": _money(model["marginal_per_customer"], currency),
        "split_text": {k: _money(v, currency) for k, v in (model["split"] or {}).items()},
        "split_why": _split_why(model["elasticity"]),
        "projections_text": [
            (
                f"{p['customers_x']:g}×",
                _money(p["cost"], currency),
                _money(p["low_90"], currency),
                _money(p["high_90"], currency),
            )
            for p in (two, ten)
        ],
        "fit_figure": json.dumps(
            charts.fit_figure(model["points"], currency=currency), default=str
        ),
        "residual_figure": json.dumps(charts.residual_figure(model["points"]), default=str),
        "split_figure": json.dumps(charts.split_figure(model["split"], currency=currency))
        if model["split"]
        else "",
        "projection_figure": json.dumps(
            charts.projection_figure(
                model["cost"], model["projections"], currency=currency, month=model["month"]
            )
        ),
    }


def economics_context(*, query: QueryDict, currency: str, today: date) -> dict:
    """The Unit economics page for `?team=&month=YYYY-MM`. Raises PageError."""
    team = _team(query.get("team"))
    scope, key = ("team", team.slug) if team else ("org", "")
    month = _month(query.get("month")) or reports.latest_complete_month()
    model = reports.cost_model_report(scope=scope, scope_key=key, month=month)
    quality = reports.quality_cost_report(scope=scope, scope_key=key)
    releases = reports.release_costs_report(
        start=today - timedelta(days=RELEASE_DAYS), outside_only=True
    )
    return {
        "team": team,
        "teams": Team.objects.order_by("name"),
        "month": month,
        "model": _model(model, currency),
        "quality": quality,
        "quality_latest": next(
            (q for q in reversed(quality) if q["month"] < today.replace(day=1)), None
        ),
        "quality_figure": json.dumps(
            charts.quality_figure(quality, currency=currency), default=str
        ),
        "releases": releases,
        "release_days": RELEASE_DAYS,
        "onboarding": reports.onboarding_report(team=key),
        "doc_url": doc_link("unit-economics"),
    }


def customers_context(*, query: QueryDict) -> dict:
    """The customers page for `?team=`: the survival curve, its median and the forecasts.
    Raises PageError."""
    team = _team(query.get("team"))
    onboarding = reports.onboarding_report(team=team.slug if team else "")
    figure = charts.survival_figure(onboarding["curve"], median=onboarding["median_days"])
    return {
        "team": team,
        "teams": Team.objects.order_by("name"),
        "onboarding": onboarding,
        "survival_figure": json.dumps(figure, default=str),
        "customers": reports.customers_table(team=team.slug if team else ""),
        "doc_url": doc_link("time_to_new_customer_km_days"),
    }
