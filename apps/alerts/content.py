"""What an alert says (docs/alerts.md#messages): the same facts for Slack, e-mail and the
webhook. Pure: no I/O."""

from dataclasses import asdict, dataclass
from datetime import date, timedelta

from apps.metrics.display import value_text

BAR_BLOCKS = "▁▂▃▄▅▆▇█"


@dataclass(frozen=True)
class AlertFacts:
    """One message's facts; `asdict` of it is the webhook's JSON body."""

    rule: str
    status: str  # "fired" | "resolved"
    metric: str
    label: str
    scope: str
    scope_key: str
    scope_name: str
    granularity: str
    period_start: str
    period_end: str
    period: str
    value: float | None
    value_text: str
    unit: str
    condition: str
    threshold: float | None
    threshold_text: str
    summary: str
    bar: str
    link: str

    def as_json(self) -> dict:
        return asdict(self)


def text_bar(values: tuple[float | None, ...]) -> str:
    """A sparkline of block characters, one per period (a gap for a null): `▁▃▂▅█`."""
    known = [v for v in values if v is not None]
    if not known:
        return ""
    low, high = min(known), max(known)
    span = high - low
    out = []
    for value in values:
        if value is None:
            out.append(" ")
        elif span == 0:
            out.append(BAR_BLOCKS[3])
        else:
            out.append(BAR_BLOCKS[round((value - low) / span * (len(BAR_BLOCKS) - 1))])
    return "".join(out)


def period_text(start: date, end: date, granularity: str) -> str:
    """ "March 2026" for a month; "week of 2026-03-02 (to 2026-03-08)" for a week."""
    if granularity == "month":
        return f"{start:%B %Y}"
    return f"week of {start.isoformat()} (to {(end - timedelta(days=1)).isoformat()})"


def scope_text(scope: str, scope_key: str, name: str) -> str:
    if scope == "org":
        return "the organisation"
    shown = f"{name} ({scope_key})" if name and name != scope_key else scope_key
    return f"{scope} {shown}"


def condition_text(
    *, when: str, threshold_text: str, periods: int, granularity: str, smoothed_text: str
) -> str:
    """The rule's condition in words: "below 0", "missed its goal of 15% 2 months running"."""
    if when == "below":
        return f"below {threshold_text}"
    if when == "above":
        return f"above {threshold_text}"
    if when == "below_slo":
        return f"under its SLO of {threshold_text}"
    if when == "goal_missed":
        run = f" {periods} {granularity}s running" if periods > 1 else ""
        return f"missed its goal of {threshold_text}{run}"
    trend = f" (trend {smoothed_text})" if smoothed_text else ""
    return f"outside the band its own history predicts{trend}"


def summary_text(*, status: str, label: str, scope: str, period: str, value: str, cond: str) -> str:
    """One line: what happened, where, when."""
    if status == "resolved":
        return f"Resolved: {label} for {scope} is back inside in {period}: {value} (was {cond})"
    return f"{label} for {scope} in {period}: {value}, {cond}"


def facts_build(
    *,
    rule: str,
    status: str,
    metric: str,
    label: str,
    unit: str,
    currency: str,
    scope: str,
    scope_key: str,
    scope_name: str,
    granularity: str,
    period_start: date,
    period_end: date,
    value: float | None,
    smoothed: float | None,
    when: str,
    periods: int,
    threshold: float | None,
    history: tuple[float | None, ...],
    link: str,
) -> AlertFacts:
    """Every fact of one message, the texts formatted as on the dashboard."""
    shown = value_text(value, unit=unit, currency=currency)
    limit = "" if threshold is None else value_text(threshold, unit=unit, currency=currency)
    smooth = "" if smoothed is None else value_text(smoothed, unit=unit, currency=currency)
    cond = condition_text(
        when=when,
        threshold_text=limit,
        periods=periods,
        granularity=granularity,
        smoothed_text=smooth,
    )
    where = scope_text(scope, scope_key, scope_name)
    period = period_text(period_start, period_end, granularity)
    return AlertFacts(
        rule=rule,
        status=status,
        metric=metric,
        label=label,
        scope=scope,
        scope_key=scope_key,
        scope_name=scope_name,
        granularity=granularity,
        period_start=period_start.isoformat(),
        period_end=period_end.isoformat(),
        period=period,
        value=value,
        value_text=shown,
        unit=unit,
        condition=cond,
        threshold=threshold,
        threshold_text=limit,
        summary=summary_text(
            status=status, label=label, scope=where, period=period, value=shown, cond=cond
        ),
        bar=text_bar(history),
        link=link,
    )


def slack_blocks(facts: AlertFacts) -> list[dict]:
    """Block Kit blocks (https://api.slack.com/reference/block-kit/blocks): the number, its
    threshold, goal or band, a text bar of the recent periods and a link to the metric page."""
    icon = ":white_check_mark:" if facts.status == "resolved" else ":rotating_light:"
    against = "Threshold"
    if facts.condition.startswith("missed its goal"):
        against = "Goal"
    elif facts.condition.startswith("outside the band"):
        against = "Band"
    elif facts.condition.startswith("under its SLO"):
        against = "SLO"
    limit = facts.threshold_text or facts.condition
    return [
        {
            "type": "section",
            "text": {"type": "mrkdwn", "text": f"{icon} *{_escape(facts.summary)}*"},
        },
        {
            "type": "section",
            "fields": [
                {"type": "mrkdwn", "text": f"*Value*\n{_escape(facts.value_text)}"},
                {"type": "mrkdwn", "text": f"*{against}*\n{_escape(limit)}"},
                {"type": "mrkdwn", "text": f"*Period*\n{_escape(facts.period)}"},
                {
                    "type": "mrkdwn",
                    "text": f"*Scope*\n{_escape(facts.scope)} {_escape(facts.scope_key)}".rstrip(),
                },
            ],
        },
        {
            "type": "context",
            "elements": [
                {"type": "mrkdwn", "text": f"`{facts.bar or '—'}` recent {facts.granularity}s"},
                {"type": "mrkdwn", "text": f"<{facts.link}|Open {_escape(facts.label)} in Keel>"},
            ],
        },
    ]


def _escape(text: str) -> str:
    """Slack's three control characters (https://api.slack.com/reference/surfaces/formatting)."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
