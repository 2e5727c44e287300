"""DORA performance bands (docs/metrics.md#dora-performance-bands): the DORA 2024 report's
levels as limits, placed by `band_of`, and shown on tiles."""

from datetime import date

import pytest

from apps.dashboard.selectors import band_text
from apps.dashboard.tiles import Tile
from apps.metrics.registry import band_of, definition


@pytest.mark.parametrize(
    ("metric", "value", "days", "band"),
    [
        ("lead_time_for_changes_hours", 23.9, None, "elite"),
        ("lead_time_for_changes_hours", 24.0, None, "elite"),
        ("lead_time_for_changes_hours", 100.0, None, "high"),
        ("lead_time_for_changes_hours", 400.0, None, "medium"),
        ("lead_time_for_changes_hours", 5000.0, None, "low"),
        # The 2024 clusters are not ordered on change fail rate: 20% or less reads high.
        ("change_failure_rate", 0.04, None, "elite"),
        ("change_failure_rate", 0.08, None, "high"),
        ("change_failure_rate", 0.25, None, "low"),
        ("change_failure_rate", 0.9, None, "low"),
        ("failed_deployment_recovery_hours", 0.5, None, "elite"),
        ("failed_deployment_recovery_hours", 20.0, None, "high"),
        ("failed_deployment_recovery_hours", 72.0, None, "low"),
        # Deployment frequency per day: 31 releases in 31 days is elite, 5 in a month high.
        ("release_frequency", 31.0, 31, "elite"),
        ("release_frequency", 5.0, 31, "high"),
        ("release_frequency", 1.0, 31, "medium"),
        ("release_frequency", 0.0, 31, "low"),
    ],
)
def test_band_of(metric, value, days, band):
    assert band_of(definition(metric), value, days) == band


def test_no_band_without_value_or_bands():
    assert band_of(definition("change_failure_rate"), None) == ""
    assert band_of(definition("change_failure_rate"), float("nan")) == ""
    assert band_of(definition("deployment_rework_rate"), 0.5) == ""
    assert band_of(definition("release_frequency"), 3.0) == ""  # per day needs the days


def test_tile_band_text():
    tile = Tile(period_start=date(2026, 11, 1), value=100.0)
    text = band_text(definition("lead_time_for_changes_hours"), tile)
    assert text == "DORA 2024 band, November 2026: high (between one day and one week)"
    february = Tile(period_start=date(2026, 2, 1), value=5.0)  # 5 releases in 28 days
    assert band_text(definition("release_frequency"), february).endswith(
        "high (between once per day and once per week)"
    )
    assert band_text(definition("bugs_new"), tile) == ""
