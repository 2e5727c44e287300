"""Onboarding as survival (docs/metrics.md#time_to_new_customer_km_days): the Kaplan–Meier
estimate of the time from onboarding start to go-live over every customer, live or still
onboarding (censored), a go-live forecast per onboarding customer, and the curve the customers
page draws. Pure: frames in, frames out, no I/O.

The estimator is statsmodels' `SurvfuncRight` (the product-limit estimator with Greenwood
standard errors). lifelines would be the other choice, but it requires pandas < 3.

`customers` frame (apps.delivery.customers.customers_frame): key, team ("" none), start (aware
UTC, local midnight of onboarding_start), live_at (aware UTC, NaT while onboarding).
"""

import math
from dataclasses import dataclass
from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import local_midnight, next_period_start

METRIC = "time_to_new_customer_km_days"
DAY_SECONDS = 86400.0
NO_CUSTOMERS = "no customer started onboarding by the period's end"
FORECAST_LEVEL = 0.80


@dataclass(frozen=True)
class Observations:
    """Onboarding durations at an instant: days from start to go-live (observed) or to the
    instant (censored, still onboarding)."""

    days: np.ndarray
    live: np.ndarray  # bool: went live (an event), else censored

    @classmethod
    def at(cls, customers: pd.DataFrame, instant: pd.Timestamp) -> "Observations":
        """Customers started before `instant`; live means go-live < `instant`."""
        started = customers[customers["start"] < instant]
        live = (started["live_at"] < instant).to_numpy(bool)  # NaT compares False
        until = started["live_at"].where(live, instant)
        days = (until - started["start"]).dt.total_seconds().to_numpy(float) / DAY_SECONDS
        return cls(days=days, live=live)


@dataclass(frozen=True)
class Curve:
    """A Kaplan–Meier curve: at each time an onboarding ended (days), the share still not live
    (`survival`), its standard error and the customers still onboarding just before."""

    times: np.ndarray
    survival: np.ndarray
    se: np.ndarray
    at_risk: np.ndarray


def km_curve(obs: Observations) -> Curve:
    """The curve of `obs` (at least one customer)."""
    from statsmodels.duration.survfunc import SurvfuncRight  # import on use: ~0.5 s

    fit = SurvfuncRight(obs.days, obs.live.astype(int))
    return Curve(fit.surv_times, fit.surv_prob, fit.surv_prob_se, fit.n_risk)


def km_median(obs: Observations) -> float:
    """The Kaplan–Meier median in days: the first time the curve is at or below 0.5 (NaN while
    it has not fallen to 0.5, or with no customer live)."""
    if not obs.live.any():
        return math.nan
    curve = km_curve(obs)
    # Tolerance: 19/20 · 18/19 · … · 10/11 is one half, but not in floating point.
    reached = np.flatnonzero(curve.survival <= 0.5 + 1e-9)
    return float(curve.times[reached[0]]) if len(reached) else math.nan


def km_note(obs: Observations, median: float) -> str:
    if len(obs.days) == 0:
        return NO_CUSTOMERS
    live = int(obs.live.sum())
    text = f"{len(obs.days)} customers: {live} live, {len(obs.days) - live} still onboarding"
    if math.isnan(median):
        return f"fewer than half live yet ({text}): the median is not reached"
    return text


def km_rows(
    customers: pd.DataFrame,
    *,
    scope: str,
    key: str,
    months: list[date],
    tz: str,
    now: datetime,
) -> pd.DataFrame:
    """Registry rows of the metric for one org/team scope and each of `months`: customers
    started before the month's end (or `now`, for the current month) are censored there when
    not live by then. sample_size = customers in the estimate."""
    rows = []
    for month in months:
        end = min(local_midnight(next_period_start(month, "month"), tz), now)
        obs = Observations.at(customers, pd.Timestamp(end))
        median = km_median(obs)
        rows.append(
            (METRIC, scope, key, "month", month, median, len(obs.days), km_note(obs, median))
        )
    columns = ["metric", "scope", "scope_key", "granularity", "period_start", "value"]
    return pd.DataFrame(rows, columns=[*columns, "sample_size", "note"])


