"""Fault-test check: no cursor or ETag of a GitHub source ahead of the data it covers."""

from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from django.db import models

from apps.delivery.models import Deployment, PullRequest, Release, Tag
from apps.ingestion.models import HttpValidator, SyncCursor
from apps.organization.models import Source
from apps.quality.models import Issue

_GITHUB_LISTS: dict[str, tuple[Callable[[Any], set], Callable[[str], set]]] = {
    "releases": (
        lambda r: {i["id"] for i in r.releases},
        lambda name: _ids(Release, name, "external_id"),
    ),
    "tags": (lambda r: {t["name"] for t in r.tags}, lambda name: _ids(Tag, name, "name")),
    "deployments": (
        lambda r: {d["id"] for d in r.deployments},
        lambda name: _ids(Deployment, name, "external_id"),
    ),
    "pulls": (
        lambda r: {p["id"] for p in r.pulls},
        lambda name: _ids(PullRequest, name, "external_id"),
    ),
    "issues": (
        lambda r: {i["id"] for i in r.issues if "pull_request" not in i},
        lambda name: _ids(Issue, name, "external_id"),
    ),
}


def _ids(model: type[models.Model], repo: str, column: str) -> set:
    return set(model.objects.filter(repo__full_name=repo).values_list(column, flat=True))


def github_state_ahead(world: Any, source: Source) -> list[str]:
    """Where a stored cursor or ETag of a GitHub `source` is ahead of the stored data: a cursor
    covering an upstream item updated at or before it that is not stored (the next run would
    never read it again), or a list ETag whose list is not completely stored (a 304 would skip
    it). Empty when the sync state is safe."""
    repos = {r.full_name: r for r in world.repos}
    problems = []
    for cursor in SyncCursor.objects.filter(source=source):
        repo, upto = repos[cursor.scope], datetime.fromisoformat(cursor.value)
        upstream, stored = _GITHUB_LISTS[cursor.endpoint]
        items = repo.pulls if cursor.endpoint == "pulls" else repo.issues
        covered = {i["id"] for i in items if datetime.fromisoformat(i["updated_at"]) <= upto}
        missing = (covered & upstream(repo)) - stored(repo.full_name)
        if missing:
            problems.append(f"cursor {cursor}: {len(missing)} covered rows not stored")
    for validator in HttpValidator.objects.filter(source=source):
        _, _, owner, name, endpoint = urlsplit(validator.url).path.split("/")
        upstream, stored = _GITHUB_LISTS[endpoint]
        missing = upstream(repos[f"{owner}/{name}"]) - stored(f"{owner}/{name}")
        if missing:
            problems.append(f"ETag of {validator.url}: {len(missing)} rows of the list not stored")
    return problems
