"""Anomalies of metric series: is a value outside the band its own series' history predicts?

Pure functions over a frame of many series (docs/metrics.md#anomaly explains the rule for
users; keep the two in step). Each metric is judged by the model its registry definition
names (`MetricDefinition.anomaly_model`):

- "poisson_per_day" / "poisson": a count (of events in the period, compared per day of it /
  of things present at its end): Poisson, or negative binomial when the history is
  over-dispersed;
- "binomial" / "binomial_minutes": a ratio of `sample_size` items / of the period's minutes
  (uptime: its down minutes): binomial, or beta-binomial when over-dispersed;
- "lognormal_per_day" / "lognormal": a positive amount (money per day of the period /
  durations, money per unit): normal on the log scale (Student t predictive band);
- "normal": a score or a value that can be zero or negative: Student t on the value;
- "as_uptime": flagged exactly when the same scope's `uptime` of the period is.

The history of a value is the (up to) `window` usable values of its series before it; with
fewer than `min_history` of them it is not judged. The distributions are scipy.stats'.
"""

from collections.abc import Mapping

import numpy as np
import pandas as pd
from scipy import stats

from apps.metrics.registry import ANOMALY_MODELS, SERIES_KEY

MIN_HISTORY = 6
WINDOW = 24
ALPHA = 0.004  # two-sided: a value is an anomaly when a tail beyond it is under ALPHA / 2
DISPERSION_P = 0.2  # a history over-dispersed at this level switches to the wider model
JEFFREYS = 0.5  # prior pseudo-count of the rate / share estimated from the history
LOG_SPREAD_FLOOR = 0.01  # the least spread on the log scale (about 1 %)
NORMAL_SPREAD_FLOOR = 0.01  # the least spread of a "normal" value (a point on a 0..1 score)
MINUTES_PER_DAY = 1440
LEADER = "uptime"  # the metric "as_uptime" follows

MODELS: tuple[str, ...] = ANOMALY_MODELS
RESULT_COLUMNS = ["anomaly", "judged", "history", "distribution", "p_value"]
BETA_TERMS = 2_000_000  # beta-binomial pmf terms evaluated at once (memory: ~16 bytes each ×6)


def anomaly_tests(
    series: pd.DataFrame,
    *,
    models: Mapping[str, str],
    window: int = WINDOW,
    min_history: int = MIN_HISTORY,
    alpha: float = ALPHA,
    dispersion_p: float = DISPERSION_P,
    only: np.ndarray | None = None,
) -> pd.DataFrame:
    """Judge every row of `series` against its own series' history (or only the rows of the
    boolean mask `only`: the others still serve as history, and are returned not judged; the
    judged rows' results are those of judging every row — a since-recompute judges its new
    periods only, not three years of stored ones).

    `series` has the columns metric, scope, scope_key, granularity, period_start, value
    (float, NaN = null or not to be judged, e.g. the current partial period), sample_size
    (int) and days (the period's length in days), sorted by series, then period_start.
    `models` maps each metric to its anomaly model; `window`, `min_history`, `alpha` (the
    two-sided level p-values are compared with) and `dispersion_p` are the rule's settings
    (the dispersion widening stays at ALPHA's band edge). Returns, on the same index:
    `anomaly` (bool), `judged` (bool: it had `min_history` usable values before it),
    `history` (how many it was judged on, at most `window`), `distribution` (the predictive
    distribution used: poisson, negative_binomial, binomial, beta_binomial, log_t, t, or
    "as uptime"), and `p_value` (twice the predictive tail beyond the value, on its side of
    the predictive mean, at most 1; NaN when not judged).
    Raises ValueError for a metric without a model or an unknown model.
    """
    if window < min_history:
        raise ValueError(f"window ({window}) must hold min_history ({min_history}) values")
    size = len(series)
    result = {
        "judged": np.zeros(size, bool),
        "history": np.zeros(size, int),
        "distribution": np.full(size, "", dtype=object),
        "p_value": np.full(size, np.nan),
    }
    model = _model_masks(series["metric"], models)
    groups = series.groupby(SERIES_KEY, sort=False).ngroup().to_numpy()
    for prepare, test in (
        (_poisson, _poisson_test),
        (_binomial, _binomial_test),
        (_gaussian, _gaussian_test),
    ):
        usable, columns = prepare(series, model)
        if usable.any():
            history = _history(groups[usable], window)
            judged = history >= min_history
            if only is not None:
                judged &= only[usable]
            p_value, distribution = test(
                columns, groups[usable], window, history, judged, dispersion_p
            )
            rows = np.flatnonzero(usable)
            result["history"][rows] = history
            result["judged"][rows] = judged
            result["p_value"][rows[judged]] = p_value
            result["distribution"][rows[judged]] = distribution
    result["anomaly"] = result["judged"] & (result["p_value"] < alpha)
    if model["as_uptime"].any():
        _as_uptime(series, result, model["as_uptime"])
    return pd.DataFrame(result, index=series.index)[RESULT_COLUMNS]


