"""Hand-computed pieces of the dashboard: tiles, sparklines, formatting, records, the chart."""

from datetime import date

import pandas as pd

from apps.dashboard.charts import ChartSpec, figure_build
from apps.dashboard.records import Cell, records_table, upstream_label
from apps.dashboard.tiles import Tile, sparkline, tile_summarise
from apps.metrics.registry import MetricDefinition

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
    # Only the running month: no headline, but the month to date is kept apart.
    assert tile_summarise(MONTHS.iloc[:1], today=TODAY) == Tile(partial=(date(2026, 11, 1), 1.0))


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
    # Box 200 x 36, pad 4: step = (200 - 8) / 2 = 96; y from 32 (min 1) to 4 (max 3).
    # The null in the middle splits the line into two one-point segments.
    assert line.lines == ["4.0,32.0", "196.0,4.0"]
    assert line.dots == [(4.0, 32.0), (196.0, 4.0)]
    assert line.anomalies == [(196.0, 4.0)]
    assert line.partial is None and line.partial_line == ""
    # A flat series sits in the middle: y = 4 + 28 * 0.5 = 18.
    assert sparkline([(date(2026, 9, 1), 5.0, False)]).dots == [(4.0, 18.0)]
    assert sparkline([(date(2026, 9, 1), None, False)]).lines == []


def test_sparkline_draws_the_running_month_apart() -> None:
    line = sparkline([(date(2026, 9, 1), 2.0, False), (date(2026, 10, 1), 4.0, False)], 1.0)
    # Three x positions (two months + to date): step 96. y from 32 (min 1) to 4 (max 4):
    # 2 → 32 - 28/3 = 22.7, 4 → 4, 1 → 32. The solid line stops at October; a dotted
    # segment joins it to the hollow point of the month to date.
    assert line.lines == ["4.0,22.7 100.0,4.0"]
    assert line.partial == (196.0, 32.0)
    assert line.partial_line == "100.0,4.0 196.0,32.0"


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
    assert table.columns == [
        ("ref", "Ref"),
        ("bug", "Bug"),
        ("points", "Points"),
        ("extra", "Extra"),
    ]
    # Without a title, the first column links upstream.
    assert table.rows[0] == (
        [
            Cell("API-1", "https://acme.atlassian.net/browse/API-1"),
            Cell("yes"),
            Cell("2.5"),
            Cell(""),
        ],
        "https://acme.atlassian.net/browse/API-1",
        "Jira",
    )
    assert [c.text for c in table.rows[1][0]] == ["acme/api#3", "no", "", '["a"]']
    assert table.rows[1][2] == "GitHub"
    assert table.rows[2][1:] == ("", "")
    assert upstream_label("https://acme.pagerduty.com/incidents/Q1") == "PagerDuty"


UPTIME = MetricDefinition(
    "uptime", "ratio", "", ("org",), "ratio", "uptime", label="Uptime", better="up"
)


def test_figure_has_values_smoothed_and_anomalies_with_gaps_for_nulls() -> None:
    frame = series(
        [
            (date(2026, 9, 1), date(2026, 10, 1), NAN, 5.0, False, "none"),
            (date(2026, 10, 1), date(2026, 11, 1), 0.9, 0.8, True, ""),
        ]
    )
    spec = ChartSpec.of(UPTIME, currency="USD", granularity="month")
    figure = figure_build(frame, spec=spec, today=TODAY, selected="2026-10-01")
    values, smoothed, anomalies = figure["data"]
    assert values["name"] == "Uptime"
    assert values["x"] == ["2026-09-01", "2026-10-01"] and values["y"] == [None, 0.9]
    assert values["customdata"] == ["2026-09-01", "2026-10-01"]
    assert smoothed["y"] == [5.0, 0.8]
    assert (anomalies["x"], anomalies["y"]) == (["2026-10-01"], [0.9])
    assert anomalies["marker"]["symbol"] == "diamond-open"  # a shape, not a colour alone
    assert "%{y:.2%}" in values["hovertemplate"] and "%{x|%b %Y}" in values["hovertemplate"]
    assert figure["layout"]["yaxis"]["tickformat"] == ".1~%"
    assert figure["layout"]["yaxis"]["automargin"] is True
    assert figure["layout"]["shapes"][0]["x0"] == "2026-10-01"


def test_figure_draws_the_running_period_dotted_hollow_and_labelled() -> None:
    spec = ChartSpec.of(UPTIME, currency="USD", granularity="month")
    figure = figure_build(MONTHS, spec=spec, today=TODAY)
    values, _, _, segment, point = figure["data"]
    # The solid line ends at October; November (running on 2026-11-22) is apart.
    assert values["x"][-1] == "2026-10-01" and "2026-11-01" not in values["x"]
    assert segment["x"] == ["2026-10-01", "2026-11-01"] and segment["y"] == [9.0, 1.0]
    assert segment["line"]["dash"] == "dot"
    assert point["marker"]["symbol"] == "circle-open" and point["text"] == ["to date"]
    assert point["hovertemplate"].startswith("%{x|%b %Y} to date")


def test_records_table_titles_link_and_cost_lines_read_as_finops() -> None:
    table = records_table(
        [
            {
                "kind": "incident",
                "id": "Q1",
                "title": "",
                "service": "PAPI001",
                "service_name": "api",
                "created_at": "2026-11-03T09:15:00+00:00",
                "resolved_at": None,
                "url": "javascript:alert(1)",
            }
        ]
    )
    # One kind: no Kind column; the id stays an API/CSV field; an empty title shows the ref.
    assert [h for _, h in table.columns] == [
        "Incident",
        "Title",
        "Service",
        "Created (UTC)",
        "Resolved (UTC)",
    ]
    assert table.rows[0][0] == [
        Cell("Q1"),
        Cell(""),
        Cell("api"),
        Cell("2026-11-03 09:15"),
        Cell("—"),
    ]
    cost = records_table(
        [
            {
                "kind": "cost_line",
                "date": "2026-11-03",
                "service": "Amazon EC2",
                "category": "Compute",
                "account": "111",
                "team": "",
                "resource": "i-1",
                "amount": 1234.5678,
                "currency": "EUR",
                "charge_category": "Usage",
                "line_cost": 2469.1356,
                "import": 4,
                "source_row": 17,
            }
        ],
        currency="USD",
    )
    assert [h for _, h in cost.columns] == [
        "Date",
        "Service",
        "Category",
        "Account",
        "Team",
        "Resource",
        "Amount in period",
        "Charge",
    ]
    assert [c.text for c in cost.rows[0][0]] == [
        "2026-11-03",
        "Amazon EC2",
        "Compute",
        "111",
        "—",
        "i-1",
        "€1,235",
        "Usage",
    ]
