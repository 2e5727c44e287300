"""apps.core.periods: the vectorised `periods_of` places instants exactly as `period_of`."""

from datetime import date

import numpy as np
import pandas as pd
import pytest

from apps.core.periods import as_granularity, next_period_start, period_of, periods_of


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


def test_a_granularity_read_as_text_is_checked():
    assert as_granularity("week") == "week" and as_granularity("month") == "month"
    with pytest.raises(ValueError, match="unknown granularity 'weeks'"):
        as_granularity("weeks")


def test_the_next_period_refuses_an_unknown_granularity():
    """It once treated anything but "week" as a month."""
    assert next_period_start(date(2026, 12, 1), "month") == date(2027, 1, 1)
    with pytest.raises(ValueError, match="unknown granularity"):
        next_period_start(date(2026, 12, 1), "day")  # type: ignore[arg-type]
