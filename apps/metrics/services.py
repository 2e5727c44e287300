"""Writes of the metric store: replace the rows of some metrics, run the registered families.

docs/metrics.md: rows, smoothed, anomaly, the partial current period and when rows are (re)written.
"""

import logging
from collections.abc import Iterable, Iterator
from datetime import date, datetime

import numpy as np
import pandas as pd
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min, Q, QuerySet
from django.utils import timezone

from apps.core.errors import KeelError
from apps.core.frames import compute_cache
from apps.core.periods import GRANULARITIES, period_start_of
from apps.metrics.frames import (
    PARTIAL_NOTE,
    frame_decorate,
    frame_normalize,
    frame_since,
    teams_filled,
)
from apps.metrics.models import MetricRow
from apps.metrics.registry import (
    ROW_COLUMNS,
    SERIES_KEY,
    ComputeContext,
    MetricFamily,
    SeriesKey,
    definition,
    families,
)
from apps.organization.selectors import organization_get, team_slugs

logger = logging.getLogger(__name__)
BATCH_SIZE = 1000


class MetricsComputeError(KeelError):
    """Some families failed to compute; the others were written. `written` holds their rows
    per metric, `failures` the error per family name."""

    def __init__(self, failures: dict[str, str], written: dict[str, int]) -> None:
        self.failures = failures
        self.written = written
        detail = "; ".join(f"{name}: {error}" for name, error in failures.items())
        super().__init__(f"metric families failed: {detail}")


def metric_rows_replace(
    *,
    frame: pd.DataFrame,
    metrics: Iterable[str],
    now: datetime,
    tz: str,
    since: date | None = None,
) -> int:
    """Replace the stored rows of `metrics` by the rows of `frame` (FRAME_COLUMNS); returns the
    number of rows written.

    Adds period_end, unit (from the registry), smoothed, anomaly and the partial-period note
    (apps.metrics.frames.frame_decorate). With `since`, only the periods containing or after it
    are replaced; earlier stored rows stay and serve as history for smoothing and anomalies.
    One transaction: readers see the old rows or the new ones, never a mix.
    Raises ValueError for an invalid frame (see frame_normalize), a row of a metric not in
    `metrics`, or an unregistered metric.
    """
    return sum(_rows_write(frame=frame, metrics=metrics, now=now, tz=tz, since=since).values())


def _rows_write(
    *,
    frame: pd.DataFrame,
    metrics: Iterable[str],
    now: datetime,
    tz: str,
    since: date | None,
    history: pd.DataFrame | None = None,
    context: Iterable[str] = (),
) -> dict[str, int]:
    """Replace the rows of `metrics` by `frame`'s. Rows of the `context` metrics (and their
    `history`) may be in the frame: they inform the anomalies of the written metrics (an
    "as_uptime" metric follows uptime's) but are not written."""
    names = list(dict.fromkeys(metrics))
    known = list(dict.fromkeys([*names, *context]))
    definitions = {name: d for name in known if (d := definition(name)) is not None}
    if len(definitions) != len(known):
        raise ValueError(f"unregistered metrics {sorted(set(known) - set(definitions))}")
    fresh = frame_since(frame_normalize(frame), since)
    stray = sorted(set(fresh["metric"]) - set(known))
    if stray:
        raise ValueError(f"metric frame has rows of metrics not being replaced: {stray}")
    with transaction.atomic():
        if history is None:
            history, _ = _history_frame(known, since)
        decorated = frame_decorate(
            fresh,
            now=now,
            tz=tz,
            definitions=definitions,
            half_life=settings.KEEL_SMOOTHING_HALF_LIFE,
            history=history,
        )
        decorated = decorated[decorated["metric"].isin(names)]
        _stored_rows(names, since).delete()
        _rows_insert(decorated)
    return {name: int((decorated["metric"] == name).sum()) for name in names}


