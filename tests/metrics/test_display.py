"""How numbers read to people (apps.metrics.display), checked by hand."""

import math

from apps.metrics.display import (
    change_text,
    change_verdict,
    pct_text,
    plotly_number,
    unit_title,
    value_text,
)


def test_values_with_their_units() -> None:
    assert value_text(0.98360, unit="ratio", currency="USD") == "98.36%"
    assert value_text(15287.42, unit="currency", currency="EUR") == "€15,287"
    assert value_text(15287.42, unit="currency", currency="CHF") == "CHF 15,287"
    assert value_text(57.994, unit="currency", currency="USD") == "$57.99"
    assert value_text(7.0, unit="releases", currency="USD") == "7 releases"
    assert value_text(7.0, unit="releases", currency="USD", words=False) == "7"
    assert value_text(1.0, unit="customers", currency="USD") == "1 customer"
    assert value_text(116.5, unit="points", currency="USD") == "116.5 points"
    assert value_text(13.615, unit="days", currency="USD") == "13.6 days"
    assert value_text(7350.44, unit="impact-days", currency="USD") == "7,350.4 impact-days"
    assert value_text(0.786666, unit="score", currency="USD") == "0.79"
    assert value_text(0.4405, unit="elasticity", currency="USD") == "0.44"  # not 44.05%
    assert value_text(-0.4531, unit="ratio", currency="USD") == "−45.31%"
    assert value_text(None, unit="ratio", currency="USD") == "—"
    assert value_text(math.nan, unit="days", currency="USD") == "—"


def test_a_value_rounding_to_zero_has_no_sign() -> None:
    assert value_text(-0.00001, unit="ratio", currency="USD") == "0.00%"
    assert value_text(-0.02, unit="hours", currency="USD") == "0.0 hours"


def test_changes_are_signed_and_never_minus_zero() -> None:
    assert change_text(-0.014, unit="ratio", currency="USD") == "−1.40 pp"
    assert change_text(526.4, unit="currency", currency="USD") == "+$526"
    assert change_text(1.0, unit="engineers", currency="USD") == "+1 engineer"
    assert change_text(-3.0, unit="releases", currency="USD") == "−3 releases"
    assert change_text(0.0, unit="bugs", currency="USD") == "±0 bugs"
    assert change_text(-0.02, unit="hours", currency="USD") == "±0.0 hours"
    assert change_text(-0.4, unit="releases", currency="USD") == "−0.4 releases"
    assert change_text(None, unit="bugs", currency="USD") == "—"


def test_relative_changes() -> None:
    assert (pct_text(4 / 3), pct_text(-0.031), pct_text(None)) == ("+133%", "−3.1%", "")
    assert pct_text(-0.0001) == "±0%"


def test_verdicts_follow_the_metric_direction() -> None:
    assert change_verdict(-2.0, better="down", unit="bugs") == "better"
    assert change_verdict(2.0, better="down", unit="bugs") == "worse"
    assert change_verdict(0.001, better="up", unit="ratio") == "better"
    assert change_verdict(-0.00001, better="up", unit="ratio") == "unchanged"
    assert change_verdict(3.0, better="none", unit="customers") == ""
    assert change_verdict(None, better="up", unit="releases") == ""


def test_chart_formats_match_the_text() -> None:
    assert plotly_number("ratio", currency="USD").hover == "%{y:.2%}"
    money = plotly_number("currency", currency="USD")
    assert (money.tickprefix, money.tickformat) == ("$", ",.0f")
    assert plotly_number("hours", currency="USD").hover == "%{y:,.1~f} hours"
    assert unit_title("currency", currency="EUR") == "EUR"
    assert unit_title("ratio", currency="EUR") == "%"


def test_an_elasticity_is_a_bare_number_everywhere() -> None:
    """Cost elasticity to customers (0.44: 1% more customers, 0.44% more cost) is no share."""
    import apps.economics.metrics  # noqa: F401 - registers the family
    from apps.metrics.registry import definition

    metric = definition("cost_elasticity_customers")
    assert metric is not None
    assert metric.unit == "elasticity"
    assert metric.anomaly_model == "normal"  # not binomial on a sample size it does not have
    assert change_text(-0.05, unit="elasticity", currency="USD") == "−0.05"
    assert plotly_number("elasticity", currency="USD").hover == "%{y:.2f}"
