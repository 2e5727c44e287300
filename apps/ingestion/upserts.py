"""Bulk, idempotent upserts keyed by the source's own ids: a sync run twice stores the same
rows."""

from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import models

NUL = "\x00"


def text_clean(value: Any) -> Any:
    """`value` without NUL characters, in strings and inside lists / dicts (JSON fields).

    Upstream text can carry NULs (a recorded Jira description does); PostgreSQL rejects them in
    text and jsonb ("text fields cannot contain NUL (0x00) bytes"), so they are dropped on ingest.
    """
    if isinstance(value, str):
        return value.replace(NUL, "") if NUL in value else value
    if isinstance(value, list):
        return [text_clean(item) for item in value]
    if isinstance(value, dict):
        return {text_clean(k): text_clean(v) for k, v in value.items()}
    return value


def _clean_rows(rows: Sequence[models.Model], fields: list[str]) -> None:
    for row in rows:
        for name in fields:
            value = getattr(row, name)
            if isinstance(value, str | list | dict):
                setattr(row, name, text_clean(value))


def rows_upsert(
    *,
    model: type[models.Model],
    rows: Sequence[models.Model],
    unique_fields: list[str],
    update_fields: list[str],
    batch_size: int = 500,
) -> int:
    """Insert `rows` (unsaved instances of `model`), updating `update_fields` of any row whose
    `unique_fields` already exist. One `INSERT ... ON CONFLICT DO UPDATE` per batch on
    PostgreSQL and SQLite, so running it twice with the same rows gives the same table.
    Text is cleaned of NUL characters first (see `text_clean`).

    Returns the number of rows sent. Call it inside the transaction that also advances the
    cursor covering these rows.
    """
    if not rows:
        return 0
    _clean_rows(rows, [f.attname for f in model._meta.concrete_fields])
    window = _window.get()
    if window is not None:
        window.rows_note(
            model=model, rows=rows, unique_fields=unique_fields, update_fields=update_fields
        )
    model._default_manager.bulk_create(
        rows,
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )
    return len(rows)


# Fields whose change alone affects no stored metric: upstream bookkeeping, and what only the
# records behind a number show (computed when asked, never stored). State and status follow
# the timestamps metrics do use (closed_at, merged_at, resolved_at, resolution_date); so does a
# PR's merge_commit_sha, which GitHub sets when it merges (merged_at) and which, before that,
# names a test merge that changes with every push
# (https://docs.github.com/en/rest/pulls/pulls#get-a-pull-request), and its is_draft, which
# no metric reads (a draft made ready is its ready_for_review_at).
UNTRACKED_FIELDS = frozenset(
    {
        "updated_at",
        "last_status_change_at",
        "html_url",
        "summary",
        "assignee_name",
        "reporter_name",
        "state",
        "status",
        "status_category",
        "merge_commit_sha",
        "is_draft",
    }
)


def _state_reason_meaning(value: object) -> object:
    """A GitHub issue's state_reason as metrics read it: only a not-a-bug closure (not_planned,
    duplicate) changes what counts, over the bug's whole life; completed, reopened and none are
    alike (their closing is the closed_at change)."""
    from apps.quality.bugs import NOT_A_BUG_STATE_REASONS

    return value if value in NOT_A_BUG_STATE_REASONS else ""


def _state_reason_meanings() -> Callable[[object], object]:
    return _state_reason_meaning


def _resolution_meanings() -> Callable[[object], object]:
    """A Jira issue's resolution as metrics read it: one of bugs.ignored_resolutions (no bug
    at all) or bugs.known_resolutions (a known bug) changes what the issue was over its whole
    life; any other (Done, Fixed...) only resolves it, which its resolution_date says. The
    settings are read once per call (once per page of rows)."""
    from apps.organization.selectors import org_settings

    bugs = org_settings().bugs
    telling = {*bugs.ignored_resolutions, *bugs.known_resolutions}
    return lambda value: value if value in telling else ""


# Fields compared by what they mean to metrics rather than by value: each a function giving
# the meaning function (called once per page, only when some row's value changed).
COMPARED_AS: dict[str, Callable[[], Callable[[object], object]]] = {
    "state_reason": _state_reason_meanings,
    "resolution": _resolution_meanings,
}


