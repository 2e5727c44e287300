"""Read side of delivery: releases (derived per repo from its `release_source`, spec §5.1) and
merged pull requests, as DataFrames for the pure computations of apps.delivery.computations."""

import re

import pandas as pd
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from apps.core.frames import queryset_frame, run_cached
from apps.delivery.models import Deployment, GitHubRelease, PullRequest, Tag
from apps.organization.models import Repo, Source

RELEASE_COLUMNS = ["repo_id", "repo", "team", "release", "released_at", "url"]
PULL_COLUMNS = [
    "repo_id",
    "repo",
    "team",
    "number",
    "title",
    "user_login",
    "merged_at",
    "additions",
    "deletions",
    "url",
]


def repos_configured() -> list[Repo]:
    """The GitHub repos of enabled sources: only what is configured counts (spec §7)."""
    return list(
        Repo.objects.filter(source__enabled=True, source__kind=Source.Kind.GITHUB)
        .select_related("team", "source")
        .order_by("full_name")
    )


def github_web_url(base_url: str) -> str:
    """The web host of an API base URL: api.github.com → github.com; GHE HOST/api/v3 → HOST."""
    url = base_url.rstrip("/")
    if url.endswith("/api/v3"):
        return url[: -len("/api/v3")]
    return url.replace("://api.github.com", "://github.com")


def _repo_releases(repo: Repo) -> list[tuple[str, object, str]]:
    """(release name, released_at, url) of one repo by its release_source (values, not model
    instances: a repo can have thousands of deployments)."""
    if repo.release_source == Repo.ReleaseSource.RELEASES:
        rows = GitHubRelease.objects.filter(
            repo=repo, draft=False, prerelease=False, published_at__isnull=False
        )
        return list(rows.values_list("tag_name", "published_at", "html_url"))
    web = f"{github_web_url(repo.source.base_url)}/{repo.full_name}"
    if repo.release_source == Repo.ReleaseSource.DEPLOYMENTS:
        pattern = re.compile(repo.production_environment)
        rows = Deployment.objects.filter(repo=repo, first_success_at__isnull=False)
        return [
            (f"{env}#{github_id}", at, f"{web}/deployments/{env}")
            for env, github_id, at in rows.values_list("environment", "github_id",
                                                       "first_success_at")
            if pattern.search(env)
        ]
    pattern = re.compile(repo.tag_pattern)
    rows = Tag.objects.filter(repo=repo, committed_at__isnull=False)
    return [
        (name, at, f"{web}/releases/tag/{name}")
        for name, at in rows.values_list("name", "committed_at")
        if pattern.search(name)
    ]


def releases_frame(*, repos: list[Repo] | None = None) -> pd.DataFrame:
    """One row per release of the configured repos.

    Columns: repo_id (int), repo ("owner/name"), team (slug, "" when unmapped), release (tag or
    deployment name), released_at (datetime64[ns, UTC]), url (web link). Sorted by repo, time.
    """
    rows = []
    for repo in repos if repos is not None else repos_configured():
        team = repo.team.slug if repo.team else ""
        for name, released_at, url in _repo_releases(repo):
            rows.append((repo.pk, repo.full_name, team, name, released_at, url))
    frame = pd.DataFrame(rows, columns=RELEASE_COLUMNS)
    frame["released_at"] = pd.to_datetime(frame["released_at"], utc=True)
    return frame.sort_values(["repo_id", "released_at", "release"], ignore_index=True)


@run_cached
def merged_pulls_frame(*, where: Q | None = None) -> pd.DataFrame:
    """One row per merged PR of the configured repos (only those matching `where` when given).

    Columns: repo_id, repo, team, number, title, user_login, merged_at (datetime64[ns, UTC]),
    additions, deletions (float; NaN while the size is not fetched yet), url, head_ref.
    Cached within a metric recompute (apps.core.frames.compute_cache): do not modify it.
    """
    by_id = {r.pk: r for r in repos_configured()}
    pulls = PullRequest.objects.filter(repo_id__in=list(by_id), merged_at__isnull=False)
    if where is not None:
        pulls = pulls.filter(where)
    frame = queryset_frame(pulls, {
        "repo_id": "int", "number": "int", "title": "str", "user_login": "str",
        "merged_at": "datetime", "additions": "float", "deletions": "float", "html_url": "str",
        "head_ref": "str"}).rename(columns={"html_url": "url"})
    frame = repo_columns(frame, by_id)[[*PULL_COLUMNS, "head_ref"]]
    return frame.sort_values(["repo_id", "merged_at", "number"], ignore_index=True)


def repo_columns(frame: pd.DataFrame, by_id: dict[int, Repo]) -> pd.DataFrame:
    """`frame` (with repo_id) plus repo ("owner/name") and team (slug, "" when unmapped)."""
    frame["repo"] = frame["repo_id"].map({pk: r.full_name for pk, r in by_id.items()})
    frame["team"] = frame["repo_id"].map(
        {pk: r.team.slug if r.team else "" for pk, r in by_id.items()})
    return frame


def pulls_mentioning(keys: set[str]) -> Q:
    """PRs whose title or head branch mentions any of `keys` (PullRequest.issue_refs). On
    PostgreSQL one pass over the PRs' refs against a hashed array (`= ANY`), which stays fast
    for tens of thousands of keys where GIN `?|` probes each key; elsewhere every PR: a
    superset, never a miss."""
    if not keys:
        return Q(pk__in=[])
    if connection.vendor != "postgresql":
        return Q()
    table = PullRequest._meta.db_table
    mentioning = RawSQL(
        f"SELECT p.id FROM {table} p, jsonb_array_elements_text(p.issue_refs) ref "  # noqa: S608
        "WHERE ref = ANY(%s)", (sorted(keys),))
    return Q(pk__in=mentioning)


def shipped_after(releases: pd.DataFrame, instant) -> Q:
    """The PRs a release at or after `instant` ships: per repo, those merged after the repo's
    last release before `instant` (all of a repo's PRs when it had none)."""
    earlier = releases[releases["released_at"] < instant].groupby("repo_id")["released_at"].max()
    window = Q(pk__in=[])
    for repo_id in {r.pk for r in repos_configured()}:
        last = earlier.get(repo_id)
        window |= Q(repo_id=repo_id) if last is None else Q(repo_id=repo_id, merged_at__gt=last)
    return window
