"""Cursors and list-URL validators (ETags) of a source. Both are written only inside the
transaction that commits the data they cover, so a crash never leaves them ahead of the data."""

from datetime import datetime

from django.utils.dateparse import parse_datetime

from apps.ingestion.models import HttpValidator, SyncCursor
from apps.organization.models import Source


def cursor_get(*, source: Source, scope: str, endpoint: str) -> datetime | None:
    """The stored cursor as an aware datetime, or None when the endpoint was never synced."""
    value = (
        SyncCursor.objects.filter(source=source, scope=scope, endpoint=endpoint)
        .values_list("value", flat=True)
        .first()
    )
    return parse_datetime(value) if value else None


def cursor_set(*, source: Source, scope: str, endpoint: str, value: datetime) -> None:
    """Advance (or set) a cursor. Call inside the transaction that committed the data."""
    SyncCursor.objects.update_or_create(
        source=source, scope=scope, endpoint=endpoint, defaults={"value": value.isoformat()}
    )


def validators_get(*, source: Source) -> dict[str, str]:
    """{list URL: ETag} for conditional requests (`If-None-Match`)."""
    return dict(HttpValidator.objects.filter(source=source).values_list("url", "etag"))


def validator_set(*, source: Source, url: str, etag: str | None) -> None:
    """Remember a list URL's ETag once its data is committed; None forgets it."""
    if not etag:
        HttpValidator.objects.filter(source=source, url=url).delete()
        return
    HttpValidator.objects.update_or_create(source=source, url=url, defaults={"etag": etag})


def source_sync_state_reset(*, source: Source) -> None:
    """Forget every cursor and ETag of a source: the next sync re-reads everything (`--full`)."""
    SyncCursor.objects.filter(source=source).delete()
    HttpValidator.objects.filter(source=source).delete()
