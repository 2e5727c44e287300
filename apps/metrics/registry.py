"""The metric registry: which metrics exist, what they mean, and who computes them
(docs/metrics.md, docs/api.md#catalog--get-apiv1metricscatalog).

Each metric app (delivery, quality, reliability, costs) describes its metrics with
`MetricDefinition`s, groups them in a `MetricFamily` with a pure-ish `compute` function and an
optional `records` function, and calls `register_family` from its `AppConfig.ready()`.

A compute function takes a `ComputeContext` and returns a frame with `FRAME_COLUMNS`:

    metric (str), scope (str), scope_key (str), granularity ("week" | "month"),
    period_start (datetime.date, the local first day of the period),
    value (float, NaN = null), sample_size (int), note (str)

It is responsible for gap-filling, as docs/metrics.md#rows says (zeros for counts and sums, nulls
with a note for empty ratios / medians), over the periods `apps.metrics.frames.period_starts` /
`scope_periods` give. `apps.metrics.services.metric_rows_replace` adds period_end, unit,
smoothed, anomaly and the partial-period note: the stored row is `ROW_COLUMNS`.
"""

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Literal, NamedTuple, get_args

import pandas as pd

from apps.core.periods import GRANULARITIES, Granularity, local_midnight, period_start_of

Kind = Literal["count", "sum", "ratio", "median", "mean", "score"]
WhenEmpty = Literal["zero", "null"]
# Whether a higher value is better (`up`), worse (`down`), or neither (`none`): what colours a
# change good or bad on every face (docs/metrics.md#catalog).
Better = Literal["up", "down", "none"]
BETTER: tuple[Better, ...] = ("up", "down", "none")
# How a metric's anomalies are judged (apps.metrics.anomalies, docs/metrics.md#anomaly).
AnomalyModel = Literal[
    "poisson_per_day",
    "poisson",
    "binomial",
    "binomial_minutes",
    "lognormal_per_day",
    "lognormal",
    "normal",
    "as_uptime",
]
# What a value weighs in its series' `smoothed` (docs/metrics.md#smoothed).
SmoothingWeight = Literal["equal", "sample_size", "period_length"]
ANOMALY_MODELS: tuple[AnomalyModel, ...] = get_args(AnomalyModel)
SMOOTHING_WEIGHTS: tuple[SmoothingWeight, ...] = get_args(SmoothingWeight)
SCOPES: tuple[str, ...] = ("org", "team", "engineer", "service", "customer")
# The metric-row contract (docs/metrics.md#rows), defined here once and imported by everyone.
# One series; one row (the unique key of a stored row); what a family's compute returns; a
# stored row as the API serves it (its fields and the CSV header, in this order).
SERIES_KEY: list[str] = ["metric", "scope", "scope_key", "granularity"]
ROW_KEY: list[str] = [*SERIES_KEY, "period_start"]
FRAME_COLUMNS: tuple[str, ...] = (*ROW_KEY, "value", "sample_size", "note")
ROW_COLUMNS: tuple[str, ...] = (
    *ROW_KEY,
    "period_end",
    "value",
    "unit",
    "sample_size",
    "smoothed",
    "anomaly",
    "note",
)
# The unit of cost metrics, resolved to the organisation's billing currency when served.
CURRENCY_UNIT = "currency"


def frame_empty() -> pd.DataFrame:
    """A metric frame without rows (`FRAME_COLUMNS`): what a family with no data returns."""
    return pd.DataFrame(columns=list(FRAME_COLUMNS))


@dataclass(frozen=True)
class Band:
    """One performance level of a published benchmark (docs/metrics.md#dora-performance-bands):
    its `name` ("elite"), the `limit` a value must meet to reach it (at most the limit when
    lower is better, at least when higher is better; per day when the definition's
    `bands_per_day`), and the benchmark's own words for it ("less than one day")."""

    name: str
    limit: float
    text: str


