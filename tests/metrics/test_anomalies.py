"""The anomaly models (docs/metrics.md#anomaly) on cases a reader can check by hand or with
one scipy.stats call."""

from datetime import date, timedelta

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from apps.metrics.anomalies import _beta_binomial_two_sided, anomaly_tests

NAN = float("nan")
MODELS = {
    "releases": "poisson_per_day",
    "onboarding": "poisson",
    "share": "binomial",
    "uptime": "binomial_minutes",
    "budget": "as_uptime",
    "cost": "lognormal_per_day",
    "hours": "lognormal",
    "score": "normal",
}
MONTHS_2025 = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]


def series(metric, values, *, days=7, sample_size=0, key="", start=date(2025, 1, 6)):
    n = len(values)
    return pd.DataFrame(
        {
            "metric": metric,
            "scope": "org",
            "scope_key": key,
            "granularity": "week" if np.all(np.asarray(days) == 7) else "month",
            "period_start": [start + timedelta(days=7 * i) for i in range(n)],
            "value": np.asarray(values, float),
            "sample_size": sample_size if np.ndim(sample_size) else [sample_size] * n,
            "days": days if np.ndim(days) else [days] * n,
        }
    )


def last(frame: pd.DataFrame) -> dict:
    return anomaly_tests(frame, models=MODELS).iloc[-1].to_dict()


POISSON_5 = [5, 4, 6, 5, 3, 7, 5, 5]  # 40 releases in 8 weeks


def test_poisson_history_flags_15_and_not_8():
    # Rate 40 / 56 days; the next week's count is NB(0.5 + 40, 56 / (56 + 7)) (the Poisson
    # rate with its uncertainty): P(X >= 15) = 0.00067, P(X >= 8) = 0.15.
    flagged = last(series("releases", [*POISSON_5, 15]))
    assert flagged["distribution"] == "poisson"
    assert flagged["p_value"] == pytest.approx(2 * stats.nbinom.sf(14, 40.5, 8 / 9))
    assert flagged["p_value"] == pytest.approx(0.00134, abs=1e-5)
    assert flagged["anomaly"] is True
    ordinary = last(series("releases", [*POISSON_5, 8]))
    assert ordinary["p_value"] == pytest.approx(2 * stats.nbinom.sf(7, 40.5, 8 / 9))
    assert ordinary["anomaly"] is False


def test_a_quiet_week_is_not_flagged_but_an_empty_one_after_twenty_is():
    assert last(series("releases", [*POISSON_5, 1]))["anomaly"] is False
    assert last(series("releases", [20, 22, 19, 21, 18, 20, 0]))["anomaly"] is True


def test_counts_are_compared_per_day_of_the_period():
    # 3 releases a day, March 2024 to January 2025: February's 84 is its usual 3 a day, not
    # a drop; 50 is one.
    days = [31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31]
    history = [3 * d for d in days]
    assert last(series("releases", [*history, 84], days=[*days, 28]))["anomaly"] is False
    assert last(series("releases", [*history, 50], days=[*days, 28]))["anomaly"] is True


def test_a_level_is_not_per_day():
    # Customers onboarding at the period's end: 4 at the end of a week or a month alike. The
    # history (25 in 6 periods) predicts NB(0.5 + 25, 6 / 7), mean 4.25: P(X <= 4) = 0.57.
    monthly = last(series("onboarding", [4, 5, 4, 3, 4, 5, 4], days=[31, 28, 31, 30, 31, 30, 31]))
    weekly = last(series("onboarding", [4, 5, 4, 3, 4, 5, 4]))
    assert monthly["p_value"] == weekly["p_value"] == pytest.approx(1.0)
    assert 2 * stats.nbinom.cdf(4, 25.5, 6 / 7) > 1