def survival_curve(customers: pd.DataFrame, *, now: datetime) -> pd.DataFrame:
    """The Kaplan–Meier curve at `now`, from day 0: columns days, onboarding (share still not
    live), low and high (a pointwise 90 % band, log-log transformed so it stays in [0, 1]),
    at_risk (customers still onboarding just before). Empty when no customer is live yet."""
    obs = Observations.at(customers, pd.Timestamp(now))
    columns = ["days", "onboarding", "low", "high", "at_risk"]
    if not obs.live.any():
        return pd.DataFrame(columns=columns)
    curve = km_curve(obs)
    low, high = _loglog_band(curve.survival, curve.se, z=1.6449)  # 90 %, two-sided
    return pd.DataFrame(
        {
            "days": np.r_[0.0, curve.times],
            "onboarding": np.r_[1.0, curve.survival],
            "low": np.r_[1.0, low],
            "high": np.r_[1.0, high],
            "at_risk": np.r_[len(obs.days), curve.at_risk],
        }
    )


def _loglog_band(
    survival: np.ndarray, se: np.ndarray, *, z: float
) -> tuple[np.ndarray, np.ndarray]:
    """Pointwise band S^exp(±z·σ), σ = se / (S·|log S|) (Kalbfleisch and Prentice); where S is
    0 or 1 the band is the point."""
    with np.errstate(divide="ignore", invalid="ignore"):
        sigma = se / (survival * np.abs(np.log(survival)))
        low = survival ** np.exp(z * sigma)
        high = survival ** np.exp(-z * sigma)
    inside = (survival > 0) & (survival < 1) & np.isfinite(sigma)
    return np.where(inside, low, survival), np.where(inside, high, survival)


@dataclass(frozen=True)
class Forecast:
    """When an onboarding customer will be live: the median and an 80 % interval of its go-live
    date, from the Kaplan–Meier curve of all customers, given it has not gone live after
    `elapsed_days`. A bound is None when the curve never falls that far (no customer took
    that long): the date is later than anything observed."""

    key: str
    team: str
    start: datetime
    elapsed_days: float
    median: datetime | None
    low: datetime | None
    high: datetime | None


def _conditional_time(times: np.ndarray, survival: np.ndarray, elapsed: float, q: float):
    """The first time t ≥ elapsed with S(t) ≤ q · S(elapsed), or None. `times` are the
    curve's steps (S is 1 before the first)."""
    at = np.searchsorted(times, elapsed, side="right") - 1
    s_now = survival[at] if at >= 0 else 1.0
    if s_now <= 0:  # every customer observed this long went live: beyond the data
        return None
    target = q * s_now
    after = (times >= elapsed) & (survival <= target + 1e-12)
    hits = np.flatnonzero(after)
    return float(times[hits[0]]) if len(hits) else None


def golive_forecasts(customers: pd.DataFrame, *, now: datetime) -> list[Forecast]:
    """A forecast for each customer onboarding at `now` (started, not live), oldest start
    first. Uses the curve of every customer at `now`; empty when no customer is live yet."""
    instant = pd.Timestamp(now)
    obs = Observations.at(customers, instant)
    if not obs.live.any():
        return []
    curve = km_curve(obs)
    times, survival = curve.times, curve.survival
    onboarding = customers[(customers["start"] < instant) & ~(customers["live_at"] < instant)]
    out = []
    for c in onboarding.sort_values(["start", "key"]).itertuples():
        elapsed = (instant - c.start).total_seconds() / DAY_SECONDS
        when = [
            _conditional_time(times, survival, elapsed, q)
            for q in (0.5, 1 - (1 - FORECAST_LEVEL) / 2, (1 - FORECAST_LEVEL) / 2)
        ]
        dates = [
            None if t is None else (c.start + pd.Timedelta(days=t)).floor("s").to_pydatetime()
            for t in when
        ]  # to the second: a datetime has no nanoseconds (pandas warns on dropping them)
        out.append(Forecast(c.key, c.team, c.start.to_pydatetime(), elapsed, *dates))
    return out
