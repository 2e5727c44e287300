"""Pure helpers over metric frames (the `FRAME_COLUMNS` frames of apps.metrics.registry).

`frame_normalize` checks a compute function's output, `frame_decorate` adds what the store
needs (period_end, unit, smoothed, anomaly, partial-period note). Gap-filling (docs/metrics.md#rows)
has one rule for every family: `period_starts` gives the periods of one series, `scope_periods`
those of each scope key of a family, and `teams_filled` gives every configured team the
organisation's periods. No I/O.
"""

from collections.abc import Mapping, Sequence
from datetime import date, datetime

import numpy as np
import pandas as pd

from apps.core.periods import (
    GRANULARITIES,
    Granularity,
    as_granularity,
    iter_periods,
    local_midnight,
    next_period_start,
    period_of,
    period_start_of,
)
from apps.metrics.anomalies import anomaly_tests
from apps.metrics.registry import FRAME_COLUMNS, ROW_KEY, SCOPES, SERIES_KEY, MetricDefinition
from apps.metrics.smoothing import grouped_smooth

PARTIAL_NOTE = "partial period"


def _as_date(value: object) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return pd.Timestamp(value).date()


def _first_rows(frame: pd.DataFrame, mask: pd.Series) -> str:
    return "; ".join(
        f"{r.metric}[{r.scope}:{r.scope_key}] {r.granularity} {r.period_start}"
        for r in frame[mask].head(3).itertuples()
    )


