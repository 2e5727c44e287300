"""Syncing a code host repo's lists (GitHub repos, GitLab projects), the same for every host.

Every list is read page by page; each page is upserted in its own transaction (idempotent,
keyed by the host's ids), and the list's cursor and first-page ETag are stored only after its
last page is committed. A crash or a malformed page therefore leaves earlier pages stored and
the cursor where it was, and the next run re-reads from there and ends with exactly the rows of
a clean run.
"""

from collections.abc import Callable, Iterator
from datetime import datetime
from typing import Protocol, TypeVar

from django.db import models, transaction

from apps.ingestion.cursors import cursor_set, validator_set
from apps.ingestion.runs import RunTally
from apps.organization.models import Repo, Source
from integrations.http import Page


class Updated(Protocol):
    """A record with the time its host last changed it."""

    @property
    def updated_at(self) -> datetime: ...


T = TypeVar("T", bound=Updated)
Progress = Callable[[str], None]


def list_sync(
    *,
    repo: Repo,
    endpoint: str,
    pages: Iterator[Page],
    save: Callable[[list], int],
    tally: RunTally,
    progress: Progress,
    cursor: bool = False,
) -> None:
    """Store every page of one list, each page in its own transaction; after the last page,
    commit the first page's ETag and (with `cursor`) the newest `updated_at` seen as the
    endpoint's cursor, together. A 304 on the first page means nothing changed: no work."""
    first: Page | None = None
    newest: datetime | None = None
    read = 0
    for page in pages:
        first = first or page
        if page.not_modified:
            return
        with transaction.atomic():
            tally.add(repo.full_name, endpoint, save(page.items))
        read += len(page.items)
        if cursor and page.items:
            newest = max(newest or page.items[0].updated_at, *(i.updated_at for i in page.items))
        progress(f"{repo.full_name}: {endpoint} {read} read")
    with transaction.atomic():
        if first is not None:
            validator_set(source=repo.source, url=first.url, etag=first.etag)
        if newest is not None:
            cursor_set(source=repo.source, scope=repo.full_name, endpoint=endpoint, value=newest)


def stored_at_cursor_drop(
    *,
    model: type[models.Model],
    repo: Repo,
    records: list[T],
    since: datetime | None,
    external_id: Callable[[T], int],
) -> list[T]:
    """`records` without those updated exactly at the cursor `since` and stored as of then
    (`model` rows of `repo` by `external_id(record)`): a list read down to the cursor inclusive
    (another record may share its second) gives back the rows the last run ended with."""
    if since is None:
        return records
    at_cursor = {external_id(r) for r in records if r.updated_at == since}
    if not at_cursor:
        return records
    stored = set(
        model._default_manager.filter(
            repo=repo, external_id__in=at_cursor, updated_at=since
        ).values_list("external_id", flat=True)
    )
    return [r for r in records if external_id(r) not in stored]


def repos_to_sync(*, source: Source, scopes: list[str] | None) -> list[Repo]:
    """The source's enabled repos (by full name), or those of them named in `scopes` (full names,
    any case)."""
    repos = list(source.repos.filter(enabled=True).select_related("source"))
    if scopes is None:
        return repos
    wanted = {s.lower() for s in scopes}
    return [r for r in repos if r.full_name.lower() in wanted]