def _model_masks(metric: pd.Series, models: Mapping[str, str]) -> dict[str, np.ndarray]:
    """{model: which rows' metric has it} for every model; ValueError for a metric without
    a model or an unknown model."""
    codes, names = pd.factorize(metric)
    missing = sorted(str(m) for m in names if m not in models)
    if missing:
        raise ValueError(f"no anomaly model for {missing}")
    unknown = {models[m] for m in names} - set(MODELS)
    if unknown:
        raise ValueError(f"unknown anomaly models {sorted(unknown)}")
    return {
        model: np.isin(codes, [i for i, name in enumerate(names) if models[name] == model])
        for model in MODELS
    }


def _poisson(series: pd.DataFrame, model: dict) -> tuple[np.ndarray, pd.DataFrame]:
    """Count models: x (the count, rounded) and its exposure e (days, or 1 for "poisson")."""
    per_day = model["poisson_per_day"]
    usable = (per_day | model["poisson"]) & series["value"].ge(0).to_numpy()
    rows = series[usable]
    per_day = per_day[usable]
    x = np.rint(rows["value"].to_numpy(float))
    e = np.where(per_day, rows["days"].to_numpy(float), 1.0)
    return usable, pd.DataFrame({"x": x, "e": e, "xx": x * x / e})


def _binomial(series: pd.DataFrame, model: dict) -> tuple[np.ndarray, pd.DataFrame]:
    """Ratio models: k of n (k = value × sample_size; uptime: down minutes of the period's)."""
    minutes = model["binomial_minutes"]
    trials = np.where(
        minutes,
        np.rint(series["days"].to_numpy(float) * MINUTES_PER_DAY),
        series["sample_size"].to_numpy(float),
    )
    value = series["value"].clip(0.0, 1.0).to_numpy(float)
    usable = (minutes | model["binomial"]) & series["value"].notna().to_numpy() & (trials > 0)
    n = trials[usable]
    k = np.rint(np.where(minutes, 1.0 - value, value)[usable] * n)
    return usable, pd.DataFrame({"k": k, "n": n, "kk": k * k / n})


def _gaussian(series: pd.DataFrame, model: dict) -> tuple[np.ndarray, pd.DataFrame]:
    """Log-normal models (z = log of the value, per day for "lognormal_per_day"; positive
    values only) and the normal model (z = the value)."""
    value = series["value"].to_numpy(float)
    per_day = model["lognormal_per_day"]
    logged = per_day | model["lognormal"]
    usable = (logged & (value > 0)) | (model["normal"] & ~np.isnan(value))
    days = series["days"].to_numpy(float)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = np.where(logged, np.log(np.where(per_day, value / days, value)), value)[usable]
    return usable, pd.DataFrame({"z": z, "logged": logged[usable]})


def _window_sums(columns: pd.DataFrame, groups: np.ndarray, window: int) -> pd.DataFrame:
    """Per row, the sum of each column over the (up to) `window` rows before it in its group
    (cumulative sums and a shift: no loop over groups)."""
    total = columns.groupby(groups, sort=False).cumsum()
    dropped = total.groupby(groups, sort=False).shift(window + 1).fillna(0.0)
    return total - columns - dropped


