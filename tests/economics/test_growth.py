"""The cost growth model (docs/metrics.md#cost-growth-model) on synthetic organisations with a
known truth, and its rules (too little history, drivers left out, incomplete months)."""

import math
from datetime import date

import numpy as np
import pandas as pd
import pytest

from apps.economics.drivers import growth_rows
from apps.economics.growth import MIN_MONTHS, GrowthFit, NoFit, growth_fit, growth_fits
from apps.economics.synthetic import TRUE_ELASTICITY, synthetic_drivers


def last(drivers: pd.DataFrame) -> date:
    return drivers["period_start"].iloc[-1]


def test_exact_power_law_is_recovered_with_its_projections():
    drivers = synthetic_drivers(seed=1, noise=0.0)
    fit = growth_fit(drivers, last(drivers))
    assert isinstance(fit, GrowthFit)
    assert fit.n == 24
    assert fit.elasticity == pytest.approx(0.6, abs=1e-9)
    assert fit.coefficients["releases"] == pytest.approx(0.0, abs=1e-9)
    assert fit.coefficients["const"] == pytest.approx(math.log(2000.0), abs=1e-9)
    assert fit.r_squared == pytest.approx(1.0)
    row = drivers.iloc[-1]
    assert fit.marginal_per_customer == pytest.approx(0.6 * row["cost"] / row["customers"])
    assert fit.projection(2.0).cost == pytest.approx(row["cost"] * 2**0.6)
    assert fit.projection(10.0).cost == pytest.approx(row["cost"] * 10**0.6)


def test_interval_covers_the_true_elasticity_at_its_nominal_rate():
    """100 seeded organisations (benchmarks/bench_unit_economics.py runs 200 and 2,000): a correct
    90 % interval covers the truth in 90 % of them, so the count of 100 lies in 83..97 unless
    the interval is wrong (a binomial(100, 0.9) count falls outside with probability < 1 %)."""
    fits = [growth_fit(d, last(d)) for d in map(lambda s: synthetic_drivers(seed=s), range(100))]
    covered = sum(f.interval[0] <= TRUE_ELASTICITY <= f.interval[1] for f in fits)
    assert 83 <= covered <= 97, covered
    estimates = np.array([f.elasticity for f in fits])
    assert abs(estimates.mean() - TRUE_ELASTICITY) < 0.02


def test_fewer_than_eight_usable_months_gives_no_estimate_and_says_why():
    drivers = synthetic_drivers(seed=2, months=10)
    drivers.loc[:2, "customers"] = 0.0  # three months without customers live
    fit = growth_fit(drivers, last(drivers))
    assert isinstance(fit, NoFit)
    assert fit.reason == (
        f"needs {MIN_MONTHS} complete months with cost and customers live; 7 so far"
    )
    drivers.loc[2, "customers"] = 9.0
    assert isinstance(growth_fit(drivers, last(drivers)), GrowthFit)


def test_window_is_the_last_24_complete_months():
    drivers = synthetic_drivers(seed=3, months=30)
    drivers.loc[29, "complete"] = False
    fits = growth_fits(drivers, list(drivers["period_start"]))
    assert fits[drivers["period_start"][29]] == NoFit(
        drivers["period_start"][29], "the month is not complete yet"
    )
    fit = fits[drivers["period_start"][28]]
    assert fit.months == tuple(drivers["period_start"][5:29])
    assert isinstance(fits[drivers["period_start"][6]], NoFit)  # 7 months so far
    assert fits[drivers["period_start"][7]].n == 8


def test_a_driver_with_a_zero_month_is_left_out_and_named():
    drivers = synthetic_drivers(seed=4)
    drivers.loc[5, "releases"] = 0.0
    drivers["usage:requests"] = (
        drivers["customers"] * 1000 * np.exp(np.random.default_rng(0).normal(0, 0.05, len(drivers)))
    )
    fit = growth_fit(drivers, last(drivers))
    assert fit.drivers == ("customers", "requests")
    assert fit.left_out == {"releases": "0 or missing in 1 of 24 months"}
    assert "releases left out: 0 or missing in 1 of 24 months" in fit.note()


def test_customers_that_never_change_give_no_estimate():
    drivers = synthetic_drivers(seed=5, months=12)
    drivers["customers"] = 4.0
    fit = growth_fit(drivers, last(drivers))
    assert fit == NoFit(last(drivers), "customers live did not change over the months fitted", 12)


def test_rows_carry_value_interval_note_and_months_fitted():
    drivers = synthetic_drivers(seed=6, months=9)
    months = list(drivers["period_start"])
    rows = growth_rows(growth_fits(drivers, months), drivers, scope="org", key="")
    first = rows[rows["period_start"] == months[0]]
    assert first["value"].isna().all()
    assert set(first["note"]) == {"needs 8 complete months with cost and customers live; 1 so far"}
    end = rows[rows["period_start"] == months[-1]].set_index("metric")
    fit = growth_fit(drivers, months[-1])
    low, high = fit.interval
    assert end.loc["cost_elasticity_customers", "value"] == pytest.approx(fit.elasticity)
    assert end.loc["cost_elasticity_customers", "note"].startswith(
        f"elasticity {fit.elasticity:.2f} (90% interval {low:.2f} to {high:.2f}), 9 months, R²"
    )
    assert end.loc["cost_projected_2x", "value"] == pytest.approx(fit.projection(2.0).cost)
    assert end.loc["cost_projected_2x", "note"].startswith("90% interval ")
    assert (end["sample_size"] == 9).all()
