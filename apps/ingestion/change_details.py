"""Provider-neutral save of a code host's changes in detail: a pull request (GitHub) or merge
request (GitLab) with its commits, reviews and changed files.

Each provider's mapping turns its client records into unsaved rows (`ChangeDetail`); this
module upserts them and deletes the children a change no longer has, the same for every host.
"""

from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import TypeVar

from django.db import models

from apps.delivery.models import (
    PullRequest,
    PullRequestCommit,
    PullRequestFile,
    PullRequestReview,
)
from apps.ingestion.runs import RunTally
from apps.ingestion.upserts import change_note, column_attname, rows_upsert
from apps.organization.models import Repo

T = TypeVar("T")

# Rows are upserted by the host's id within their repo.
REPO_KEY = ["repo", "external_id"]
PULL_DETAIL_FIELDS = [
    "repo",
    "number",
    "title",
    "body",
    "state",
    "user_login",
    "user_type",
    "head_ref",
    "issue_refs",
    "labels",
    "html_url",
    "created_at",
    "updated_at",
    "closed_at",
    "merged_at",
    "additions",
    "deletions",
    "changed_files",
    "commits_count",
    "is_draft",
    "ready_for_review_at",
    "user_is_bot",
    "closing_issue_refs",
    "merge_commit_sha",
]
COMMIT_FIELDS = ["position", "message", "author_login", "authored_at", "committed_at"]
REVIEW_FIELDS = ["state", "author_login", "author_type", "submitted_at"]
FILE_FIELDS = ["additions", "deletions"]


@dataclass(frozen=True)
class ChangeDetail:
    """One change as unsaved rows. `pull` has its repo and `external_id` set; the children have
    no pull yet, and commits no position (their order in `commits` gives it)."""

    pull: PullRequest
    commits: list[PullRequestCommit]
    reviews: list[PullRequestReview]
    files: list[PullRequestFile]


def change_details_save(*, repo: Repo, details: list[ChangeDetail]) -> dict[str, int]:
    """Upsert the changes of `repo` with their commits, reviews and files, and delete the stored
    children they no longer have (a force-push drops commits, a file can be reverted out).
    A child listed twice is kept once, first listing first (a host can list an item twice when
    it changes between two pages). Idempotent: the same details give the same rows. Returns
    rows sent per kind: {"pulls", "pull_commits", "pull_reviews", "pull_files"}. Call inside
    the transaction that commits the page."""
    sent = {"pulls": 0, "pull_commits": 0, "pull_reviews": 0, "pull_files": 0}
    if not details:
        return sent
    sent["pulls"] = rows_upsert(
        model=PullRequest,
        rows=[d.pull for d in details],
        unique_fields=REPO_KEY,
        update_fields=PULL_DETAIL_FIELDS,
    )
    pks = dict(
        PullRequest.objects.filter(
            repo=repo, external_id__in=[d.pull.external_id for d in details]
        ).values_list("external_id", "pk")
    )
    commits: list[PullRequestCommit] = []
    reviews: list[PullRequestReview] = []
    files: list[PullRequestFile] = []
    for d in details:
        pk = pks[d.pull.external_id]
        for i, c in enumerate(unique(d.commits, key=lambda c: c.sha)):
            c.pull_id, c.position = pk, i
            commits.append(c)
        for r in unique(d.reviews, key=lambda r: r.external_id):
            r.pull_id = pk
            reviews.append(r)
        for f in unique(d.files, key=lambda f: f.path):
            f.pull_id = pk
            files.append(f)
    pulls = list(pks.values())
    children: list[tuple[str, type[models.Model], list, list[str], list[str]]] = [
        ("pull_commits", PullRequestCommit, commits, ["pull", "sha"], COMMIT_FIELDS),
        ("pull_reviews", PullRequestReview, reviews, ["pull", "external_id"], REVIEW_FIELDS),
        ("pull_files", PullRequestFile, files, ["pull", "path"], FILE_FIELDS),
    ]
    for kind, model, rows, keys, fields in children:
        sent[kind] = rows_upsert(model=model, rows=rows, unique_fields=keys, update_fields=fields)
        _children_prune(model, pulls, rows, keys)
    return sent


def unique(items: Iterable[T], *, key: Callable[[T], Hashable]) -> list[T]:
    """`items` without later repeats of the same key (a host can list an item twice when it
    changes between two pages)."""
    seen: dict[Hashable, T] = {}
    for item in items:
        seen.setdefault(key(item), item)
    return list(seen.values())


def _children_prune(
    model: type[models.Model], pulls: list[int], rows: list, keys: list[str]
) -> None:
    """Delete the children of `pulls` that are not among `rows` (by `keys`), noting each
    deleted row's times as a change."""
    attnames = [column_attname(model, k) for k in keys]
    kept = {tuple(getattr(r, a) for a in attnames) for r in rows}
    times = [
        f.attname for f in model._meta.concrete_fields if f.get_internal_type() == "DateTimeField"
    ]
    stale = [
        values
        for values in model._default_manager.filter(pull_id__in=pulls).values_list(
            "pk", *attnames, *times
        )
        if tuple(values[1 : 1 + len(attnames)]) not in kept
    ]
    if stale:
        model._default_manager.filter(pk__in=[v[0] for v in stale]).delete()
        for values in stale:
            change_note(list(values[1 + len(attnames) :]))


def change_details_tally(tally: RunTally, repo: Repo, sent: dict[str, int]) -> int:
    """Add the commits, reviews and files `change_details_save` sent (its return value) to the
    run's tally under `repo`, and return the changes it sent: what a page's save reports."""
    for kind in ("pull_commits", "pull_reviews", "pull_files"):
        tally.add(repo.full_name, kind, sent[kind])
    return sent["pulls"]
