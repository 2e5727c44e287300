"""The org-wide digest's unit economics paragraph (docs/digests.md): how cost grows with
customers, the cost of poor quality, the releases that moved unit cost and the Kaplan–Meier
time to a new customer, for one month, in sentences (docs/metrics.md#unit-economics)."""

from datetime import date

from apps.core.periods import next_period_start
from apps.economics import reports
from apps.economics.release_cost import change_sentence
from apps.metrics.display import value_text
from apps.metrics.models import MetricRow


def _money(value: float | None, currency: str) -> str:
    return value_text(value, unit="currency", currency=currency)


def growth_sentence(model: dict, currency: str) -> str:
    if model["status"] != "fit":
        return f"Cost growth: no estimate yet ({model['reason']})."
    low, high = model["elasticity_low_90"], model["elasticity_high_90"]
    two = model["projections"][0]
    return (
        f"Cost growth: over the last {model['months_fitted']} months, 1% more customers came "
        f"with {model['elasticity']:.2f}% more cost (90% interval {low:.2f} to {high:.2f}); "
        f"at twice the customers the model puts monthly cost at {_money(two['cost'], currency)} "
        f"(90%: {_money(two['low_90'], currency)} to {_money(two['high_90'], currency)})."
    )


def quality_sentence(month: dict | None, currency: str) -> str:
    if month is None or month["total"] is None:
        return "Cost of poor quality: not valued this month" + (
            f" ({'; '.join(month['notes'])})." if month and month["notes"] else "."
        )
    parts = (
        f"bug work {_money(month['bug_work'], currency)}, "
        f"downtime {_money(month['downtime'], currency)}, "
        f"cloud spend during outages {_money(month['cloud_during_outages'], currency)}"
    )
    return f"Cost of poor quality: {_money(month['total'], currency)} ({parts})."


def releases_sentence(releases: list[dict]) -> str:
    if not releases:
        return "Releases that moved unit cost: none outside its band."
    listed = "; ".join(change_sentence(_Row(r)) for r in releases[:5])
    more = f" and {len(releases) - 5} more" if len(releases) > 5 else ""
    return f"Releases that moved unit cost: {listed}{more}."


class _Row:
    """A release dict read as the row change_sentence expects."""

    def __init__(self, values: dict) -> None:
        self.__dict__.update(values)


def onboarding_sentence(row: MetricRow | None) -> str:
    if row is None:
        return "Time to a new customer (Kaplan–Meier): no customers."
    if row.value is None:
        return f"Time to a new customer (Kaplan–Meier): {row.note}."
    return (
        f"Time to a new customer (Kaplan–Meier): half of the customers are live after "
        f"{row.value:.1f} days ({row.note})."
    )


def economics_paragraph(*, month: date, currency: str) -> list[str]:
    """The sentences of the paragraph for `month` (a first day)."""
    end = next_period_start(month, "month")
    quality = reports.quality_cost_report(months=1, last=month)
    releases = reports.release_costs_report(start=month, end=end, outside_only=True)
    km = MetricRow.objects.filter(
        metric="time_to_new_customer_km_days", scope="org", granularity="month", period_start=month
    ).first()
    return [
        growth_sentence(reports.cost_model_report(month=month), currency),
        quality_sentence(quality[-1] if quality else None, currency),
        releases_sentence(sorted(releases, key=lambda r: -abs(r["change"] or 0))),
        onboarding_sentence(km),
    ]
