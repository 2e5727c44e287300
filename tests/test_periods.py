"""apps.core.periods: the vectorised `periods_of` places instants exactly as `period_of`."""

import numpy as np
import pandas as pd
import pytest

from apps.core.periods import period_of, periods_of


@pytest.mark.parametrize("tz", ["UTC", "America/New_York", "Asia/Kolkata", "Pacific/Auckland"])
@pytest.mark.parametrize("granularity", ["week", "month"])
def test_periods_of_matches_period_of(tz, granularity):
    rng = np.random.default_rng(0)
    instants = pd.Series(
        pd.to_datetime(rng.integers(1_500_000_000, 1_800_000_000, 5000), unit="s", utc=True)
    )
    instants[7] = pd.NaT
    expected = [
        None if pd.isna(t) else period_of(t.to_pydatetime(), granularity, tz) for t in instants
    ]
    assert periods_of(instants, granularity, tz).tolist() == expected


def test_periods_of_uses_the_local_date():
    # 2026-03-01 02:00 UTC is still Saturday 2026-02-28 in New York: February, and the week
    # starting Monday 2026-02-23.
    instants = pd.Series(pd.to_datetime(["2026-03-01T02:00:00Z"], utc=True))
    assert str(periods_of(instants, "month", "America/New_York")[0]) == "2026-02-01"
    assert str(periods_of(instants, "week", "America/New_York")[0]) == "2026-02-23"
    assert str(periods_of(instants, "month", "UTC")[0]) == "2026-03-01"


def test_periods_of_refuses_naive_instants():
    with pytest.raises(ValueError, match="naive"):
        periods_of(pd.Series(pd.to_datetime(["2026-01-01"])), "week")
