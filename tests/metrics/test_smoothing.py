import math

import pandas as pd
import pytest

from apps.metrics.smoothing import series_anomalies, series_smooth

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


def test_spike_is_an_anomaly():
    values = pd.Series([10.0, 11, 9, 10, 12, 10, 9, 11, 40])
    assert series_anomalies(values).tolist() == [False] * 8 + [True]


def test_drop_is_an_anomaly_too():
    values = pd.Series([10.0, 11, 9, 10, 12, 10, 9, 11, 0])
    assert series_anomalies(values).tolist()[-1] is True


def test_flat_series_has_no_anomaly():
    assert not series_anomalies(pd.Series([5.0] * 12)).any()


def test_flat_series_floor_is_ten_percent_of_its_size():
    assert series_anomalies(pd.Series([5.0] * 6 + [5.4])).tolist()[-1] is False
    assert series_anomalies(pd.Series([5.0] * 6 + [5.6])).tolist()[-1] is True


def test_needs_six_prior_values():
    assert not series_anomalies(pd.Series([10.0] * 5 + [100.0])).any()


def test_nulls_are_skipped_and_never_flagged():
    flags = series_anomalies(pd.Series([10.0, NAN, 10, 10, 10, 10, 10, NAN, 30]))
    assert flags.tolist() == [False] * 8 + [True]


def test_anomalies_keep_the_index():
    values = pd.Series([1.0] * 7, index=list("abcdefg"))
    assert series_anomalies(values).index.tolist() == list("abcdefg")


def _many_series() -> pd.DataFrame:
    """300 series of 1..39 values: noise, nulls, flat runs and spikes, shuffled then sorted."""
    import numpy as np

    rng = np.random.default_rng(1)
    rows = []
    for g in range(300):
        n = int(rng.integers(1, 40))
        values = rng.normal(10, 3, n)
        values[rng.random(n) < 0.15] = NAN
        if rng.random() < 0.1:
            values[:] = 5.0
        if rng.random() < 0.3:
            values[-1] = 40.0
        rows += [(f"m{g % 7}", f"k{g}", i, v) for i, v in enumerate(values)]
    frame = pd.DataFrame(rows, columns=["metric", "key", "period", "value"])
    return frame.sample(frac=1, random_state=2).sort_values(
        ["metric", "key", "period"], kind="stable", ignore_index=True
    )


def test_grouped_versions_equal_the_per_series_rule():
    from apps.metrics.smoothing import grouped_anomalies, grouped_smooth

    frame = _many_series()
    keys = [frame["metric"], frame["key"]]
    by_series = frame["value"].groupby(keys, sort=False)
    expected_smooth = by_series.transform(lambda s: series_smooth(s, half_life=3))
    expected_flags = by_series.transform(lambda s: series_anomalies(s, half_life=3)).astype(bool)
    smoothed = grouped_smooth(frame["value"], keys, half_life=3)
    flags = grouped_anomalies(frame["value"], keys, half_life=3)
    pd.testing.assert_series_equal(smoothed, expected_smooth, check_names=False, rtol=1e-12)
    assert flags.tolist() == expected_flags.tolist()
    assert 100 < int(flags.sum()) < 200  # the spikes are flagged, the noise mostly not