def _replaced_q(since: date | None) -> Q:
    """The rows a replace from `since` covers: periods containing `since` or after it."""
    if since is None:
        return Q()
    covered = Q(pk__in=[])
    for granularity in GRANULARITIES:
        cutoff = period_start_of(since, granularity)
        covered |= Q(granularity=granularity, period_start__gte=cutoff)
    return covered


def _stored_rows(names: list[str], since: date | None) -> QuerySet[MetricRow]:
    return MetricRow.objects.filter(_replaced_q(since), metric__in=names)


def _history_frame(
    names: list[str], since: date | None
) -> tuple[pd.DataFrame | None, dict[SeriesKey, date]]:
    """The values of the stored rows a `since` replace keeps (before its cutoff): the history
    smoothing and anomalies of the new rows start from (SERIES_KEY, period_start, value,
    sample_size), and
    each such series' first period_start (ComputeContext.first_stored). (None, {}) without
    `since`. On PostgreSQL one row per series with its periods and values as arrays (thousands
    of rows to read instead of a hundred thousand)."""
    if since is None:
        return None, {}
    if connection.vendor != "postgresql":
        kept = MetricRow.objects.filter(metric__in=names).exclude(_replaced_q(since))
        frame = pd.DataFrame(
            list(kept.values_list(*SERIES_KEY, "period_start", "value", "sample_size")),
            columns=[*SERIES_KEY, "period_start", "value", "sample_size"],
        )
        firsts = frame.groupby(SERIES_KEY)["period_start"].min().to_dict()
        return frame, firsts
    cutoffs = [period_start_of(since, g) for g in ("week", "month")]
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT metric, scope, scope_key, granularity, array_agg(period_start ORDER BY "  # noqa: S608
            f"period_start), array_agg(value ORDER BY period_start), "
            f"array_agg(sample_size ORDER BY period_start) "
            f"FROM {MetricRow._meta.db_table} WHERE metric = ANY(%s) AND NOT ("
            "(granularity = 'week' AND period_start >= %s) OR "
            "(granularity = 'month' AND period_start >= %s)) GROUP BY 1, 2, 3, 4",
            [names, *cutoffs],
        )
        series = cursor.fetchall()
    lengths = [len(row[4]) for row in series]
    frame = pd.DataFrame(
        {
            column: np.repeat(np.array([row[i] for row in series], dtype=object), lengths)
            for i, column in enumerate(SERIES_KEY)
        }
    )
    frame["period_start"] = [d for row in series for d in row[4]]
    frame["value"] = np.array([v for row in series for v in row[5]], dtype=float)
    frame["sample_size"] = np.array([n for row in series for n in row[6]], dtype=np.int64)
    return frame, {tuple(row[:4]): row[4][0] for row in series}


_INSERT_COLUMNS = [*ROW_COLUMNS, "computed_at"]


def _row_values(frame: pd.DataFrame, now: object) -> Iterator[tuple]:
    """The `_INSERT_COLUMNS` values of each decorated row (NaN → NULL), computed at `now`.
    Columns are turned into plain lists first: iterating Arrow-backed strings row by row
    costs about a microsecond a value."""

    def nullable(column: str) -> list[float | None]:
        values = frame[column].astype(float)
        return values.astype(object).where(values.notna(), None).tolist()

    text = {
        c: frame[c].astype(object).tolist()
        for c in ("metric", "scope", "scope_key", "granularity", "unit", "note")
    }
    return zip(
        text["metric"],
        text["scope"],
        text["scope_key"],
        text["granularity"],
        frame["period_start"].tolist(),
        frame["period_end"].tolist(),
        nullable("value"),
        text["unit"],
        frame["sample_size"].astype(int).tolist(),
        nullable("smoothed"),
        frame["anomaly"].astype(bool).tolist(),
        text["note"],
        [now] * len(frame),
        strict=True,
    )


