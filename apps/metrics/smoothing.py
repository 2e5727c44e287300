"""The `smoothed` trend of metric series: an exponentially weighted moving average (EWMA).

Pure functions over pandas Series of floats ordered by period (NaN = null value). The rule is
explained for users in docs/metrics.md#smoothed; keep the two in step. Anomalies are judged in
apps.metrics.anomalies.
"""

import pandas as pd

DEFAULT_HALF_LIFE = 3.0


def series_smooth(
    values: pd.Series, *, half_life: float = DEFAULT_HALF_LIFE, weights: pd.Series | None = None
) -> pd.Series:
    """Exponentially weighted moving average of `values`, half-life `half_life` periods.

    A value `k` periods back weighs `0.5 ** (k / half_life)` relative to the newest one
    (pandas `ewm(halflife=..., adjust=True, ignore_na=True)`: weights are normalised, so the
    first point is its own average). Null values are skipped, not treated as zero: a null
    period's smoothed value carries the last smoothed value forward; periods before the first
    non-null value stay null. With `weights` (a ratio's denominators, e.g. its sample_size),
    each value also weighs its own weight: the result is EWMA(value × weight) / EWMA(weight),
    the EWMA of the numerator over the EWMA of the denominator. Returns a float Series on
    the same index.

    Example, half_life=1: [1, 2, NaN, 4] -> [1, 5/3, 5/3, 3]; with weights [1, 3, 1, 1]:
    [1, (3·2 + ½·1) / (3 + ½) = 13/7, 13/7, (4 + ½·6 + ¼·1) / (1 + ½·3 + ¼·1) = 29/11].
    """
    return grouped_smooth(values, [], half_life=half_life, weights=weights)


def grouped_smooth(
    values: pd.Series,
    keys: list[pd.Series],
    *,
    half_life: float = DEFAULT_HALF_LIFE,
    weights: pd.Series | None = None,
) -> pd.Series:
    """`series_smooth` of every series at once: `values` (and `weights`) hold many series, each
    identified by its `keys` (none: one series) and ordered by period within it. One grouped
    EWM pass (pandas) instead of a Python call per series."""
    if half_life <= 0:
        raise ValueError(f"half_life must be positive, got {half_life}")
    numeric = pd.to_numeric(values, errors="coerce").astype(float)
    if numeric.empty:
        return numeric
    known = numeric.notna()
    weight = (
        pd.Series(1.0, index=numeric.index)
        if weights is None
        else pd.to_numeric(weights, errors="coerce").astype(float).fillna(0.0)
    )
    parts = pd.DataFrame(
        {"num": (numeric * weight).where(known), "den": weight.where(known)}, index=numeric.index
    )
    grouped = parts.groupby(keys, sort=False) if keys else parts
    ewm = grouped.ewm(halflife=half_life, ignore_na=True).mean()
    if keys:
        ewm = ewm.droplevel(list(range(ewm.index.nlevels - 1))).reindex(numeric.index)
    smoothed = ewm["num"] if weights is None else ewm["num"] / ewm["den"].where(ewm["den"] > 0)
    return smoothed.rename(numeric.name)