def frame_normalize(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with exactly FRAME_COLUMNS, typed (period_start as `date`, value float,
    sample_size int, note str).

    Raises ValueError on a missing column, an unknown scope or granularity, a period_start that
    does not start its period, a duplicate row key, or a null value without a note.
    """
    if frame.empty and frame.columns.empty:  # a family with no data at all
        frame = pd.DataFrame(columns=list(FRAME_COLUMNS))
    missing = [c for c in FRAME_COLUMNS if c not in frame.columns]
    if missing:
        raise ValueError(f"metric frame lacks columns {missing}")
    out = frame.loc[:, list(FRAME_COLUMNS)].copy()
    for column in ("metric", "scope", "scope_key", "granularity"):
        out[column] = out[column].fillna("").astype(str)
    out["note"] = out["note"].fillna("").astype(str)
    out["period_start"] = [_as_date(v) for v in out["period_start"]]
    out["value"] = pd.to_numeric(out["value"], errors="raise").astype(float)
    out["sample_size"] = pd.to_numeric(out["sample_size"]).fillna(0).astype(int)
    _check_rows(out)
    return out.reset_index(drop=True)


def _check_rows(frame: pd.DataFrame) -> None:
    checks = [
        (~frame["scope"].isin(SCOPES), "unknown scope"),
        (~frame["granularity"].isin(GRANULARITIES), "unknown granularity"),
        (frame.duplicated(ROW_KEY, keep=False), "duplicate rows"),
        (frame["value"].isna() & (frame["note"].str.strip() == ""), "null value without a note"),
        (frame["sample_size"] < 0, "negative sample_size"),
    ]
    for mask, problem in checks:
        if mask.any():
            raise ValueError(f"metric frame: {problem}: {_first_rows(frame, mask)}")
    misaligned = [
        g in GRANULARITIES and period_start_of(d, g) != d
        for d, g in zip(frame["period_start"], frame["granularity"], strict=True)
    ]
    if any(misaligned):
        mask = pd.Series(misaligned, index=frame.index)
        rows = _first_rows(frame, mask)
        raise ValueError(f"metric frame: period_start is not a period start: {rows}")


def frame_since(frame: pd.DataFrame, since: date | None) -> pd.DataFrame:
    """The rows whose period contains `since` or starts after it (all rows when None)."""
    if since is None or frame.empty:
        return frame
    cutoffs = frame["granularity"].map({g: period_start_of(since, g) for g in GRANULARITIES})
    return frame[frame["period_start"] >= cutoffs].reset_index(drop=True)


def frame_decorate(
    frame: pd.DataFrame,
    *,
    now: datetime,
    tz: str,
    definitions: Mapping[str, MetricDefinition],
    half_life: float,
    history: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Add `period_end` (date), `unit`, `partial` (bool), `smoothed` and `anomaly` to a
    normalized frame, sorted by series and period_start.

    The current, unfinished period (end instant after `now`) gets "partial period: to <local
    date of now>" appended to its note; its value is left out of the smoothing (the smoothed
    value carries forward) and it is never an anomaly. `history` (columns SERIES_KEY,
    period_start, value, sample_size: finished earlier periods of the same series) is where
    the smoothing and anomalies start from; only `frame`'s rows are returned. Each metric's
    definition says what its periods weigh in `smoothed` (`smoothing_weight`) and how its
    anomalies are judged (`anomaly_model`, apps.metrics.anomalies). Raises ValueError for a
    metric missing from `definitions`.
    """
    if frame.empty:
        return frame.assign(period_end=[], unit=[], partial=[], smoothed=[], anomaly=[])
    unknown = sorted(set(frame["metric"]) - set(definitions))
    if unknown:
        raise ValueError(f"metric frame: unregistered metrics {unknown}")
    out = frame.sort_values(ROW_KEY, kind="stable").reset_index(drop=True)
    out["period_end"] = _period_ends(out)
    out["unit"] = out["metric"].map({name: d.unit for name, d in definitions.items()})
    out["partial"] = [local_midnight(end, tz) > now for end in out["period_end"]]
    out["note"] = _notes_with_partial(out, now=now, tz=tz)
    value = out["value"].where(~out["partial"], np.nan)
    finished = out[[*ROW_KEY, "sample_size"]].assign(value=value)
    series = finished
    if history is not None and not history.empty:
        earlier = history[[*ROW_KEY, "value", "sample_size"]].assign(_history=True)
        series = pd.concat([earlier, finished.assign(_history=False)], ignore_index=True)
        series = series.sort_values(ROW_KEY, kind="stable", ignore_index=True)
    mine = None if series is finished else ~series["_history"].astype(bool).to_numpy()
    smoothed, anomaly = _trend_and_anomalies(series, definitions, half_life, only=mine)
    if mine is not None:  # keep the frame's own rows, in the same (sorted) order
        smoothed, anomaly = smoothed[mine], anomaly[mine]
    out["smoothed"] = smoothed
    out["anomaly"] = anomaly
    return out


def _period_ends(frame: pd.DataFrame) -> list[date]:
    """The period_end of each row (its period_start and granularity)."""
    pairs = _period_keys(frame)
    ends = {key: next_period_start(key[0], key[1]) for key in set(pairs)}
    return [ends[key] for key in pairs]


def _period_keys(frame: pd.DataFrame) -> list[tuple[date, Granularity]]:
    """(period_start, granularity) of each row, from plain lists: iterating Arrow-backed
    strings row by row costs about 6 µs a value."""
    granularities = frame["granularity"].astype(object).tolist()
    known = {g: as_granularity(g) for g in set(granularities)}
    return list(
        zip(frame["period_start"].tolist(), map(known.__getitem__, granularities), strict=True)
    )


def _trend_and_anomalies(
    series: pd.DataFrame,
    definitions: Mapping[str, MetricDefinition],
    half_life: float,
    *,
    only: np.ndarray | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """(smoothed, anomaly) of each row of `series` (ROW_KEY, value, sample_size; sorted);
    anomalies judged only on the rows of the mask `only` when given (apps.metrics.anomalies)."""
    starts = _period_keys(series)
    lengths = {key: (next_period_start(*key) - key[0]).days for key in set(starts)}
    days = pd.Series([lengths[key] for key in starts], index=series.index, dtype=float)
    weighing = series["metric"].map({n: d.smoothing_weight for n, d in definitions.items()})
    weights = pd.Series(
        np.select(
            [weighing == "equal", weighing == "period_length"],
            [1.0, days],
            default=series["sample_size"].astype(float),
        ),
        index=series.index,
    )
    keys = [series[c] for c in SERIES_KEY]
    smoothed = grouped_smooth(series["value"], keys, half_life=half_life, weights=weights)
    models = {name: str(d.anomaly_model) for name, d in definitions.items()}
    tests = anomaly_tests(series.assign(days=days), models=models, only=only)
    return smoothed.to_numpy(), tests["anomaly"].to_numpy(bool)


def _notes_with_partial(frame: pd.DataFrame, *, now: datetime, tz: str) -> list[str]:
    today = pd.Timestamp(now).tz_convert(tz).date().isoformat()
    partial_note = f"{PARTIAL_NOTE}: to {today}"
    notes = []
    for note, partial in zip(frame["note"], frame["partial"], strict=True):
        if partial and PARTIAL_NOTE not in note:
            note = f"{note}; {partial_note}" if note else partial_note
        notes.append(note)
    return notes


ScopeKey = tuple[str, str]  # scope, scope_key


def period_starts(
    granularity: Granularity,
    *,
    first: date | None,
    now: datetime | None,
    tz: str = "UTC",
    since: date | None = None,
    last: date | None = None,
) -> list[date]:
    """The periods one series has rows for (the gap-filling range of docs/metrics.md#rows), as
    period starts: from the period containing `first` (the series' first day with data, or of
    its stored rows) through the current period (the one containing `now` in `tz`), or through
    the period containing `last` when that is later. `now` None: through `last`'s period only
    (data that lags, like cost exports). With `since` (a since-recompute) the periods before
    the first replaced one are left out: they are not rewritten. [] when `first` is None."""
    ends = [period_start_of(last, granularity)] if last is not None else []
    if now is not None:
        ends.append(period_of(now, granularity, tz))
    if first is None or not ends:
        return []
    begin = first if since is None else max(first, period_start_of(since, granularity))
    return list(iter_periods(begin, max(ends), granularity))


def scope_periods(
    granularity: Granularity,
    *,
    firsts: Mapping[ScopeKey, date | None],
    now: datetime | None,
    tz: str = "UTC",
    since: date | None = None,
    lasts: Mapping[ScopeKey, date | None] | None = None,
) -> dict[ScopeKey, list[date]]:
    """The grid of a family whose scopes have series of their own: {(scope, scope_key): period
    starts} for every scope key that must appear — the keys of `firsts`, each with its first
    day of data or stored rows (None: neither; such a key gets no rows) — each over
    `period_starts` (through `lasts[key]` when later than the current period).

    This is the one place that decides which scope keys get rows over which periods; families
    compute their values over what it returns. Today each key's series starts at its own
    first period. A rule such as "every configured team has rows over the organisation's range
    of periods" is one change here: add the configured teams to the keys (None when a team has
    no data) and start every ("team", slug) at the ("org", "") key's first."""
    grid = {}
    for key, first in firsts.items():
        last = (lasts or {}).get(key)
        starts = period_starts(granularity, first=first, now=now, tz=tz, since=since, last=last)
        if starts:
            grid[key] = starts
    return grid


NO_TEAM_DATA = "nothing of this team's in the period"


def teams_filled(
    frame: pd.DataFrame,
    *,
    teams: Sequence[str],
    definitions: Mapping[str, MetricDefinition],
) -> pd.DataFrame:
    """Every configured team has rows (docs/metrics.md#every-configured-team-has-rows): each
    team-scope metric of `frame` gets, for every slug of `teams`, a row for each period the
    organisation's series of it has and the team's has not: 0 with sample_size 0 where the
    metric's `when_empty` is "zero" (counts and sums), else null with the note NO_TEAM_DATA.
    The rows a family computed are kept as they are; `frame` is registry-format."""
    team_metrics = [name for name, d in definitions.items() if "team" in d.scopes]
    if frame.empty or not teams or not team_metrics:
        return frame
    keys = ["metric", "granularity", "period_start"]
    text = {c: object for c in ("metric", "scope", "scope_key", "granularity")}
    rows = frame.astype(text)
    org = rows[(rows["scope"] == "org") & rows["metric"].isin(team_metrics)]
    if org.empty:
        return frame
    wanted = (
        org[keys]
        .drop_duplicates()
        .merge(pd.DataFrame({"scope_key": list(teams)}, dtype=object), how="cross")
    )
    have = rows.loc[rows["scope"] == "team", [*keys, "scope_key"]].drop_duplicates()
    found = wanted.merge(have, how="left", on=[*keys, "scope_key"], indicator=True)
    missing = found[found["_merge"] == "left_only"].drop(columns="_merge")
    if missing.empty:
        return frame
    zero = missing["metric"].map({n: d.when_empty == "zero" for n, d in definitions.items()})
    zero = zero.astype(bool).to_numpy()
    filled = missing.assign(
        scope="team",
        value=np.where(zero, 0.0, np.nan),
        sample_size=0,
        note=np.where(zero, "", NO_TEAM_DATA).astype(object),
    )
    return pd.concat([rows, filled[list(FRAME_COLUMNS)]], ignore_index=True)
