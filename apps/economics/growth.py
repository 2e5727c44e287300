"""The cost growth model (docs/metrics.md#cost-growth-model): how monthly cost grows with its
drivers, fitted by ordinary least squares on a log-log scale with statsmodels. Pure: frames in,
fits and frames out, no I/O.

`drivers` frame (one row per month of one scope, from apps.economics.selectors):
    period_start (date, first day of the month), complete (bool: the month has ended and the
    cost data covers it), cost (float, billing currency), customers (float, live at the
    month's end), releases (float, in the month), and one float column per usage series named
    `usage:<name>` (NaN where the series has no value).

The model of a month M, over the latest MAX_MONTHS complete months up to M, those with cost > 0
and customers > 0 (no estimate with fewer than MIN_MONTHS of them):

    log(cost) = a + b·log(customers) + c·log(releases) + Σ d_i·log(usage_i) + ε

A driver other than customers takes part only when it is positive in every month of the window
and varies (log(0) is undefined; a constant is the intercept's). `b` is the elasticity of cost
to customers: 1 % more customers, b % more cost.
"""

import math
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

MIN_MONTHS = 8
MAX_MONTHS = 24
LEVEL = 0.90  # the intervals' coverage
CUSTOMERS = "customers"
OPTIONAL = "releases"
USAGE_PREFIX = "usage:"


@dataclass(frozen=True)
class Projection:
    """The fit's prediction of monthly cost (the median: exp of the log-scale prediction) with
    customers multiplied by `factor` and the other drivers at the month's values, and its 90 %
    prediction interval (where one month's cost would fall)."""

    factor: float
    cost: float
    low: float
    high: float


@dataclass(frozen=True)
class GrowthFit:
    """One fit: the month it is for, the months fitted, the drivers kept, the coefficients with
    their 90 % intervals (by driver name; "const" the intercept), R², the month's own values
    and projections at 2× and 10× customers."""

    month: date
    months: tuple[date, ...]
    drivers: tuple[str, ...]
    coefficients: dict[str, float]
    low: dict[str, float]
    high: dict[str, float]
    r_squared: float
    fitted: tuple[float, ...]  # cost the fit gives for each month fitted (median)
    left_out: dict[str, str] = field(default_factory=dict)  # driver → why
    cost: float = math.nan
    customers: float = math.nan
    projections: tuple[Projection, ...] = ()

    @property
    def n(self) -> int:
        return len(self.months)

    @property
    def elasticity(self) -> float:
        return self.coefficients[CUSTOMERS]

    @property
    def interval(self) -> tuple[float, float]:
        return self.low[CUSTOMERS], self.high[CUSTOMERS]

    @property
    def marginal_per_customer(self) -> float:
        """elasticity × cost / customers of the month: what one more customer adds."""
        return self.elasticity * self.cost / self.customers

    def projection(self, factor: float) -> Projection | None:
        return next((p for p in self.projections if p.factor == factor), None)

    def note(self) -> str:
        low, high = self.interval
        text = (
            f"elasticity {self.elasticity:.2f} (90% interval {low:.2f} to {high:.2f}), "
            f"{self.n} months, R² {self.r_squared:.2f}"
        )
        if self.left_out:
            text += "; " + "; ".join(f"{d} left out: {why}" for d, why in self.left_out.items())
        return text


@dataclass(frozen=True)
class NoFit:
    """Why month `month` has no estimate."""

    month: date
    reason: str
    n: int = 0


def usage_columns(drivers: pd.DataFrame) -> list[str]:
    return [c for c in drivers.columns if c.startswith(USAGE_PREFIX)]


def usable_months(drivers: pd.DataFrame, month: date) -> pd.DataFrame:
    """The rows a fit of `month` uses: of the latest MAX_MONTHS complete months up to `month`,
    those with cost > 0 and customers > 0, oldest first."""
    ordered = drivers.sort_values("period_start")
    return ordered.iloc[_window(_Arrays.of(ordered), month)]


@dataclass(frozen=True)
class _Arrays:
    """One scope's drivers frame as numpy arrays, sorted by month (read once per scope)."""

    months: np.ndarray  # of date objects
    complete: np.ndarray
    cost: np.ndarray
    customers: np.ndarray
    candidates: tuple[str, ...]  # releases, usage:<name>... as in the frame
    values: np.ndarray  # months × candidates

    @classmethod
    def of(cls, drivers: pd.DataFrame) -> "_Arrays":
        ordered = drivers.sort_values("period_start")
        names = tuple(c for c in (OPTIONAL, *usage_columns(ordered)) if c in ordered)
        return cls(
            months=ordered["period_start"].to_numpy(object),
            complete=ordered["complete"].to_numpy(bool),
            cost=ordered["cost"].to_numpy(float),
            customers=ordered["customers"].to_numpy(float),
            candidates=names,
            values=ordered[list(names)].to_numpy(float).reshape(len(ordered), len(names)),
        )


