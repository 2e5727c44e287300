"""How a metric's numbers read to people, in one place for every face (dashboard tiles, charts
and tables, the digest, the admin): a value with its unit, a signed change, a relative change,
whether a change is good or bad (the catalog's `better`, docs/metrics.md#catalog), and the
same number formats for Plotly charts. Pure: no I/O.

`unit` is a registry unit ("ratio", "currency", "days", "releases", ...); `currency` is the
organisation's billing currency code (config `costs.currency`, e.g. "USD").

    value_text(0.98364, unit="ratio", currency="USD")     -> "98.36%"
    value_text(15287.4, unit="currency", currency="USD")  -> "$15,287"
    value_text(1.0, unit="customers", currency="USD")     -> "1 customer"
    value_text(13.62, unit="days", currency="USD")        -> "13.6 days"
    change_text(-0.012, unit="ratio", currency="USD")     -> "−1.20 pp"
    change_text(-0.02, unit="hours", currency="USD")      -> "±0.0 hours"  (never "−0.0")
    change_verdict(-2.0, better="down", unit="bugs")      -> "better"
"""

import math
import re
from dataclasses import dataclass
from typing import Literal

from apps.metrics.registry import CURRENCY_UNIT, Better

NULL_TEXT = "—"
MINUS = "\N{MINUS SIGN}"
# Units that count things: (singular, plural). A value shown as exactly "1" takes the singular.
UNIT_WORDS: dict[str, tuple[str, str]] = {
    "releases": ("release", "releases"),
    "points": ("point", "points"),
    "bugs": ("bug", "bugs"),
    "engineers": ("engineer", "engineers"),
    "incidents": ("incident", "incidents"),
    "customers": ("customer", "customers"),
    "days": ("day", "days"),
    "hours": ("hour", "hours"),
    "minutes": ("minute", "minutes"),
    "impact-days": ("impact-day", "impact-days"),
}
# Whole things: shown without decimals when whole (a sum of points may be fractional).
WHOLE_UNITS = {"releases", "bugs", "engineers", "incidents", "customers"}
# Bare numbers, two decimals, no unit word: a score, an elasticity (% per %).
BARE_UNITS = {"score", "elasticity"}
CURRENCY_SYMBOLS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}
Verdict = Literal["better", "worse", "unchanged", ""]


def _is_ratio(unit: str) -> bool:
    return unit == "ratio"


def _decimals(unit: str, magnitude: float) -> int:
    if unit == CURRENCY_UNIT:
        return 0 if magnitude >= 100 else 2
    if unit in BARE_UNITS or _is_ratio(unit):
        return 2
    if unit in WHOLE_UNITS and float(magnitude).is_integer():
        return 0
    return 1


def _money(magnitude: float, currency: str, decimals: int) -> str:
    symbol = CURRENCY_SYMBOLS.get(currency)
    number = f"{magnitude:,.{decimals}f}"
    return f"{symbol}{number}" if symbol else f"{currency} {number}"


def _unsigned(magnitude: float, *, unit: str, currency: str, words: bool) -> str:
    """|value| in its unit, no sign."""
    decimals = _decimals(unit, magnitude)
    if _is_ratio(unit):
        return f"{magnitude * 100:,.{decimals}f}%"
    if unit == CURRENCY_UNIT:
        return _money(magnitude, currency, decimals)
    number = f"{magnitude:,.{decimals}f}"
    if unit in BARE_UNITS or not words or not unit:
        return number
    singular, plural = UNIT_WORDS.get(unit, (unit, unit))
    return f"{number} {singular if number == '1' else plural}"


def _shows_zero(text: str) -> bool:
    """Whether a formatted number reads as zero ("0", "0.0", "$0.00", "0.00%")."""
    return re.search(r"[1-9]", text) is None


def _is_null(value: float | None) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def value_text(value: float | None, *, unit: str, currency: str = "USD", words: bool = True) -> str:
    """A value with its unit (`words=False`: counts and durations without the unit word, for a
    column that names it); None or NaN → "—". A value that rounds to zero has no sign."""
    if _is_null(value):
        return NULL_TEXT
    assert value is not None
    text = _unsigned(abs(value), unit=unit, currency=currency, words=words)
    return MINUS + text if value < 0 and not _shows_zero(text) else text


def change_text(
    change: float | None, *, unit: str, currency: str = "USD", words: bool = True
) -> str:
    """A signed difference: ratios in percentage points ("+1.20 pp"), others in the metric's
    unit ("+2 releases", "−$310"); a change that rounds to zero reads "±0"; None → "—"."""
    if _is_null(change):
        return NULL_TEXT
    assert change is not None
    if _is_ratio(unit):
        text = f"{abs(change) * 100:,.2f} pp"
    else:
        text = _unsigned(abs(change), unit=unit, currency=currency, words=words)
    if _shows_zero(text):
        return "±" + text
    return ("+" if change > 0 else MINUS) + text


def pct_text(pct: float | None) -> str:
    """A relative change: 0.25 → "+25%", -0.031 → "−3.1%", 0.0004 → "±0%"; None → ""."""
    if _is_null(pct):
        return ""
    assert pct is not None
    magnitude = abs(pct) * 100
    text = f"{magnitude:,.0f}%" if magnitude >= 10 else f"{magnitude:.1f}%"
    if _shows_zero(text):
        return "±0%"
    return ("+" if pct > 0 else MINUS) + text


def change_verdict(change: float | None, *, better: Better, unit: str) -> Verdict:
    """ "better" or "worse" by the metric's direction, "unchanged" when the change reads as zero,
    "" when the metric has no direction or the change is unknown."""
    if _is_null(change):
        return ""
    assert change is not None
    if _shows_zero(change_text(change, unit=unit)):
        return "unchanged"
    if better == "none":
        return ""
    return "better" if (change > 0) == (better == "up") else "worse"


def unit_title(unit: str, *, currency: str) -> str:
    """The unit as an axis or column title: "%" for ratios, the currency code, "releases"."""
    if _is_ratio(unit):
        return "%"
    if unit == CURRENCY_UNIT:
        return currency
    return unit


@dataclass(frozen=True)
class PlotlyNumber:
    """Plotly/d3 formats for a unit: `tickformat` + `tickprefix` for an axis, and
    `hover` for a hovertemplate value (https://plotly.com/javascript/reference/layout/yaxis/)."""

    tickformat: str
    tickprefix: str
    hover: str


def plotly_number(unit: str, *, currency: str) -> PlotlyNumber:
    """The chart formats matching `value_text` ("%{y:.2%}", "$%{y:,.0f}", "%{y:,.1~f} days")."""
    if _is_ratio(unit):
        return PlotlyNumber(".1~%", "", "%{y:.2%}")
    if unit == CURRENCY_UNIT:
        symbol = CURRENCY_SYMBOLS.get(currency, f"{currency} ")
        return PlotlyNumber(",.0f", symbol, symbol + "%{y:,.2~f}")
    if unit in BARE_UNITS:
        return PlotlyNumber(".2f", "", "%{y:.2f}")
    plural = UNIT_WORDS.get(unit, (unit, unit))[1]
    return PlotlyNumber(",.1~f", "", "%{y:,.1~f} " + plural)