def _rows_insert(frame: pd.DataFrame) -> None:
    """Insert decorated rows: one `COPY ... FROM STDIN` on PostgreSQL (psycopg encodes each
    row in C), else batched executemany INSERTs. The ORM's bulk_create spent ~250 µs a row
    preparing values here (docs/performance.md)."""
    table = MetricRow._meta.db_table
    columns = ", ".join(_INSERT_COLUMNS)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for values in _row_values(frame, timezone.now()):
                    copy.write_row(values)
            return
        marks = ", ".join(["%s"] * len(_INSERT_COLUMNS))
        sql = f"INSERT INTO {table} ({columns}) VALUES ({marks})"  # noqa: S608
        now = connection.ops.adapt_datetimefield_value(timezone.now())
        rows = list(_row_values(frame, now))
        for i in range(0, len(rows), BATCH_SIZE):
            cursor.executemany(sql, rows[i : i + BATCH_SIZE])


def metrics_compute(
    *,
    since: date | None = None,
    metrics: Iterable[str] | None = None,
    now: datetime | None = None,
) -> dict[str, int]:
    """Compute and store every registered family (or those owning `metrics`), each in its own
    transaction, in the organisation's time zone; returns rows written per metric.

    A failing family does not stop the others: MetricsComputeError is raised at the end.
    Raises ValueError for an unknown metric name.
    """
    tz = organization_get().timezone
    now = now or timezone.now()
    wanted = set(metrics) if metrics is not None else None
    if wanted is not None and (unknown := {m for m in wanted if definition(m) is None}):
        raise ValueError(f"unknown metrics {sorted(unknown)}")
    written: dict[str, int] = {}
    failures: dict[str, str] = {}
    with compute_cache():  # families share what they read (e.g. the Jira issues)
        for family in families():
            _family_run(
                family,
                wanted=wanted,
                tz=tz,
                now=now,
                since=since,
                written=written,
                failures=failures,
            )
    if failures:
        raise MetricsComputeError(failures, written)
    return written


def _family_run(
    family: MetricFamily,
    *,
    wanted: set[str] | None,
    tz: str,
    now: datetime,
    since: date | None,
    written: dict[str, int],
    failures: dict[str, str],
) -> None:
    """Compute and store one family's `wanted` metrics; a failure is logged and recorded."""
    targets = [m for m in family.metric_names if wanted is None or m in wanted]
    if not targets:
        return
    try:
        written |= _family_compute(family, targets=targets, tz=tz, now=now, since=since)
    except Exception as exc:  # one broken family must not block the others
        logger.exception("metric family %s failed", family.name)
        failures[family.name] = f"{type(exc).__name__}: {exc}"


def _family_compute(
    family: MetricFamily, *, targets: list[str], tz: str, now: datetime, since: date | None
) -> dict[str, int]:
    since = _since_covering_partial(targets, since)
    history, firsts = _history_frame(list(family.metric_names), since)
    ctx = ComputeContext(tz=tz, now=now, since=since, first_stored=firsts)
    frame = family.compute(ctx)
    if "metric" in frame.columns:  # a family with no data at all may return a bare frame
        frame = frame[frame["metric"].isin(family.metric_names)]
        frame = teams_filled(
            frame,
            teams=team_slugs(),
            definitions={m.name: m for m in family.metrics},
        )
    counts = _rows_write(
        frame=frame,
        metrics=targets,
        now=now,
        tz=tz,
        since=since,
        history=history,
        context=family.metric_names,  # e.g. uptime's rows, that error_budget_remaining follows
    )
    logger.info("metric family %s: %s", family.name, counts)
    return counts


def _since_covering_partial(names: list[str], since: date | None) -> date | None:
    """Move `since` back to the earliest stored row that was partial when written: its period
    has finished since, so it must be recomputed too."""
    if since is None:
        return None
    earliest = MetricRow.objects.filter(metric__in=names, note__contains=PARTIAL_NOTE).aggregate(
        first=Min("period_start")
    )["first"]
    return min(since, earliest) if earliest is not None else since