def test_over_dispersed_history_switches_to_negative_binomial():
    bursty = [0, 12, 1, 9, 0, 15, 2, 10]  # mean 6.1, variance 35: far from Poisson
    result = last(series("releases", [*bursty, 20]))
    assert result["distribution"] == "negative_binomial"
    assert result["anomaly"] is False
    steady = [6, 5, 7, 6, 6, 7, 6, 6]  # the same mean, Poisson-like
    result = last(series("releases", [*steady, 20]))
    assert (result["distribution"], result["anomaly"]) == ("poisson", True)


def test_fewer_than_six_periods_of_history_flag_nothing():
    tests = anomaly_tests(series("releases", [5, 5, 5, 5, 5, 500]), models=MODELS)
    assert not tests["judged"].any() and not tests["anomaly"].any()
    assert tests["history"].tolist() == [0, 1, 2, 3, 4, 5]
    assert last(series("releases", [5, 5, 5, 5, 5, 5, 500]))["anomaly"] is True


def test_nulls_are_neither_judged_nor_history():
    tests = anomaly_tests(series("releases", [5, NAN, 5, 5, 5, 5, NAN, 5, 50]), models=MODELS)
    assert tests["judged"].tolist() == [False] * 8 + [True]
    assert tests["history"].iloc[-1] == 6
    assert tests["anomaly"].tolist() == [False] * 8 + [True]


def test_share_weighs_its_sample_size():
    # 6 bug fixes of 30 items a week; then a week of 30 of 30 is an anomaly, 1 of 1 is not.
    history = series("share", [0.2] * 8, sample_size=30)
    full_week = pd.concat([history, series("share", [1.0], sample_size=30)], ignore_index=True)
    one_item = pd.concat([history, series("share", [1.0], sample_size=1)], ignore_index=True)
    assert last(full_week)["anomaly"] is True
    result = last(one_item)
    # beta-binomial(1, 0.5 + 48, 0.5 + 192): P(X >= 1) = 48.5 / 241 = 0.20
    assert result["p_value"] == pytest.approx(2 * 48.5 / 241)
    assert result["anomaly"] is False


def test_uptime_a_halved_margin_is_flagged():
    # 30-day months at 99.9 % (43.2 down minutes of 43,200); 99.8 % doubles the down minutes.
    assert last(series("uptime", [0.999] * 8 + [0.998], days=30))["anomaly"] is True
    assert last(series("uptime", [0.999] * 8 + [0.9988], days=30))["anomaly"] is False
    # Real outages come in lumps: down minutes 0, 0, 120, 0, 30, 0, 0, 60 are over-dispersed
    # for a binomial, so a quiet month or another 90-minute one is ordinary.
    lumpy = [1 - m / 43200 for m in (0, 0, 120, 0, 30, 0, 0, 60)]
    quiet = last(series("uptime", [*lumpy, 1.0], days=30))
    assert (quiet["distribution"], quiet["anomaly"]) == ("beta_binomial", False)
    assert last(series("uptime", [*lumpy, 1 - 90 / 43200], days=30))["anomaly"] is False


def test_error_budget_follows_its_uptime():
    uptime = series("uptime", [0.999] * 8 + [0.998], days=30, key="PSVC1")
    budget = series("budget", [0.0] * 8 + [-1.0], days=30, key="PSVC1")
    tests = anomaly_tests(pd.concat([budget, uptime], ignore_index=True), models=MODELS)
    assert tests["anomaly"].tolist() == [False] * 8 + [True] + [False] * 8 + [True]
    assert tests["distribution"].iloc[8] == "as uptime"
    alone = anomaly_tests(budget, models=MODELS)  # no uptime rows: nothing to follow
    assert not alone["judged"].any()