def column_attname(model: type[models.Model], name: str) -> str:
    """The column attribute of field `name` of `model` (`team_id` for `team`)."""
    field = model._meta.get_field(name)
    if not isinstance(field, models.Field):
        raise ValueError(f"{model._meta.label}.{name} is a reverse relation, not a column")
    return field.attname


def _differs(name: str, old: object, new: object, meanings: dict) -> bool:
    """Whether field `name` changed from `old` to `new` for metrics (`meanings` caches the
    COMPARED_AS meaning functions of one page)."""
    if old == new or name not in COMPARED_AS:
        return old != new
    if name not in meanings:
        meanings[name] = COMPARED_AS[name]()
    return meanings[name](old) != meanings[name](new)


@dataclass
class ChangeWindow:
    """The earliest instant the rows upserted inside `changes_tracked()` can affect.

    Every metric places a record by its own timestamps (created, merged, resolved, released...),
    and those are never before the record's earliest one, so:
    - a new row affects periods from its earliest timestamp;
    - a stored row whose non-timestamp fields changed (priority, labels, size...) likewise,
      taking the earlier of its old and new timestamps;
    - a stored row where only timestamps changed, from the earliest old or new value of those
      (closing an open bug at T changes nothing before T);
    - a row sent again unchanged (or with only `UNTRACKED_FIELDS` changed), nowhere.
    Deleted rows are not seen here: a sync that deletes is a full one, recomputed in full.
    `earliest` is None while nothing changed. The hourly recompute starts there
    (docs/metrics.md#when-rows-are-rewritten), and the nightly full recompute catches links
    between records (a Jira issue's story points reaching a PR merged before the issue was
    created)."""

    earliest: datetime | None = None
    changed_rows: int = 0

    def note(self, instants: list[datetime | None]) -> None:
        known = [t for t in instants if t is not None]
        if known:
            self.changed_rows += 1
            first = min(known)
            self.earliest = first if self.earliest is None else min(self.earliest, first)

    def rows_note(
        self,
        *,
        model: type[models.Model],
        rows: Sequence[models.Model],
        unique_fields: list[str],
        update_fields: list[str],
    ) -> None:
        """Compare `rows` with the stored rows of the same keys (one query) and note changes."""
        keys = [column_attname(model, name) for name in unique_fields]
        times = [
            f.attname for f in model._meta.concrete_fields if isinstance(f, models.DateTimeField)
        ]
        compared = [column_attname(model, n) for n in update_fields if n not in UNTRACKED_FIELDS]
        stored = {
            tuple(values[: len(keys)]): dict(
                zip(times + compared, values[len(keys) :], strict=True)
            )
            for values in model._default_manager.filter(
                **{f"{k}__in": {getattr(r, k) for r in rows} for k in keys}
            ).values_list(*keys, *times, *compared)
        }
        meanings: dict[str, Callable[[object], object]] = {}
        for row in rows:
            old = stored.get(tuple(getattr(row, k) for k in keys))
            new = {name: getattr(row, name) for name in times + compared}
            if old is None:
                self.note([new[t] for t in times])
                continue
            changed = [n for n in compared if _differs(n, old[n], new[n], meanings)]
            if any(n not in times for n in changed):
                self.note([old[t] for t in times] + [new[t] for t in times])
            elif changed:
                self.note([old[t] for t in changed] + [new[t] for t in changed])


_window: ContextVar[ChangeWindow | None] = ContextVar("keel_change_window", default=None)


def change_note(instants: list[datetime | None]) -> None:
    """For writes that bypass `rows_upsert` (a tag's commit date, a deployment's first success,
    a PR's size): one changed row affecting periods from the earliest of `instants`."""
    window = _window.get()
    if window is not None:
        window.note(instants)


@contextmanager
def changes_tracked(window: ChangeWindow) -> Iterator[ChangeWindow]:
    """Inside the block, every `rows_upsert` notes what it changes in `window`."""
    token = _window.set(window)
    try:
        yield window
    finally:
        _window.reset(token)
