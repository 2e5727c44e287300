"""Cost around a release (docs/metrics.md#cost-around-a-release): a release after which unit
cost rises 30 % is outside the band, a quiet one is not, and windows not yet in the data or
without history are not judged."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest

from apps.economics.release_cost import (
    NO_BASELINE,
    PENDING,
    change_sentence,
    outside_band,
    release_impacts,
    unit_costs_daily,
)

FIRST = date(2026, 1, 1)
DAYS = [FIRST + timedelta(days=i) for i in range(150)]


def releases(*days: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "repo": "acme/api",
            "team": "platform",
            "release": [f"v1.{d}.0" for d in days],
            "released_at": [pd.Timestamp(DAYS[d], tz="UTC") + pd.Timedelta(hours=15) for d in days],
            "url": "",
        }
    )


def units(step_day: int, rise: float = 0.30) -> pd.DataFrame:
    """Daily cost 1,000 ± 3 % on 10 customers, × (1 + rise) from the day after `step_day`."""
    noise = np.random.default_rng(7).normal(0, 0.03, len(DAYS))
    cost = 1000 * np.exp(noise) * np.where(np.arange(len(DAYS)) > step_day, 1 + rise, 1.0)
    daily = pd.DataFrame({"day": DAYS, "cost": cost})
    usage = pd.DataFrame({"requests": 50_000.0}, index=DAYS)
    return unit_costs_daily(daily, pd.Series(10.0, index=DAYS), usage)


def test_a_release_followed_by_a_30_percent_rise_is_outside_the_band():
    impacts = release_impacts(units(100), releases(60, 100, 145, 10), tz="UTC", last_day=DAYS[-1])
    per_customer = impacts[impacts["unit"] == "cost per customer"].set_index("release")
    assert per_customer.loc["v1.100.0", "outside"]
    assert per_customer.loc["v1.100.0", "change"] == pytest.approx(0.30, abs=0.04)
    assert per_customer.loc["v1.100.0", "baseline"] == pytest.approx(100.0, rel=0.03)
    quiet = per_customer.loc["v1.60.0"]
    assert quiet["band_high"] >= 0.05 and quiet["band_low"] == pytest.approx(
        1 / (1 + quiet["band_high"]) - 1
    )
    assert not quiet["outside"]
    assert quiet["band_low"] < quiet["change"] < quiet["band_high"]
    assert per_customer.loc["v1.145.0", "status"] == PENDING
    assert np.isnan(per_customer.loc["v1.145.0", "change"])
    assert per_customer.loc["v1.10.0", "status"] == NO_BASELINE
    flagged = outside_band(impacts)
    assert sorted(flagged["unit"]) == ["cost per customer", "cost per requests"]
    sentence = change_sentence(next(flagged.itertuples()))
    assert sentence.startswith("v1.100.0 (acme/api): cost per ") and sentence.endswith("%")
    assert "+3" in sentence  # +29 % … +31 %


def test_no_change_nowhere_flagged():
    impacts = release_impacts(
        units(0, rise=0.0), releases(40, 70, 100, 130), tz="UTC", last_day=DAYS[-1]
    )
    assert not impacts["outside"].any()
    assert (impacts["status"] == "").sum() == 8


def test_monthly_usage_becomes_a_daily_rate_without_steps_at_month_ends():
    from apps.economics.reports import usage_daily_rate

    days = [
        date(2026, 1, 1),
        date(2026, 1, 16),
        date(2026, 1, 31),
        date(2026, 2, 28),
        date(2026, 3, 2),
    ]
    rate = usage_daily_rate({date(2026, 1, 1): 3100.0, date(2026, 2, 1): 5600.0}, days)
    assert rate[0] == rate[1] == 100.0  # January's rate up to its middle
    assert 140 < rate[2] < 160  # half-way between the two middles, about
    assert rate[3] == 200.0  # February's rate after its middle
    assert np.isnan(rate[4])  # March has no value
