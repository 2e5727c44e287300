import math

import pandas as pd
import pytest

from apps.metrics.smoothing import series_smooth

NAN = float("nan")


def test_smooth_half_life_one_by_hand():
    # Weights 1, 1/2, 1/4 for the newest, previous, ... value; the NaN is skipped.
    smoothed = series_smooth(pd.Series([1.0, 2.0, NAN, 4.0]), half_life=1)
    assert smoothed.tolist() == pytest.approx([1.0, 5 / 3, 5 / 3, 3.0])


def test_smooth_default_half_life_three():
    r = 0.5 ** (1 / 3)  # the weight of a value one period older
    smoothed = series_smooth(pd.Series([2.0, 4.0, 6.0]))
    assert smoothed.tolist() == pytest.approx(
        [2.0, (4 + 2 * r) / (1 + r), (6 + 4 * r + 2 * r * r) / (1 + r + r * r)]
    )


def test_smooth_leading_nulls_stay_null():
    smoothed = series_smooth(pd.Series([NAN, NAN, 3.0, NAN]))
    assert math.isnan(smoothed[0]) and math.isnan(smoothed[1])
    assert smoothed[2:].tolist() == [3.0, 3.0]


def test_smooth_rejects_non_positive_half_life():
    with pytest.raises(ValueError, match="half_life"):
        series_smooth(pd.Series([1.0]), half_life=0)


def test_ratio_smoothing_is_ewma_of_numerator_over_ewma_of_denominator():
    # half_life 1: weights 1, 1/2, 1/4, ... A share of 1.0 on one item after 0.2 on 30 items
    # moves the trend from 0.2 to (1 + ½·6) / (1 + ½·30) = 0.25, not to (1 + ½·0.2) / 1.5.
    shares, items = pd.Series([0.2, 1.0]), pd.Series([30, 1])
    smoothed = series_smooth(shares, half_life=1, weights=items)
    assert smoothed.tolist() == pytest.approx([0.2, 4 / 16])
    assert series_smooth(shares, half_life=1).tolist() == pytest.approx([0.2, 1.1 / 1.5])


def test_ratio_smoothing_by_hand_with_a_null():
    smoothed = series_smooth(
        pd.Series([1.0, 2.0, NAN, 4.0]), half_life=1, weights=pd.Series([1, 3, 0, 1])
    )
    assert smoothed.tolist() == pytest.approx([1.0, 13 / 7, 13 / 7, 29 / 11])


def test_ratio_smoothing_of_equal_weights_is_the_plain_trend():
    values = pd.Series([0.5, 0.25, NAN, 0.75, 1.0])
    weighted = series_smooth(values, weights=pd.Series([4.0] * 5))
    pd.testing.assert_series_equal(weighted, series_smooth(values), rtol=1e-12)


def _many_series() -> pd.DataFrame:
    """300 series of 1..39 values and weights: noise, nulls, zero weights, shuffled then
    sorted."""
    import numpy as np

    rng = np.random.default_rng(1)
    rows = []
    for g in range(300):
        n = int(rng.integers(1, 40))
        values = rng.normal(10, 3, n)
        values[rng.random(n) < 0.15] = NAN
        weights = rng.integers(0, 30, n)
        rows += [
            (f"m{g % 7}", f"k{g}", i, v, w)
            for i, (v, w) in enumerate(zip(values, weights, strict=True))
        ]
    frame = pd.DataFrame(rows, columns=["metric", "key", "period", "value", "weight"])
    return frame.sample(frac=1, random_state=2).sort_values(
        ["metric", "key", "period"], kind="stable", ignore_index=True
    )


def test_grouped_smoothing_equals_the_per_series_rule():
    from apps.metrics.smoothing import grouped_smooth

    frame = _many_series()
    keys = [frame["metric"], frame["key"]]
    plain = (
        frame["value"].groupby(keys, sort=False).transform(lambda s: series_smooth(s, half_life=3))
    )
    weighted = frame.groupby(["metric", "key"], sort=False, group_keys=False).apply(
        lambda g: series_smooth(g["value"], half_life=3, weights=g["weight"])
    )
    smoothed = grouped_smooth(frame["value"], keys, half_life=3)
    pd.testing.assert_series_equal(smoothed, plain, check_names=False, rtol=1e-12)
    smoothed = grouped_smooth(frame["value"], keys, half_life=3, weights=frame["weight"])
    pd.testing.assert_series_equal(
        smoothed, weighted.reindex(frame.index), check_names=False, rtol=1e-12
    )