def _history(ids: np.ndarray, window: int) -> np.ndarray:
    """How many values before each row of its group (`ids`) it is judged on: at most `window`."""
    return np.minimum(pd.Series(ids).groupby(ids, sort=False).cumcount().to_numpy(), window)


def _two_sided(distribution, x: np.ndarray) -> np.ndarray:
    """Twice the tail of the discrete `distribution` beyond x on x's side of its mean:
    P(X ≥ x) above the mean, else P(X ≤ x); at most 1."""
    upper = x > distribution.mean()
    tail = np.where(upper, distribution.sf(x - 1), distribution.cdf(x))
    return np.minimum(1.0, 2.0 * tail)


def _beta_binomial_two_sided(k, n, a, b) -> np.ndarray:
    """`_two_sided` of beta-binomial(n, a, b) at k, each tail a sum of scipy's pmf over a
    contiguous run of values, all rows in one call: scipy's own cdf of this distribution
    sums the same terms but one row at a time (~50 µs a row). A tail is summed directly or
    as 1 − its complement, whichever has fewer terms."""
    upper = k > n * a / (a + b)
    # The tail (upper: k..n, lower: 0..k) or its complement (upper: 0..k-1, lower: k+1..n).
    flip = np.where(upper, k < n - k + 1, n - k < k + 1)
    first = np.where(upper, np.where(flip, 0, k), np.where(flip, k + 1, 0))
    last = np.where(upper, np.where(flip, k - 1, n), np.where(flip, n, k))
    counts = (last - first + 1).astype(np.int64)
    sums = np.zeros(len(k))
    # Rows in batches of about BETA_TERMS terms: a tail can hold tens of thousands (an uptime
    # month's minutes), and every row's at once took a gigabyte. Each row's terms are summed
    # in the same order either way.
    ends = np.cumsum(counts)
    start = 0
    while start < len(k):
        base = ends[start - 1] if start else 0
        stop = max(start + 1, int(np.searchsorted(ends, base + BETA_TERMS, side="right")))
        part = counts[start:stop]
        row = np.repeat(np.arange(start, stop), part)
        offset = np.arange(part.sum()) - np.repeat(np.cumsum(part) - part, part)
        values = first[row] + offset
        pmf = stats.betabinom.pmf(values, n[row], a[row], b[row])
        sums[start:stop] = np.bincount(row - start, weights=pmf, minlength=stop - start)
        start = stop
    tail = np.where(flip, 1.0 - sums, sums)
    return np.minimum(1.0, 2.0 * np.clip(tail, 0.0, 1.0))


def _dispersed(pearson, history, level: float) -> tuple[np.ndarray, np.ndarray]:
    """(over-dispersed?, dispersion factor φ) of a history of m values with Pearson statistic
    X² = `pearson`: over-dispersed when X² exceeds the (1 − `level`) quantile of
    χ²(m − 1); φ = X² / (m − 1), widened by (t / z)² — the square of the Student t(m − 1) and
    normal quantiles at the band's edge (1 − ALPHA / 2) — because φ is itself estimated from
    m values, as a t band widens a normal one when the variance is estimated."""
    df = np.maximum(history - 1, 1)
    over = (history >= 2) & (stats.chi2.sf(pearson, df) < level)
    edge = 1.0 - ALPHA / 2
    distinct, where = np.unique(df, return_inverse=True)  # a few dozen: no quantile per row
    widening = ((stats.t.ppf(edge, distinct) / stats.norm.ppf(edge)) ** 2)[where]
    return over, pearson / df * widening


def _poisson_test(columns, ids, window, history, judged, level) -> tuple[np.ndarray, np.ndarray]:
    """Poisson: the rate λ = Σx / Σe of the history, with its estimation uncertainty (Jeffreys
    prior): the predictive count over exposure e is negative binomial
    NB(0.5 + Σx, Σe / (Σe + e)). Over-dispersed: NB with mean λe and variance
    φ·λe·(1 + e/Σe) (the history's dispersion, and the uncertainty of λ)."""
    sums = _window_sums(columns, ids, window)[judged]
    sx, se, sxx = (sums[c].to_numpy() for c in ("x", "e", "xx"))
    x, e = columns["x"].to_numpy()[judged], columns["e"].to_numpy()[judged]
    rate = sx / se
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(sx > 0, sxx / rate - sx, 0.0)
        over, phi = _dispersed(pearson, history[judged], level)
        mean = rate * e
        variance = phi * mean * (1.0 + e / se)
        size = np.where(over, mean * mean / (variance - mean), JEFFREYS + sx)
        prob = np.where(over, mean / variance, se / (se + e))
    p_value = _two_sided(stats.nbinom(size, prob), x)
    return p_value, np.where(over, "negative_binomial", "poisson")