@dataclass(frozen=True)
class MetricDefinition:
    """One metric of the catalog. `doc_anchor` is its heading anchor in docs/metrics.md.

    `label` is what people read ("Mean time to restore"), `short_label` its usual abbreviation
    ("MTTR", or ""), `better` whether a rise is good (`up`), bad (`down`) or neither (`none`).
    Every face (tiles, charts, tables, digest, admin) names a metric by `title`, never by
    `name`; numbers read through `apps.metrics.display`.

    `anomaly_model` names the model its anomalies are judged by and `smoothing_weight` what
    each period weighs in its `smoothed` trend; left out (None), both are derived from `kind`
    and `unit` by `default_anomaly_model` and `default_smoothing_weight` (the table is in
    docs/metrics.md#which-model-judges-which-metric). Set them when the derivation does not
    fit: a count of things present at the period's end (not events in it) is "poisson", a
    value that can be zero or negative is "normal".

    `when_empty` is what a configured team's row says for a period in which it has nothing to
    count (docs/metrics.md#every-configured-team-has-rows): "zero" (counts and sums) or "null"
    (with a note: ratios, medians, levels, and a count that needs someone to score, such as
    engineers_at_risk). Left out, it is "zero" for counts and sums, else "null"."""

    name: str
    unit: str
    description: str
    scopes: tuple[str, ...]
    kind: Kind
    doc_anchor: str
    label: str = ""
    better: Better = "none"
    short_label: str = ""
    anomaly_model: AnomalyModel | None = None
    smoothing_weight: SmoothingWeight | None = None
    # Performance levels of a published benchmark, best first, and where they come from
    # ("DORA, Accelerate State of DevOps Report 2024"); `band_of` places a value among them.
    bands: tuple[Band, ...] = ()
    bands_source: str = ""
    bands_per_day: bool = False
    when_empty: WhenEmpty | None = None

    def __post_init__(self) -> None:
        if self.when_empty is None:
            empty = "zero" if self.kind in ("count", "sum") else "null"
            object.__setattr__(self, "when_empty", empty)
        if self.anomaly_model is None:
            object.__setattr__(self, "anomaly_model", default_anomaly_model(self.kind, self.unit))
        if self.smoothing_weight is None:
            object.__setattr__(self, "smoothing_weight", default_smoothing_weight(self.kind))

    @property
    def title(self) -> str:
        """The label ("Mean time to restore"); a metric without one reads as its name, spaced."""
        return self.label or self.name.replace("_", " ").capitalize()

    @property
    def title_long(self) -> str:
        """The label with its abbreviation: "Mean time to restore (MTTR)"."""
        return f"{self.title} ({self.short_label})" if self.short_label else self.title


def band_of(metric: MetricDefinition, value: float | None, days: float | None = None) -> str:
    """The performance band `value` falls in (docs/metrics.md#dora-performance-bands): the
    first (best) band whose limit it meets, else the last; "" without bands or value. A
    per-day metric (`bands_per_day`: a count such as releases) is divided by the period's
    `days` first."""
    if not metric.bands or value is None or value != value:  # NaN
        return ""
    if metric.bands_per_day:
        if not days:
            return ""
        value = value / days
    for band in metric.bands:
        met = value >= band.limit if metric.better == "up" else value <= band.limit
        if met:
            return band.name
    return metric.bands[-1].name


def default_anomaly_model(kind: Kind, unit: str) -> AnomalyModel:
    """The anomaly model a metric of `kind` and `unit` gets unless it names one:

    - count → "poisson_per_day" (events in the period, compared per day of the period);
    - sum → "lognormal_per_day" for money (unit "currency"), else "poisson_per_day" (sums of
      counted units: points, minutes, impact-days);
    - ratio → "lognormal" for money per unit (unit "currency"), else "binomial" on the row's
      sample_size (the denominator's count);
    - median, mean → "lognormal" (durations); score → "normal".
    """
    if kind == "count":
        return "poisson_per_day"
    if kind == "sum":
        return "lognormal_per_day" if unit == CURRENCY_UNIT else "poisson_per_day"
    if kind == "ratio":
        return "lognormal" if unit == CURRENCY_UNIT else "binomial"
    if kind in ("median", "mean"):
        return "lognormal"
    return "normal"


def default_smoothing_weight(kind: Kind) -> SmoothingWeight:
    """A ratio's periods weigh their sample_size (its denominator's count), so its `smoothed`
    is EWMA(numerator) / EWMA(denominator); every other metric's periods weigh the same."""
    return "sample_size" if kind == "ratio" else "equal"


SeriesKey = tuple[str, str, str, str]  # metric, scope, scope_key, granularity


@dataclass(frozen=True)
class ComputeContext:
    """What a compute function gets: the organisation's time zone, the aware instant of the
    run (`now`, which bounds the current partial period) and an optional first day of interest
    (`since`: periods containing or after it are replaced; a family may compute less before it).

    With `since`, `first_stored` maps each stored series with rows before the replaced periods
    to its first stored period_start. A family reading only recent records uses it (through
    `first_period` and `stored_keys`) to start each series where a full compute would, and to
    keep a scope whose recent records are none (its rows are zeros or notes, not missing)."""

    tz: str
    now: datetime
    since: date | None = None
    first_stored: Mapping[SeriesKey, date] = field(default_factory=dict)

    def cutoff(self, granularity: Granularity) -> date | None:
        """The first replaced period_start of `granularity` (None without `since`)."""
        return None if self.since is None else period_start_of(self.since, granularity)

    @property
    def since_at(self) -> datetime | None:
        """The earliest instant a replaced period starts (local midnight), or None: records
        that end before it cannot change a replaced number."""
        if self.since is None:
            return None
        return local_midnight(min(period_start_of(self.since, g) for g in GRANULARITIES), self.tz)

    def first_period(
        self, metric: str, scope: str, key: str, granularity: Granularity, data_first: date | None
    ) -> date | None:
        """Where the series starts: its first period in the data read, or earlier if stored;
        with `since`, never before the first replaced period (earlier ones are not written)."""
        known = [
            d
            for d in (data_first, self.first_stored.get((metric, scope, key, granularity)))
            if d is not None
        ]
        if not known:
            return None
        cutoff = self.cutoff(granularity)
        return min(known) if cutoff is None else max(min(known), cutoff)

    def stored_keys(self, metric: str, scope: str) -> set[str]:
        """scope_keys of `scope` with stored rows of `metric` before the replaced periods."""
        return {k for (m, s, k, _g) in self.first_stored if m == metric and s == scope}


