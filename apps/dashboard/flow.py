"""What the flow page shows (docs/dashboard.md#flow-page): where a pull request waits. Per period
of one scope (the organisation or a team), the medians of the four stages of a change (coding,
pickup, review, deploy; docs/metrics.md#pull-request-flow) beside the median lead time, the
number of changes and how many merged without review, read from the stored metric rows that
every other page shows (`selectors.series_frame`, so the same rows and the same access rules).

Medians do not add up: the stage medians are each over their own changes (pickup and review
leave out the changes merged without review), so their sum is not the median lead time. The
page says so. Pure: series frames in, periods and sentences out."""

import math
from dataclasses import dataclass
from datetime import date
from typing import Literal

import pandas as pd

from apps.dora.flow import STAGES
from apps.metrics.display import change_verdict, value_text
from apps.metrics.registry import MetricDefinition, definition

LEAD = "lead_time_for_changes_hours"
# Hours up to two days read best as hours; beyond that the page shows days (1 day = 24 h).
DAYS_FROM_HOURS = 48.0
Unit = Literal["hours", "days"]


@dataclass(frozen=True)
class Cell:
    """One median of one period: `hours` (None when null), its row's `note`, and the number
    of changes it is over (`sample_size`)."""

    hours: float | None
    note: str
    sample_size: int


@dataclass(frozen=True)
class FlowPeriod:
    """One period of the flow page: its [start, end) local dates, whether it is still running
    (`to_date`), the lead time and each stage (by metric name), the changes shipped in it
    (the lead time's sample) and those of them merged without review (changes less the changes
    with a pickup time; the lead-time note says the same: "2 of 5 changes merged without
    review")."""

    start: date
    end: date
    to_date: bool
    lead: Cell
    stages: dict[str, Cell]
    changes: int
    unreviewed: int


def flow_metrics() -> list[MetricDefinition]:
    """The four stage metrics of the catalog, in the order a change goes through them."""
    return [m for m in (definition(name) for name in STAGES) if m is not None]


def _cell(row) -> Cell:
    if row is None:
        return Cell(None, "", 0)
    value = None if row.value is None or math.isnan(row.value) else float(row.value)
    return Cell(value, row.note or "", int(row.sample_size or 0))


def flow_periods(frames: dict[str, pd.DataFrame], *, today: date) -> list[FlowPeriod]:
    """The periods of the lead-time frame, oldest first, with the stages of the same periods.
    `frames`: metric name → its series frame (selectors.SERIES_COLUMNS) for LEAD and STAGES."""
    by_metric = {
        name: {row.period_start: row for row in frame.itertuples()}
        for name, frame in frames.items()
    }
    out = []
    for start, row in sorted(by_metric.get(LEAD, {}).items()):
        lead = _cell(row)
        stages = {name: _cell(by_metric.get(name, {}).get(start)) for name in STAGES}
        reviewed = stages["pickup_hours"].sample_size
        out.append(
            FlowPeriod(
                start=start,
                end=row.period_end,
                to_date=start <= today < row.period_end,
                lead=lead,
                stages=stages,
                changes=lead.sample_size,
                unreviewed=max(lead.sample_size - reviewed, 0),
            )
        )
    return out


def flow_unit(periods: list[FlowPeriod]) -> Unit:
    """The chart's unit: "days" when the longest median shown reaches DAYS_FROM_HOURS, else
    "hours"."""
    values = [
        cell.hours
        for p in periods
        for cell in (p.lead, *p.stages.values())
        if cell.hours is not None
    ]
    return "days" if values and max(values) >= DAYS_FROM_HOURS else "hours"


def in_unit(hours: float | None, unit: Unit) -> float | None:
    """Hours in the page's unit (None stays None)."""
    if hours is None:
        return None
    return hours / 24.0 if unit == "days" else hours


def duration_text(hours: float | None) -> str:
    """A median as the catalog formats durations, in hours up to DAYS_FROM_HOURS and in days
    beyond ("14.0 hours", "2.5 days"; "—" when null), so a short stage keeps its precision
    beside a long one."""
    unit: Unit = "days" if hours is not None and hours >= DAYS_FROM_HOURS else "hours"
    return value_text(in_unit(hours, unit), unit=unit)


def period_label(start: date, granularity: str) -> str:
    """ "October 2026", or "the week of 2 Nov 2026"."""
    if granularity == "week":
        return f"the week of {start.day} {start:%b %Y}"
    return f"{start:%B %Y}"


def _verdict_words(metric: MetricDefinition, now: float, before: float) -> str:
    verdict = change_verdict(now - before, better=metric.better, unit="hours")
    return {"better": "better than", "worse": "worse than"}.get(verdict, "about the same as")


def longest_stage_sentence(periods: list[FlowPeriod], *, granularity: str) -> str:
    """For the latest complete period, which stage took longest (the largest median) and
    whether it got better or worse than the period before (the catalog's `better`: down for
    every stage). "" when no period is complete."""
    done = [p for p in periods if not p.to_date]
    if not done:
        return ""
    latest, previous = done[-1], (done[-2] if len(done) > 1 else None)
    when = period_label(latest.start, granularity)
    medians = [(m, latest.stages[m.name].hours) for m in flow_metrics()]
    known = [(m, v) for m, v in medians if v is not None]
    if not known:
        return f"No change shipped in {when}: no stage to compare."
    metric, hours = max(known, key=lambda mv: mv[1])
    before = previous.stages[metric.name].hours if previous else None
    then = period_label(previous.start, granularity) if previous else "the period before"
    sentence = (
        f"In {when} the longest stage was {metric.title.lower()}: a median of "
        f"{duration_text(hours)}"
    )
    if before is None:
        return f"{sentence}; {then} has no {metric.title.lower()} to compare with."
    verdict = _verdict_words(metric, hours, before)
    return f"{sentence}, {verdict} {then} ({duration_text(before)})."
