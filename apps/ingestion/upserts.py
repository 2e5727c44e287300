"""Bulk, idempotent upserts keyed by the source's own ids (CONVENTIONS §7)."""

from collections.abc import Sequence
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
    model.objects.bulk_create(
        rows,
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )
    return len(rows)