def _window(a: _Arrays, month: date) -> np.ndarray:
    """Rows of the last MAX_MONTHS complete months up to `month` with cost and customers > 0."""
    recent = np.flatnonzero(a.complete & (a.months <= month))[-MAX_MONTHS:]
    return recent[(a.cost[recent] > 0) & (a.customers[recent] > 0)]


def _drivers_kept(a: _Arrays, rows: np.ndarray) -> tuple[list[int], dict[str, str]]:
    """Indexes of the candidates that take part: positive in every month of the window and not
    constant; at most as many as leave 3 residual degrees of freedom (later ones go first)."""
    kept: list[int] = []
    left_out: dict[str, str] = {}
    for j, name in enumerate(a.candidates):
        label = name.removeprefix(USAGE_PREFIX)
        values = a.values[rows, j]
        bad = int((~(values > 0)).sum())
        if bad:
            left_out[label] = f"0 or missing in {bad} of {len(rows)} months"
        elif np.ptp(values) == 0:
            left_out[label] = "the same in every month"
        else:
            kept.append(j)
    room = len(rows) - 3 - 2  # parameters: intercept, customers, the kept drivers
    for j in kept[room:]:
        left_out[a.candidates[j].removeprefix(USAGE_PREFIX)] = f"too few months ({len(rows)})"
    return kept[:room], left_out


def growth_fit(drivers: pd.DataFrame, month: date) -> GrowthFit | NoFit:
    """The model of `month` over `drivers` (one scope), or why there is none."""
    return _fit(_Arrays.of(drivers), month)


def _fit(a: _Arrays, month: date) -> GrowthFit | NoFit:
    from statsmodels.regression.linear_model import OLS  # import on use: ~0.5 s

    rows = _window(a, month)
    if len(rows) < MIN_MONTHS:
        reason = f"needs {MIN_MONTHS} complete months with cost and customers live"
        return NoFit(month, f"{reason}; {len(rows)} so far", len(rows))
    if np.ptp(a.customers[rows]) == 0:
        return NoFit(month, "customers live did not change over the months fitted", len(rows))
    kept, left_out = _drivers_kept(a, rows)
    x = np.column_stack(
        [a.customers[rows], a.values[np.ix_(rows, np.asarray(kept, dtype=np.intp))]]
    )
    result = OLS(np.log(a.cost[rows]), np.column_stack([np.ones(len(rows)), np.log(x)])).fit()
    bounds = result.conf_int(alpha=1 - LEVEL)
    names = ["const", CUSTOMERS, *(a.candidates[j].removeprefix(USAGE_PREFIX) for j in kept)]
    at = np.flatnonzero(a.months == month)
    i = int(at[0]) if len(at) else int(rows[-1])
    own = np.concatenate([[a.customers[i]], a.values[i, kept]])
    return GrowthFit(
        month=month,
        months=tuple(a.months[rows]),
        drivers=tuple(names[1:]),
        coefficients=dict(zip(names, result.params.tolist(), strict=True)),
        low=dict(zip(names, bounds[:, 0].tolist(), strict=True)),
        high=dict(zip(names, bounds[:, 1].tolist(), strict=True)),
        r_squared=float(result.rsquared),
        fitted=tuple(np.exp(result.fittedvalues).tolist()),
        left_out=left_out,
        cost=float(a.cost[i]),
        customers=float(a.customers[i]),
        projections=_projections(result, own, factors=(2.0, 10.0)),
    )


def _projections(result, own: np.ndarray, factors) -> tuple[Projection, ...]:
    """Predictions at the month's drivers `own` (customers first) with customers × each factor,
    NaN when a driver is not positive this month."""
    if not (own > 0).all():
        return tuple(Projection(f, math.nan, math.nan, math.nan) for f in factors)
    scaled = np.array([own * np.r_[f, np.ones(len(own) - 1)] for f in factors])
    points = np.column_stack([np.ones(len(factors)), np.log(scaled)])
    prediction = result.get_prediction(points)
    bounds = np.exp(prediction.conf_int(obs=True, alpha=1 - LEVEL))
    means = np.exp(prediction.predicted_mean)
    return tuple(
        Projection(f, float(means[k]), float(bounds[k, 0]), float(bounds[k, 1]))
        for k, f in enumerate(factors)
    )


def growth_fits(drivers: pd.DataFrame, months: list[date]) -> dict[date, GrowthFit | NoFit]:
    """The fit of each of `months` over one scope's `drivers` (a month not complete is NoFit)."""
    a = _Arrays.of(drivers)
    complete = set(a.months[a.complete])
    return {
        m: _fit(a, m) if m in complete else NoFit(m, "the month is not complete yet")
        for m in months
    }