def _binomial_test(columns, ids, window, history, judged, level) -> tuple[np.ndarray, np.ndarray]:
    """Binomial: the share p = Σk / Σn of the history, with its estimation uncertainty
    (Jeffreys prior): the predictive k of n is beta-binomial(n, 0.5 + Σk, 0.5 + Σn − Σk).
    Over-dispersed: beta-binomial with mean np and variance φ·np(1 − p)·(1 + n/Σn)."""
    sums = _window_sums(columns, ids, window)[judged]
    sk, sn, skk = (sums[c].to_numpy() for c in ("k", "n", "kk"))
    k, n = columns["k"].to_numpy()[judged], columns["n"].to_numpy()[judged]
    share = sk / sn
    spread = share * (1.0 - share)
    with np.errstate(divide="ignore", invalid="ignore"):
        pearson = np.where(spread > 0, (skk - share * sk) / spread, 0.0)
        over, phi = _dispersed(pearson, history[judged], level)
        factor = phi * (1.0 + n / sn)
        concentration = np.clip((n - factor) / (factor - 1.0), 1e-6, None)
        a = np.where(over, concentration * share, JEFFREYS + sk)
        b = np.where(over, concentration * (1.0 - share), JEFFREYS + sn - sk)
    p_value = _beta_binomial_two_sided(k, n, a, b)
    return p_value, np.where(over, "beta_binomial", "binomial")


def _gaussian_test(columns, ids, window, history, judged, level) -> tuple[np.ndarray, np.ndarray]:
    """Normal on z (the log of the value, or the value): the history's mean z̄ and standard
    deviation s (at least the floor), and a Student t band with m − 1 degrees of freedom and
    scale s·√(1 + 1/m) — the predictive distribution of one more normal value."""
    z = columns["z"].to_numpy()
    first = pd.Series(z).groupby(ids, sort=False).transform("first").to_numpy()
    centred = z - first  # keeps the sums of squares small: no cancellation
    frame = pd.DataFrame({"z": centred, "zz": centred * centred})
    sums = _window_sums(frame, ids, window)[judged]
    sz, szz = sums["z"].to_numpy(), sums["zz"].to_numpy()
    m = history[judged]
    mean = sz / m
    variance = np.maximum(szz - m * mean * mean, 0.0) / (m - 1)
    logged = columns["logged"].to_numpy()[judged]
    floor = np.where(logged, LOG_SPREAD_FLOOR, NORMAL_SPREAD_FLOOR)
    scale = np.maximum(np.sqrt(variance), floor) * np.sqrt(1.0 + 1.0 / m)
    t = (centred[judged] - mean) / scale
    p_value = 2.0 * stats.t.sf(np.abs(t), m - 1)
    return p_value, np.where(logged, "log_t", "t")


def _as_uptime(series: pd.DataFrame, result: dict, follower: np.ndarray) -> None:
    """The follower rows take `anomaly` and `judged` from the `uptime` row of the same scope,
    key, granularity and period (not judged when there is none)."""
    key = ["scope", "scope_key", "granularity", "period_start"]
    leader = (series["metric"] == LEADER).to_numpy()
    flags = series.loc[leader, key].assign(
        anomaly=result["anomaly"][leader], judged=result["judged"][leader]
    )
    mine = series.loc[follower, key].merge(flags, on=key, how="left")
    judged = mine["judged"].fillna(False).astype(bool).to_numpy()
    result["anomaly"][follower] = mine["anomaly"].fillna(False).astype(bool).to_numpy()
    result["judged"][follower] = judged
    result["distribution"][follower] = np.where(judged, "as uptime", "")