def test_cost_february_is_not_an_anomaly_for_being_short():
    # $100 a day (±2 %) every month of 2025; February's $2,800 is the usual $100 a day.
    rates = [100, 102, 98, 101, 99, 100, 102, 98, 101, 99, 100]
    days = [31, 30, 31, 30, 31, 31, 30, 31, 30, 31, 31]  # March 2024 .. January 2025
    history = [r * d for r, d in zip(rates, days, strict=True)]
    feb = series("cost", [*history, 2800], days=[*days, 28])
    assert last(feb)["anomaly"] is False
    assert last(series("cost", [*history, 2800], days=[*days, 31]))["anomaly"] is True
    assert last(series("cost", [*history, 4200], days=[*days, 28]))["anomaly"] is True


def test_cost_by_hand():
    # log(daily cost) of the history: mean m and sd s; the next value's t statistic is
    # (log(v/d) - m) / (s * sqrt(1 + 1/n)) with n - 1 degrees of freedom.
    daily = np.array([100, 110, 90, 105, 95, 100])
    cost = series("cost", [*(daily * 30), 150 * 31], days=[30] * 6 + [31])
    z = np.log(daily)
    t = (np.log(150) - z.mean()) / (z.std(ddof=1) * np.sqrt(1 + 1 / 6))
    result = last(cost)
    assert result["distribution"] == "log_t"
    assert result["p_value"] == pytest.approx(2 * stats.t.sf(t, 5))
    assert result["anomaly"] is (result["p_value"] < 0.004)


def test_log_scale_skips_zero_and_negative_values():
    hours = series("hours", [2.0, 0.0, 3.0, 2.5, -1.0, 2.0, 3.0, 2.5, 2.0, 40.0])
    tests = anomaly_tests(hours, models=MODELS)
    assert tests["judged"].tolist() == [False] * 8 + [True, True]  # 6 usable values before
    assert tests["history"].iloc[-1] == 7
    assert bool(tests["anomaly"].iloc[-1]) is True


def test_normal_score_has_a_floor_on_its_spread():
    flat = [0.3] * 8
    assert last(series("score", [*flat, 0.31]))["anomaly"] is False
    assert last(series("score", [*flat, 0.8]))["anomaly"] is True


def test_only_the_last_window_of_history_counts():
    # 30 quiet weeks then 30 busy ones: the busy level is the new normal after 24 weeks.
    values = [2] * 30 + [20] * 30
    tests = anomaly_tests(series("releases", values), models=MODELS)
    assert tests["history"].max() == 24
    assert bool(tests["anomaly"].iloc[30]) is True
    assert not tests["anomaly"].iloc[-6:].any()


def test_unknown_metric_or_model_is_an_error():
    with pytest.raises(ValueError, match="no anomaly model for \\['nope'\\]"):
        anomaly_tests(series("nope", [1.0]), models=MODELS)
    with pytest.raises(ValueError, match="unknown anomaly models \\['gamma'\\]"):
        anomaly_tests(series("nope", [1.0]), models={"nope": "gamma"})


def _mixed_series(seed: int = 3) -> pd.DataFrame:
    """64 series of every model: noise, nulls, over-dispersion and spikes."""
    rng = np.random.default_rng(seed)
    parts = []
    for i in range(64):
        metric = list(MODELS)[i % len(MODELS)]
        n = int(rng.integers(1, 40))
        days = rng.choice([28, 30, 31], n) if i % 3 == 0 else np.full(n, 7)
        values = {
            "releases": rng.negative_binomial(2, 0.3, n),
            "onboarding": rng.poisson(4, n),
            "share": rng.binomial(20, 0.3, n) / 20,
            "uptime": 1 - rng.exponential(0.001, n),
            "budget": 1 - rng.exponential(1, n),
            "cost": rng.lognormal(8, 0.2, n),
            "hours": rng.lognormal(1, 1, n) - 0.2,
            "score": rng.random(n),
        }[metric].astype(float)
        values[rng.random(n) < 0.1] = NAN
        if rng.random() < 0.3:
            values[-1] = values[0] * 5 + 3 if metric != "share" else 1.0
        parts.append(series(metric, values, days=days, sample_size=20, key=f"k{i % 13}"))
    frame = pd.concat(parts, ignore_index=True)
    return frame.sort_values(["metric", "scope", "scope_key", "granularity", "period_start"])


