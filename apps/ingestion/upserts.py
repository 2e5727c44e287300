"""Bulk, idempotent upserts keyed by the source's own ids (CONVENTIONS §7)."""

from collections.abc import Sequence

from django.db import models


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

    Returns the number of rows sent. Call it inside the transaction that also advances the
    cursor covering these rows.
    """
    if not rows:
        return 0
    model.objects.bulk_create(
        rows,
        batch_size=batch_size,
        update_conflicts=True,
        unique_fields=unique_fields,
        update_fields=update_fields,
    )
    return len(rows)
