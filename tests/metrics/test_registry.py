import pandas as pd
import pytest

from apps.metrics import registry
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


def test_models_derive_from_kind_and_unit_unless_named():
    def make(kind, unit="things", **named):
        return MetricDefinition("x", unit, "", ("org",), kind, "x", **named)

    assert make("count").anomaly_model == "poisson_per_day"
    assert make("sum", "points").anomaly_model == "poisson_per_day"
    assert make("sum", registry.CURRENCY_UNIT).anomaly_model == "lognormal_per_day"
    assert make("ratio", "ratio").anomaly_model == "binomial"
    assert make("ratio", registry.CURRENCY_UNIT).anomaly_model == "lognormal"
    assert make("median", "hours").anomaly_model == "lognormal"
    assert make("score", "score").anomaly_model == "normal"
    assert make("ratio").smoothing_weight == "sample_size"
    assert make("count").smoothing_weight == "equal"
    named = make("count", anomaly_model="poisson", smoothing_weight="period_length")
    assert (named.anomaly_model, named.smoothing_weight) == ("poisson", "period_length")


# The model each metric of the catalog is judged by, and what a period weighs in its trend.
EXPECTED_MODELS = {
    "release_frequency": ("poisson_per_day", "equal"),
    "delivery_points": ("poisson_per_day", "equal"),
    "time_to_new_customer_days": ("lognormal", "equal"),
    "customers_onboarding": ("poisson", "equal"),
    "bugs_new": ("poisson_per_day", "equal"),
    "bug_impact_days": ("poisson_per_day", "equal"),
    "bug_fix_share": ("binomial", "sample_size"),
    "churn_risk": ("normal", "equal"),
    "engineers_at_risk": ("poisson", "equal"),
    "uptime": ("binomial_minutes", "period_length"),
    "downtime_minutes": ("poisson_per_day", "equal"),
    "incidents": ("poisson_per_day", "equal"),
    "mttr_hours": ("lognormal", "equal"),
    "error_budget_remaining": ("as_uptime", "period_length"),
    "cost": ("lognormal_per_day", "equal"),
    "cost_compute": ("lognormal_per_day", "equal"),
    "cost_storage": ("lognormal_per_day", "equal"),
    "cost_network": ("lognormal_per_day", "equal"),
    "cost_other": ("lognormal_per_day", "equal"),
    "cost_per_release": ("lognormal", "sample_size"),
    "cost_per_customer": ("lognormal", "sample_size"),
    "cost_to_revenue": ("lognormal", "equal"),
}


def test_every_catalog_metric_has_a_model_that_fits_it():
    from apps.metrics.anomalies import MODELS

    definitions = {d.name: d for d in registry.all_definitions()}
    assert set(EXPECTED_MODELS) <= set(definitions)
    for name, expected in EXPECTED_MODELS.items():
        d = definitions[name]
        assert (d.anomaly_model, d.smoothing_weight) == expected, name
    for d in definitions.values():  # metrics added later: a known model, and a sane one
        assert d.anomaly_model in MODELS, d.name
        if d.unit == registry.CURRENCY_UNIT:
            assert d.anomaly_model.startswith("lognormal"), d.name


def test_an_anomaly_model_and_a_smoothing_weight_must_be_known(fake_registry) -> None:
    bad = MetricDefinition("x", "things", "", ("org",), "count", "x", anomaly_model="gamma")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'x': anomaly_model must be one of"):
        registry.register_family(MetricFamily("x", (bad,), lambda ctx: pd.DataFrame()))
    bad = MetricDefinition("y", "things", "", ("org",), "count", "y", smoothing_weight="odd")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="'y': smoothing_weight must be one of"):
        registry.register_family(MetricFamily("y", (bad,), lambda ctx: pd.DataFrame()))
