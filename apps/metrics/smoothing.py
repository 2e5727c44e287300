"""Smoothing and anomalies of one metric series (spec §1: `smoothed`, `anomaly`).

Pure functions over a pandas Series of floats ordered by period (NaN = null value). The rule
is explained for users in docs/metrics-smoothing.md; keep the two in step.
"""

import numpy as np
import pandas as pd

DEFAULT_HALF_LIFE = 3.0
MIN_HISTORY = 6
BAND_STDS = 3.0
RELATIVE_FLOOR = 0.1
ABSOLUTE_FLOOR = 1e-9


def series_smooth(values: pd.Series, *, half_life: float = DEFAULT_HALF_LIFE) -> pd.Series:
    """Exponentially weighted moving average of `values`, half-life `half_life` periods.

    A value `k` periods back weighs `0.5 ** (k / half_life)` relative to the newest one
    (pandas `ewm(halflife=..., adjust=True, ignore_na=True)`: weights are normalised, so the
    first point is its own average). Null values are skipped, not treated as zero: a null
    period's smoothed value carries the last smoothed value forward; periods before the first
    non-null value stay null. Returns a float Series on the same index.

    Example, half_life=1: [1, 2, NaN, 4] -> [1, 5/3, 5/3, 3].
    """
    if half_life <= 0:
        raise ValueError(f"half_life must be positive, got {half_life}")
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    return numeric.ewm(halflife=half_life, ignore_na=True).mean()


def series_anomalies(
    values: pd.Series,
    *,
    half_life: float = DEFAULT_HALF_LIFE,
    min_history: int = MIN_HISTORY,
    band_stds: float = BAND_STDS,
    relative_floor: float = RELATIVE_FLOOR,
) -> pd.Series:
    """Flag the values that fall outside the band the series' own history predicts.

    For each non-null value `v` with at least `min_history` non-null values before it, let
    `expected` and `spread` be the exponentially weighted mean and standard deviation (same
    half-life as `series_smooth`) of those earlier values only, and `scale` the plain mean of
    their absolute values. `v` is an anomaly when

        |v - expected| > max(band_stds * spread, relative_floor * scale, 1e-9)

    The floor keeps a perfectly flat history (spread 0) from flagging rounding noise or a
    change smaller than 10 % of the series' usual size. Null values, and values with too
    little history, are never anomalies; pass the current partial period as NaN so it is not
    judged either. Returns a bool Series on the same index.
    """
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    known = numeric.dropna()
    ewm = known.ewm(halflife=half_life, ignore_na=True)
    expected = ewm.mean().shift(1)
    spread = ewm.std().shift(1).fillna(0.0)
    scale = known.abs().expanding().mean().shift(1)
    history = pd.Series(np.arange(len(known)), index=known.index)
    band = np.maximum(band_stds * spread, relative_floor * scale).clip(lower=ABSOLUTE_FLOOR)
    flagged = (history >= min_history) & ((known - expected).abs() > band)
    return flagged.reindex(numeric.index, fill_value=False).astype(bool)


def _by_group(grouped, index: pd.Index, how: str, half_life: float) -> pd.Series:
    """An EWM statistic ("mean" or "std") of each group of a SeriesGroupBy (pandas' grouped
    EWM, one pass in C), on `index`."""
    stat = getattr(grouped.ewm(halflife=half_life, ignore_na=True), how)()
    return stat.droplevel(list(range(stat.index.nlevels - 1))).reindex(index)


def grouped_smooth(
    values: pd.Series, keys: list[pd.Series], *, half_life: float = DEFAULT_HALF_LIFE
) -> pd.Series:
    """`series_smooth` of every series at once: `values` holds many series, each identified by
    its `keys` and ordered by period within it. Same result as applying `series_smooth` to each
    group (pandas' grouped EWM); one pass instead of a Python call per series."""
    if half_life <= 0:
        raise ValueError(f"half_life must be positive, got {half_life}")
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    if numeric.empty:
        return numeric
    return _by_group(numeric.groupby(keys, sort=False), numeric.index, "mean", half_life)


def grouped_anomalies(
    values: pd.Series,
    keys: list[pd.Series],
    *,
    half_life: float = DEFAULT_HALF_LIFE,
    min_history: int = MIN_HISTORY,
    band_stds: float = BAND_STDS,
    relative_floor: float = RELATIVE_FLOOR,
) -> pd.Series:
    """`series_anomalies` of every series at once (see `grouped_smooth` for the shape): the same
    rule, computed with grouped EWM, shifts and cumulative sums instead of a call per series."""
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    mask = numeric.notna()
    known = numeric[mask]
    if known.empty:
        return pd.Series(False, index=numeric.index)
    known_keys = [k[mask] for k in keys]
    grouped = known.groupby(known_keys, sort=False)
    expected = _by_group(grouped, known.index, "mean", half_life)
    expected = expected.groupby(known_keys, sort=False).shift(1)
    spread = _by_group(grouped, known.index, "std", half_life)
    spread = spread.groupby(known_keys, sort=False).shift(1)
    history = grouped.cumcount()
    absolute = known.abs().groupby(known_keys, sort=False)
    scale = (absolute.cumsum() - known.abs()) / history.where(history > 0)
    band = np.maximum(band_stds * spread.fillna(0.0), relative_floor * scale)
    band = band.clip(lower=ABSOLUTE_FLOOR)
    flagged = (history >= min_history) & ((known - expected).abs() > band)
    return flagged.reindex(numeric.index, fill_value=False).astype(bool)