@dataclass(frozen=True)
class RecordsQuery:
    """The records behind one number: the period `[period_start, period_end)` as local dates and
    as aware instants `[start_at, end_at)` in the organisation's time zone `tz`."""

    metric: str
    scope: str
    scope_key: str
    granularity: str
    period_start: date
    period_end: date
    tz: str
    start_at: datetime
    end_at: datetime
    # Whether the viewer may see every engineer of the scope (set by the records selector from
    # apps.accounts.access): a family may then name them (engineers_at_risk lists the engineers
    # at risk); otherwise team and org records name no engineer.
    engineers_named: bool = False


class WindowValue(NamedTuple):
    """One metric over one window: value (None = null, with a note saying why), sample_size."""

    value: float | None
    sample_size: int
    note: str = ""


@dataclass(frozen=True)
class WindowQuery:
    """Numbers over windows that are not stored periods: a month to date and the same days of
    the month before, the last 30 days and the 30 before (docs/dashboard.md#to-date).

    `windows` are aware `[start, end)` instants; the first is the one shown and the others are
    compared with it over the same length, so a family that knows its data ends early (a cost
    export's lag) shortens every window by the same time and says so in the note. `now` bounds
    what is still open (an open outage or bug lasts until now). `scope` is org, team or service
    with `scope_key` as in rows."""

    scope: str
    scope_key: str
    windows: tuple[tuple[datetime, datetime], ...]
    tz: str
    now: datetime

    @property
    def first_start(self) -> datetime:
        """The earliest instant any window starts: records ending before it count nowhere."""
        return min(start for start, _ in self.windows)


# One dict per window of the query, in order: {metric name: its value over the window}.
WindowValues = list[dict[str, WindowValue]]


@dataclass(frozen=True)
class MetricFamily:
    """Metrics computed together. `compute` returns rows for every metric of the family;
    `records` (optional) returns JSON-serialisable dicts, one per source record; `window`
    (optional) computes the family's metrics over arbitrary windows by the same rules (a metric
    it leaves out, such as a trailing churn score, has no to-date comparison)."""

    name: str
    metrics: tuple[MetricDefinition, ...]
    compute: Callable[[ComputeContext], pd.DataFrame]
    records: Callable[[RecordsQuery], list[dict]] | None = None
    window: Callable[[WindowQuery], WindowValues] | None = None

    @property
    def metric_names(self) -> tuple[str, ...]:
        return tuple(m.name for m in self.metrics)


_FAMILIES: dict[str, MetricFamily] = {}


def register_family(family: MetricFamily) -> None:
    """Add `family` (or replace the family of the same name).

    Raises ValueError when one of its metrics already belongs to another family, or a metric
    names an unknown scope, direction, anomaly model or smoothing weight.
    """
    for metric in family.metrics:
        unknown = set(metric.scopes) - set(SCOPES)
        if unknown:
            raise ValueError(f"metric {metric.name!r}: unknown scopes {sorted(unknown)}")
        if metric.better not in BETTER:
            raise ValueError(f"metric {metric.name!r}: better must be one of {BETTER}")
        for setting, known in (
            ("anomaly_model", ANOMALY_MODELS),
            ("smoothing_weight", SMOOTHING_WEIGHTS),
        ):
            if getattr(metric, setting) not in known:
                raise ValueError(f"metric {metric.name!r}: {setting} must be one of {known}")
        owner = family_of(metric.name)
        if owner is not None and owner.name != family.name:
            raise ValueError(f"metric {metric.name!r} is already registered by {owner.name!r}")
    _FAMILIES[family.name] = family


def families() -> tuple[MetricFamily, ...]:
    """The registered families, in registration order."""
    return tuple(_FAMILIES.values())


def family_of(metric: str) -> MetricFamily | None:
    """The family that computes `metric`, or None."""
    for family in _FAMILIES.values():
        if metric in family.metric_names:
            return family
    return None


def definition(name: str) -> MetricDefinition | None:
    """The definition of metric `name`, or None when no family registers it."""
    for family in _FAMILIES.values():
        for metric in family.metrics:
            if metric.name == name:
                return metric
    return None


def all_definitions() -> tuple[MetricDefinition, ...]:
    """Every registered metric, sorted by name."""
    return tuple(sorted((m for f in _FAMILIES.values() for m in f.metrics), key=lambda m: m.name))


@contextmanager
def families_override(*override: MetricFamily) -> Iterator[None]:
    """Tests: the registry holds exactly `override` inside the block, and is restored after."""
    saved = dict(_FAMILIES)
    _FAMILIES.clear()
    try:
        for family in override:
            register_family(family)
        yield
    finally:
        _FAMILIES.clear()
        _FAMILIES.update(saved)
