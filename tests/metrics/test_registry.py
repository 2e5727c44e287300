from datetime import date

import pandas as pd
import pytest

from apps.metrics import registry
from apps.metrics.frames import frame_fill_gaps
from apps.metrics.registry import MetricDefinition, MetricFamily, families_override
from tests.metrics.conftest import FAKE_COST, FAKE_COUNT, FAKE_FAMILY


def test_lookups(fake_registry):
    assert registry.families() == (FAKE_FAMILY,)
    assert registry.definition("fake_cost") == FAKE_COST
    assert registry.definition("nope") is None
    assert registry.family_of("fake_count") is FAKE_FAMILY
    assert registry.all_definitions() == (FAKE_COST, FAKE_COUNT)


def test_override_restores_the_registry():
    before = registry.families()
    with families_override(FAKE_FAMILY):
        assert registry.families() == (FAKE_FAMILY,)
    assert registry.families() == before


def test_a_metric_belongs_to_one_family(fake_registry):
    thief = MetricFamily(name="other", metrics=(FAKE_COUNT,), compute=lambda ctx: pd.DataFrame())
    with pytest.raises(ValueError, match="already registered by 'fake'"):
        registry.register_family(thief)


def test_unknown_scope_is_rejected(fake_registry):
    bad = MetricDefinition("x", "things", "", ("planet",), "count", "x")
    with pytest.raises(ValueError, match="unknown scopes"):
        registry.register_family(MetricFamily("x", (bad,), lambda ctx: pd.DataFrame()))


def test_fill_gaps_with_zero_through_until():
    columns = list(registry.FRAME_COLUMNS)
    frame = pd.DataFrame(
        [
            ("m", "team", "a", "week", date(2026, 1, 5), 3.0, 3, ""),
            ("m", "team", "a", "week", date(2026, 1, 19), 1.0, 1, ""),
        ],
        columns=columns,
    )
    filled = frame_fill_gaps(frame, until=date(2026, 1, 28))
    assert filled[["period_start", "value", "sample_size"]].values.tolist() == [
        [date(2026, 1, 5), 3.0, 3],
        [date(2026, 1, 12), 0.0, 0],
        [date(2026, 1, 19), 1.0, 1],
        [date(2026, 1, 26), 0.0, 0],
    ]


def test_every_registered_metric_has_a_label_and_a_direction() -> None:
    """The real registry (not a fake): every face names a metric by its label."""
    metrics = {m.name: m for m in registry.all_definitions()}
    assert metrics, "no family registered"
    for metric in metrics.values():
        assert metric.label and metric.label != metric.name, metric.name
        assert metric.better in registry.BETTER
    mttr = metrics["mttr_hours"]
    assert (mttr.title_long, mttr.better) == ("Mean time to restore (MTTR)", "down")
    assert metrics["uptime"].better == "up"
    assert metrics["time_to_new_customer_days"].title == "Time to a new customer"
    assert metrics["customers_onboarding"].better == "none"


def test_a_direction_must_be_known(fake_registry) -> None:
    bad = MetricDefinition("x", "things", "", ("org",), "count", "x", better="sideways")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="better must be one of"):
        registry.register_family(MetricFamily("x", (bad,), lambda ctx: pd.DataFrame()))
