"""Cost around a release (docs/metrics.md#cost-around-a-release): for each release, the unit
cost of the 7 days after it against its EWMA baseline before it, and whether the change lies
outside the band the series' own history predicts. Pure: frames in, frames out, no I/O.

Per unit (cost per customer live; cost per unit of each usage series) and local day d:

    baseline(D) = EWMA of the daily unit cost over the days before D (half-life 14 days)
    after(D)    = mean daily unit cost over the 7 days D+1 … D+7 (the release day D is mixed)
    change(D)   = after(D) / baseline(D) − 1
    band        = ±max(3 σ, 5 %) on the log scale, σ the standard deviation of
                  log(after / baseline) over the windows that ended in the 90 days before D
                  (at least 28 of them)

A release of day D is outside the band when |log(1 + change)| exceeds it: a change three times
larger than the series' usual week-ahead movement, and at least 5 %.
"""

from datetime import timedelta

import numpy as np
import pandas as pd

AFTER_DAYS = 7
HALF_LIFE_DAYS = 14
HISTORY_DAYS = 90
MIN_HISTORY = 28
Z = 3.0
FLOOR = 0.05
COLUMNS = [
    "repo",
    "team",
    "release",
    "released_at",
    "url",
    "unit",
    "day",
    "baseline",
    "after",
    "change",
    "band_low",
    "band_high",
    "outside",
    "status",
]
PENDING = "the 7 days after it are not all in the cost data yet"
NO_BASELINE = f"needs {MIN_HISTORY} days of unit cost history before it"


def unit_costs_daily(
    daily_cost: pd.DataFrame, customers_live: pd.Series, usage_daily: pd.DataFrame
) -> pd.DataFrame:
    """Daily unit costs on a continuous day index (the cost data's first to last day):
    `cost per customer` = cost / customers live at the day's end, and `cost per <unit>` =
    cost / the usage series' daily value (its month's value / days in the month). NaN where
    the denominator is 0 or unknown.

    daily_cost: columns day (date), cost; customers_live: customers live at each day's end,
    indexed by day; usage_daily: one column per usage unit label, indexed by day."""
    if daily_cost.empty:
        return pd.DataFrame()
    cost = daily_cost.set_index("day")["cost"]
    days = pd.date_range(min(cost.index), max(cost.index), freq="D").date
    cost = cost.reindex(days, fill_value=0.0)
    out = pd.DataFrame(index=pd.Index(days, name="day"))
    out["cost per customer"] = cost / customers_live.reindex(days).where(lambda v: v > 0)
    for label in usage_daily.columns:
        out[f"cost per {label}"] = cost / usage_daily[label].reindex(days).where(lambda v: v > 0)
    return out


def _series_stats(x: pd.Series) -> pd.DataFrame:
    """baseline, after, log ratio and the band's σ for each day D of one daily unit series."""
    baseline = x.ewm(halflife=HALF_LIFE_DAYS, ignore_na=True).mean().shift(1)
    counts = x.notna().rolling(AFTER_DAYS).sum().shift(-AFTER_DAYS)
    after = x.rolling(AFTER_DAYS, min_periods=AFTER_DAYS).mean().shift(-AFTER_DAYS)
    after = after.where(counts == AFTER_DAYS)
    ratio = np.log(after / baseline)
    history = ratio.shift(AFTER_DAYS + 1).rolling(
        HISTORY_DAYS - AFTER_DAYS, min_periods=MIN_HISTORY
    )
    return pd.DataFrame(
        {"baseline": baseline, "after": after, "ratio": ratio, "sigma": history.std()}
    )


def release_impacts(
    units: pd.DataFrame, releases: pd.DataFrame, *, tz: str, last_day: object
) -> pd.DataFrame:
    """One row per release and unit (COLUMNS): its day, baseline, after, change, the band as
    the lowest and highest change inside it (band_low, band_high: e.g. −0.11 and +0.12, the
    band being symmetric on the log scale), outside (bool) and status ("" when judged, else
    why not). `last_day`: the last local day the cost data covers in full.

    releases: columns repo, team, release, released_at (UTC), url."""
    if units.empty or releases.empty:
        return pd.DataFrame(columns=COLUMNS)
    day = releases["released_at"].dt.tz_convert(tz).dt.date
    parts = []
    for unit in units.columns:
        stats = _series_stats(units[unit]).reindex(day.to_numpy())
        stats.index = releases.index
        band = np.maximum(Z * stats["sigma"], np.log1p(FLOOR))
        pending = np.array([d + timedelta(days=AFTER_DAYS) > last_day for d in day], bool)
        missing = stats["baseline"].isna() | stats["sigma"].isna() | stats["after"].isna()
        status = np.where(pending, PENDING, np.where(missing, NO_BASELINE, ""))
        judged = status == ""
        parts.append(
            releases[["repo", "team", "release", "released_at", "url"]].assign(
                unit=unit,
                day=day,
                baseline=stats["baseline"],
                after=stats["after"].where(~pending),
                change=np.expm1(stats["ratio"]).where(~pending),
                band_low=np.expm1(-band),
                band_high=np.expm1(band),
                outside=judged & (stats["ratio"].abs() > band).to_numpy(),
                status=status,
            )
        )
    return pd.concat(parts, ignore_index=True)[COLUMNS]


def outside_band(impacts: pd.DataFrame) -> pd.DataFrame:
    """The releases outside the band, largest change first."""
    flagged = impacts[impacts["outside"]]
    return flagged.reindex(flagged["change"].abs().sort_values(ascending=False).index)


def change_sentence(row) -> str:
    """ "v2.3.0 (acme/api): cost per customer +18%"."""
    return f"{row.release} ({row.repo}): {row.unit} {row.change:+.0%}"
