"""apps.metrics.frames.teams_filled: the organisation's periods for every configured team."""

import math
from datetime import date

import pandas as pd

from apps.metrics.frames import NO_TEAM_DATA, teams_filled
from apps.metrics.registry import FRAME_COLUMNS, MetricDefinition

COUNT = MetricDefinition("things", "things", "", ("org", "team"), "count", "things")
RATIO = MetricDefinition("share", "ratio", "", ("org", "team"), "ratio", "share")
ORG_ONLY = MetricDefinition("total", "things", "", ("org",), "count", "total")
DEFS = {d.name: d for d in (COUNT, RATIO, ORG_ONLY)}
JAN, FEB, MAR = date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)


def frame(*rows) -> pd.DataFrame:
    return pd.DataFrame(list(rows), columns=list(FRAME_COLUMNS))


def test_a_team_starting_later_gets_the_organisations_earlier_periods() -> None:
    rows = frame(
        *[("things", "org", "", "month", d, 4.0, 4, "") for d in (JAN, FEB, MAR)],
        *[("share", "org", "", "month", d, 0.5, 4, "") for d in (JAN, FEB, MAR)],
        ("total", "org", "", "month", JAN, 1.0, 1, ""),
        ("things", "team", "late", "month", MAR, 2.0, 2, ""),
        ("share", "team", "late", "month", MAR, 1.0, 2, ""),
    )

    out = teams_filled(rows, teams=["late", "new"], definitions=DEFS)

    got = {
        (r.metric, r.scope_key, r.period_start): (r.value, r.sample_size, r.note)
        for r in out[out["scope"] == "team"].itertuples()
    }
    assert got[("things", "late", MAR)] == (2.0, 2, "")  # computed rows are kept
    assert got[("things", "late", JAN)] == (0.0, 0, "")
    assert got[("things", "new", FEB)] == (0.0, 0, "")
    value, size, note = got[("share", "late", FEB)]
    assert math.isnan(value) and (size, note) == (0, NO_TEAM_DATA)
    assert len(got) == 12 and not any(m == "total" for m, _, _ in got)


def test_nothing_to_fill_without_teams_or_org_rows() -> None:
    rows = frame(("things", "team", "a", "month", JAN, 1.0, 1, ""))
    assert teams_filled(rows, teams=["a", "b"], definitions=DEFS) is rows
    assert teams_filled(frame(), teams=["a"], definitions=DEFS).empty