def test_many_series_at_once_equal_each_series_alone():
    frame = _mixed_series()
    together = anomaly_tests(frame, models=MODELS)
    keys = ["metric", "scope", "scope_key", "granularity"]
    followed = frame["metric"].isin(["uptime", "budget"])
    alone = pd.concat(
        [anomaly_tests(part, models=MODELS) for _, part in frame[~followed].groupby(keys)]
    ).reindex(frame.index[~followed])
    pd.testing.assert_frame_equal(together[~followed], alone, rtol=1e-9)
    assert 5 < int(together["anomaly"].sum()) < 60
    assert set(together["distribution"]) >= {"poisson", "negative_binomial", "log_t", "t"}


def test_beta_binomial_tails_equal_scipy_cdf():
    rng = np.random.default_rng(1)
    n = np.concatenate([rng.integers(1, 60, 400), np.full(50, 43200)]).astype(float)
    a = np.concatenate([rng.uniform(0.2, 30, 400), rng.uniform(10, 100, 50)])
    b = np.concatenate([rng.uniform(0.2, 300, 400), rng.uniform(1e4, 1e6, 50)])
    k = np.array([rng.integers(0, m + 1) for m in n[:400].astype(int)] + [0, 43200] * 25, float)
    d = stats.betabinom(n, a, b)
    above = k > d.mean()
    expected = np.minimum(1, 2 * np.where(above, d.sf(k - 1), d.cdf(k)))
    # scipy sums a tail of 43,200 terms as 1 - the rest: its tiny tails are only good to ~1e-9
    assert _beta_binomial_two_sided(k, n, a, b) == pytest.approx(expected, abs=1e-8)


def test_judging_only_some_rows_gives_those_rows_the_results_of_judging_all():
    """A since-recompute judges its new periods only (`only`); the earlier ones still serve as
    history, so the judged rows' results equal those of judging every row."""
    rng = np.random.default_rng(11)
    n = 60
    parts = [
        series("releases", rng.poisson(5, n)),
        series("onboarding", rng.poisson(2, n)),
        series("share", rng.uniform(0, 0.6, n), sample_size=rng.integers(1, 40, n)),
        series("uptime", 1 - rng.beta(0.3, 200, n)),  # over-dispersed: beta-binomial
        series("budget", rng.uniform(-1, 1, n)),
        series("cost", rng.lognormal(5, 0.4, n)),
        series("hours", rng.lognormal(2, 1.0, n)),
        series("score", rng.normal(0.3, 0.1, n)),
    ]
    frame = pd.concat(parts, ignore_index=True)
    only = (frame["period_start"] >= frame["period_start"].max() - timedelta(days=21)).to_numpy()
    every = anomaly_tests(frame, models=MODELS)
    some = anomaly_tests(frame, models=MODELS, only=only)
    pd.testing.assert_frame_equal(some[only], every[only])
    assert every.loc[only, "judged"].all() and not some.loc[~only, "judged"].any()
    assert set(every.loc[only, "distribution"]) >= {"beta_binomial", "as uptime", "poisson"}


def test_beta_binomial_tails_in_batches_equal_all_at_once(monkeypatch):
    """The beta-binomial tails are summed in batches of rows (bounded memory); each row's
    p-value is the same as with every row at once, to the last bit."""
    from apps.metrics import anomalies

    rng = np.random.default_rng(5)
    n = rng.integers(1, 5000, 300).astype(float)
    k = np.floor(n * rng.beta(0.5, 20, 300))
    a, b = rng.uniform(0.2, 5, 300), rng.uniform(5, 400, 300)
    whole = _beta_binomial_two_sided(k, n, a, b)
    monkeypatch.setattr(anomalies, "BETA_TERMS", 1000)  # many batches, some of one row
    np.testing.assert_array_equal(_beta_binomial_two_sided(k, n, a, b), whole)
