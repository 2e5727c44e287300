"""Hand-computed pieces of the dashboard: tiles, sparklines, formatting, records, the chart."""

from datetime import date

import pandas as pd

from apps.dashboard.charts import figure_build
from apps.dashboard.records import records_table, upstream_label
from apps.dashboard.tiles import Tile, sparkline, tile_summarise

NAN = float("nan")
TODAY = date(2026, 11, 22)


def series(rows: list[tuple]) -> pd.DataFrame:
    """rows: (period_start, period_end, value, smoothed, anomaly, note)."""
    return pd.DataFrame(
        rows, columns=["period_start", "period_end", "value", "smoothed", "anomaly", "note"]
    )


MONTHS = series(
    [
        (date(2026, 11, 1), date(2026, 12, 1), 1.0, 6.0, False, "partial period: to 2026-11-22"),
        (date(2026, 8, 1), date(2026, 9, 1), 4.0, 4.0, False, ""),
        (date(2026, 10, 1), date(2026, 11, 1), 9.0, 7.0, True, ""),
        (date(2026, 9, 1), date(2026, 10, 1), 6.0, 5.0, False, ""),
    ]
)


def test_tile_takes_latest_complete_month_and_compares() -> None:
    tile = tile_summarise(MONTHS, today=TODAY)
    # November ends 2026-12-01 > today: partial, skipped. October is the latest complete:
    # change = 9 - 6 = 3, pct = 3 / 6 = 0.5, vs smoothed = 9 - 7 = 2.
    assert (tile.period_start, tile.value, tile.previous) == (date(2026, 10, 1), 9.0, 6.0)
    assert (tile.change, tile.change_pct, tile.vs_smoothed) == (3.0, 0.5, 2.0)
    assert tile.anomaly is True
    assert [v for _, v, _ in tile.spark] == [4.0, 6.0, 9.0]


def test_tile_of_a_null_month_keeps_its_note_and_no_change() -> None:
    frame = series(
        [
            (date(2026, 9, 1), date(2026, 10, 1), 2.0, 2.0, False, ""),
            (date(2026, 10, 1), date(2026, 11, 1), NAN, 2.0, False, "no releases in period"),
        ]
    )
    tile = tile_summarise(frame, today=TODAY)
    assert (tile.value, tile.previous, tile.change, tile.vs_smoothed) == (None, 2.0, None, None)
    assert tile.note == "no releases in period"


def test_tile_of_no_rows_or_only_a_partial_month_is_empty() -> None:
    assert tile_summarise(series([]), today=TODAY) == Tile()
    assert tile_summarise(MONTHS.iloc[:1], today=TODAY) == Tile()


def test_change_pct_is_none_on_a_zero_previous() -> None:
    frame = series(
        [
            (date(2026, 9, 1), date(2026, 10, 1), 0.0, 0.0, False, ""),
            (date(2026, 10, 1), date(2026, 11, 1), 3.0, 1.0, False, ""),
        ]
    )
    tile = tile_summarise(frame, today=TODAY)
    assert (tile.change, tile.change_pct) == (3.0, None)


def test_sparkline_geometry_breaks_at_nulls() -> None:
    line = sparkline(
        [
            (date(2026, 8, 1), 1.0, False),
            (date(2026, 9, 1), None, False),
            (date(2026, 10, 1), 3.0, True),
        ]
    )
    # Box 120 x 32, pad 3: step = (120 - 6) / 2 = 57; y from 29 (min 1) to 3 (max 3).
    # The null in the middle splits the line into two one-point segments.
    assert line.lines == ["3.0,29.0", "117.0,3.0"]
    assert line.dots == [(3.0, 29.0), (117.0, 3.0)]
    assert line.anomalies == [(117.0, 3.0)]
    # A flat series sits in the middle: y = 3 + 26 * 0.5 = 16.
    assert sparkline([(date(2026, 9, 1), 5.0, False)]).dots == [(3.0, 16.0)]
    assert sparkline([(date(2026, 9, 1), None, False)]).lines == []


def test_records_table_columns_and_upstream_links() -> None:
    table = records_table(
        [
            {
                "ref": "API-1",
                "bug": True,
                "points": 2.5,
                "url": "https://acme.atlassian.net/browse/API-1",
            },
            {
                "ref": "acme/api#3",
                "bug": False,
                "extra": ["a"],
                "url": "https://github.com/acme/api/pull/3",
            },
            {"ref": "Q1", "url": ""},
        ]
    )
    assert table.columns == ["ref", "bug", "points", "extra"]
    assert table.rows[0] == (
        ["API-1", "yes", "2.5", ""],
        "https://acme.atlassian.net/browse/API-1",
        "Jira",
    )
    assert table.rows[1][0] == ["acme/api#3", "no", "", '["a"]']
    assert table.rows[1][2] == "GitHub"
    assert table.rows[2][1:] == ("", "")
    assert upstream_label("https://acme.pagerduty.com/incidents/Q1") == "PagerDuty"


def test_figure_has_values_smoothed_and_anomalies_with_gaps_for_nulls() -> None:
    frame = series(
        [
            (date(2026, 9, 1), date(2026, 10, 1), NAN, 5.0, False, "none"),
            (date(2026, 10, 1), date(2026, 11, 1), 0.9, 0.8, True, ""),
        ]
    )
    figure = figure_build(
        frame,
        metric="uptime",
        unit_label="ratio",
        percent=True,
        from_zero=False,
        selected="2026-10-01",
    )
    values, smoothed, anomalies = figure["data"]
    assert values["x"] == ["2026-09-01", "2026-10-01"] and values["y"] == [None, 0.9]
    assert values["customdata"] == ["2026-09-01", "2026-10-01"]
    assert smoothed["y"] == [5.0, 0.8]
    assert (anomalies["x"], anomalies["y"]) == (["2026-10-01"], [0.9])
    assert "%{y:.2%}" in values["hovertemplate"]
    assert figure["layout"]["yaxis"]["tickformat"] == ".1%"
    assert figure["layout"]["shapes"][0]["x0"] == "2026-10-01"
