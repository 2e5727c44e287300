"""How numbers read on the page (pure). `unit` is the registry unit ("ratio", "currency",
"days", ...); `currency` the organisation's billing currency code."""

from apps.metrics.registry import CURRENCY_UNIT

NULL_TEXT = "—"
PLAIN_UNITS = {"releases", "points", "bugs", "engineers", "incidents", "customers"}


def _number(value: float, decimals: int) -> str:
    if decimals == 0 or float(value).is_integer():
        return f"{value:,.0f}"
    return f"{value:,.{decimals}f}"


def value_format(value: float | None, *, unit: str, currency: str) -> str:
    """`0.9836` ratio → "98.36 %", `15287.4` currency → "USD 15,287", `7.0` releases → "7",
    `13.62` days → "13.6 days", `0.42` score → "0.42"; None → "—"."""
    if value is None:
        return NULL_TEXT
    if unit == "ratio":
        return f"{value * 100:,.2f} %"
    if unit == CURRENCY_UNIT:
        return f"{currency} {_number(value, 0 if abs(value) >= 100 else 2)}"
    if unit == "score":
        return f"{value:.2f}"
    if unit in PLAIN_UNITS:
        return _number(value, 1)
    return f"{_number(value, 1)} {unit}"


def change_format(change: float | None, *, unit: str, currency: str) -> str:
    """A signed difference: ratio changes in percentage points ("+1.20 pp"), others in the
    metric's unit ("+2", "−USD 310"); None → "—"."""
    if change is None:
        return NULL_TEXT
    sign = "+" if change > 0 else "−" if change < 0 else "±"
    if unit == "ratio":
        return f"{sign}{abs(change) * 100:,.2f} pp"
    return sign + value_format(abs(change), unit=unit, currency=currency)


def pct_format(pct: float | None) -> str:
    """0.25 → "+25 %", -0.031 → "−3.1 %"; None → ""."""
    if pct is None:
        return ""
    sign = "+" if pct > 0 else "−" if pct < 0 else "±"
    magnitude = abs(pct) * 100
    return f"{sign}{magnitude:,.0f} %" if magnitude >= 10 else f"{sign}{magnitude:.1f} %"
