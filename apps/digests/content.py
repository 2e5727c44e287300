"""What a digest says (docs/digests.md), as plain data: pure functions over metric series, no I/O.

`apps.digests.selectors` loads the series and people; `apps.digests.render` turns the result
into HTML, text and PNG charts. Values are in each metric's registry unit (ratios as fractions,
money in the billing currency, durations as the metric name says), read by
`apps.metrics.display` like every other face.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from apps.metrics.display import value_text
from apps.metrics.registry import Better, MetricDefinition, band_of

# Headline metrics in the order a digest shows them, grouped by the family that computes them.
HEADLINES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("delivery", "Delivery", ("release_frequency", "delivery_points")),
    (
        "dora",
        "DORA",
        (
            "lead_time_for_changes_hours",
            "change_failure_rate",
            "failed_deployment_recovery_hours",
            "deployment_rework_rate",
        ),
    ),
    ("customers", "New customers", ("time_to_new_customer_days", "customers_onboarding")),
    ("quality", "Unanticipated bugs", ("bugs_new", "bug_impact_days")),
    ("bug_load", "Bug-fix load", ("bug_fix_share", "engineers_at_risk")),
    ("reliability", "Reliability", ("uptime", "downtime_minutes", "incidents", "mttr_hours")),
    ("costs", "Cost", ("cost", "cost_per_release", "cost_per_customer", "cost_to_revenue")),
)
CHURN_RISK_THRESHOLD = 0.5  # docs/metrics.md#engineers_at_risk: counts churn_risk >= 0.5
CHART_MONTHS = 12


@dataclass(frozen=True)
class Point:
    """One monthly row of a series: value and smoothed may be None (null row)."""

    value: float | None
    smoothed: float | None
    anomaly: bool = False
    note: str = ""


# metric -> {period_start -> Point}
Series = dict[str, dict[date, Point]]


@dataclass(frozen=True)
class MetricLine:
    """One headline: `label` and `better` from the catalog, `unit` the registry unit."""

    metric: str
    label: str
    better: Better
    unit: str
    value: float | None
    previous: float | None
    smoothed: float | None
    anomaly: bool
    note: str
    link: str
    target: float | None = None  # the goal that applies (docs/metrics.md#goals), if any
    met: bool | None = None  # whether the month met it (None: no goal or a null value)
    # The DORA performance band of the month's value ("high"), "" for a metric without bands
    # (docs/metrics.md#dora-performance-bands).
    band: str = ""

    @property
    def change(self) -> float | None:
        """value − previous month's value, in the metric's unit; None when either is null."""
        if self.value is None or self.previous is None:
            return None
        return self.value - self.previous

    @property
    def vs_trend(self) -> float | None:
        """value − smoothed trend (the row's EWMA), in the metric's unit."""
        if self.value is None or self.smoothed is None:
            return None
        return self.value - self.smoothed


@dataclass(frozen=True)
class Section:
    family: str
    title: str
    lines: tuple[MetricLine, ...]
    chart_metric: str
    chart_id: str


@dataclass(frozen=True)
class AtRisk:
    name: str
    email: str
    score: float
    link: str


@dataclass(frozen=True)
class ServiceUptime:
    name: str
    uptime: float | None
    slo: float | None
    link: str

    @property
    def met(self) -> bool | None:
        """Whether uptime ≥ SLO; None without an SLO or an uptime."""
        if self.uptime is None or self.slo is None:
            return None
        return self.uptime >= self.slo


@dataclass
class ScopeDigest:
    """The digest of one scope: the org, or one team of a manager."""

    scope: str
    scope_key: str
    title: str
    link: str
    sections: list[Section] = field(default_factory=list)
    anomalies: list[str] = field(default_factory=list)
    at_risk: list[AtRisk] | None = None  # None: not shown (org digest)
    services: list[ServiceUptime] = field(default_factory=list)
    series: Series = field(default_factory=dict)
    economics: list[str] | None = None  # None: not shown (manager digests)


def previous_month(month: date) -> date:
    """The first day of the month before `month` (itself a first day)."""
    return date(month.year - 1, 12, 1) if month.month == 1 else date(month.year, month.month - 1, 1)


def recent_months(month: date, count: int = CHART_MONTHS) -> list[date]:
    """`count` month starts ending with `month`, oldest first."""
    months = [month]
    while len(months) < count:
        months.insert(0, previous_month(months[0]))
    return months


def metric_line(
    *, metric: MetricDefinition, points: dict[date, Point], month: date, link: str
) -> MetricLine:
    """The headline of one metric for `month`: its value, the previous month's and the trend.
    A missing row reads as null with the note "no row computed"."""
    current = points.get(month, Point(None, None, note="no row computed for this month"))
    previous = points.get(previous_month(month))
    following = (month.replace(day=28) + timedelta(days=4)).replace(day=1)
    return MetricLine(
        metric=metric.name,
        label=metric.title_long,
        better=metric.better,
        unit=metric.unit,
        value=current.value,
        smoothed=current.smoothed,
        previous=previous.value if previous else None,
        anomaly=current.anomaly,
        note=current.note,
        link=link,
        band=band_of(metric, current.value, (following - month).days),
    )


def anomaly_sentence(*, line: MetricLine, subject: str, month: date, currency: str) -> str:
    """One sentence about an anomalous month, e.g. "New unanticipated bugs for team Platform
    was 12 bugs in October 2026, above its trend of 4.1 bugs (previous month: 3 bugs)."."""
    direction = "above" if (line.vs_trend or 0) > 0 else "below"
    value = value_text(line.value, unit=line.unit, currency=currency)
    trend = value_text(line.smoothed, unit=line.unit, currency=currency)
    previous = value_text(line.previous, unit=line.unit, currency=currency)
    return (
        f"{line.label} for {subject} was {value} in {month:%B %Y}, {direction} its trend of "
        f"{trend} (previous month: {previous})."
    )
