"""Read side of delivery: releases (derived per repo from its `release_source`,
docs/metrics.md#release_frequency) and merged pull requests, as DataFrames for the pure computations
of apps.delivery.computations."""

import re
from collections.abc import Callable, Iterator
from datetime import datetime

import pandas as pd
from django.db import connection
from django.db.models import Q
from django.db.models.expressions import RawSQL

from apps.core.frames import queryset_frame, run_cached
from apps.delivery.models import Deployment, PullRequest, Release, Tag
from apps.organization.models import Repo
from apps.organization.selectors import repos_counted
from apps.organization.sources import source_adapter

RELEASE_COLUMNS = ["repo_id", "repo", "team", "release", "released_at", "url"]
PULL_COLUMNS = [
    "repo_id",
    "repo",
    "team",
    "number",
    "title",
    "user_login",
    "user_type",
    "merged_at",
    "additions",
    "deletions",
    "url",
]


def repos_configured() -> list[Repo]:
    """The repos that count: configured and enabled (apps.organization.selectors)."""
    return list(repos_counted().select_related("team", "source").order_by("full_name"))


def _releases_by_repo(repos: list[Repo]) -> dict[int, list[tuple[str, object, str]]]:
    """{repo id: [(release name, released_at, url)]} by each repo's release_source: one query
    per kind of source for all repos (values, not model instances)."""
    out: dict[int, list[tuple[str, object, str]]] = {r.pk: [] for r in repos}
    by_kind: dict[str, dict[int, Repo]] = {}
    for repo in repos:
        by_kind.setdefault(repo.release_source, {})[repo.pk] = repo
    readers = {
        Repo.ReleaseSource.RELEASES: _published,
        Repo.ReleaseSource.DEPLOYMENTS: _deployed,
        Repo.ReleaseSource.TAGS: _tagged,
    }
    for kind, of_kind in by_kind.items():
        for repo_id, release in readers[Repo.ReleaseSource(kind)](of_kind):
            out[repo_id].append(release)
    return out


def _published(repos: dict[int, Repo]) -> Iterator[tuple[int, tuple[str, object, str]]]:
    rows = Release.objects.filter(
        repo_id__in=list(repos), draft=False, prerelease=False, published_at__isnull=False
    )
    for repo_id, name, at, url in rows.values_list(
        "repo_id", "tag_name", "published_at", "html_url"
    ):
        yield repo_id, (name, at, url)


def _deployed(repos: dict[int, Repo]) -> Iterator[tuple[int, tuple[str, object, str]]]:
    """First successful deployments to an environment matching production_environment."""
    patterns = {pk: re.compile(r.production_environment) for pk, r in repos.items()}
    links = {pk: _links(r) for pk, r in repos.items()}
    rows = Deployment.objects.filter(repo_id__in=list(repos), first_success_at__isnull=False)
    for repo_id, env, external_id, at in rows.values_list(
        "repo_id", "environment", "external_id", "first_success_at"
    ):
        if patterns[repo_id].search(env):
            yield repo_id, (f"{env}#{external_id}", at, links[repo_id]("deployment", env))


def _tagged(repos: dict[int, Repo]) -> Iterator[tuple[int, tuple[str, object, str]]]:
    """Tags matching tag_pattern, at their commit's date; several such tags on one commit are
    one release, named by its tags in name order (`v1.2, v1.2.0`), linked to the first."""
    patterns = {pk: re.compile(r.tag_pattern) for pk, r in repos.items()}
    links = {pk: _links(r) for pk, r in repos.items()}
    rows = Tag.objects.filter(repo_id__in=list(repos), committed_at__isnull=False)
    commits: dict[tuple[int, str], tuple[list[str], datetime | None]] = {}
    for repo_id, name, sha, at in rows.values_list("repo_id", "name", "sha", "committed_at"):
        if patterns[repo_id].search(name):
            commits.setdefault((repo_id, sha), ([], at))[0].append(name)
    for (repo_id, _sha), (names, at) in commits.items():
        names.sort()
        yield repo_id, (", ".join(names), at, links[repo_id]("tag", names[0]))


def _links(repo: Repo) -> Callable[[str, str], str]:
    """`link(record, name)`: the web link to a tag or deployment of `repo` on its code host, by
    the source kind's adapter (apps.organization.sources); "" when the kind has no links."""
    adapter = source_adapter(repo.source.kind)
    if adapter is None or adapter.links is None:
        return lambda record, name: ""
    web = f"{adapter.web_url(repo.source.base_url)}/{repo.full_name}"
    links = adapter.links
    return lambda record, name: getattr(links, record)(web, name)


def releases_frame(*, repos: list[Repo] | None = None) -> pd.DataFrame:
    """One row per release of the configured repos.

    Columns: repo_id (int), repo ("owner/name"), team (slug, "" when unmapped), release (tag or
    deployment name), released_at (datetime64[ns, UTC]), url (web link). Sorted by repo, time.
    """
    repos = repos if repos is not None else repos_configured()
    releases = _releases_by_repo(repos)
    rows = []
    for repo in repos:
        team = repo.team.slug if repo.team else ""
        for name, released_at, url in releases[repo.pk]:
            rows.append((repo.pk, repo.full_name, team, name, released_at, url))
    frame = pd.DataFrame(rows, columns=RELEASE_COLUMNS)
    frame["released_at"] = pd.to_datetime(frame["released_at"], utc=True)
    return frame.sort_values(["repo_id", "released_at", "release"], ignore_index=True)


@run_cached
def merged_pulls_frame(*, where: Q | None = None) -> pd.DataFrame:
    """One row per merged PR of the configured repos (only those matching `where` when given).

    Columns: repo_id, repo, team, number, title, user_login, user_type ("Bot" for GitHub
    Apps), merged_at (datetime64[ns, UTC]),
    additions, deletions (float; NaN while the size is not fetched yet), url, head_ref.
    Cached within a metric recompute (apps.core.frames.compute_cache): do not modify it.
    """
    by_id = {r.pk: r for r in repos_configured()}
    pulls = PullRequest.objects.filter(repo_id__in=list(by_id), merged_at__isnull=False)
    if where is not None:
        pulls = pulls.filter(where)
    frame = queryset_frame(
        pulls,
        {
            "repo_id": "int",
            "number": "int",
            "title": "str",
            "user_login": "str",
            "user_type": "str",
            "merged_at": "datetime",
            "additions": "float",
            "deletions": "float",
            "html_url": "str",
            "head_ref": "str",
        },
    ).rename(columns={"html_url": "url"})
    frame = repo_columns(frame, by_id)[[*PULL_COLUMNS, "head_ref"]]
    return frame.sort_values(["repo_id", "merged_at", "number"], ignore_index=True)


def repo_columns(frame: pd.DataFrame, by_id: dict[int, Repo]) -> pd.DataFrame:
    """`frame` (with repo_id) plus repo ("owner/name") and team (slug, "" when unmapped), both
    text columns even when `frame` is empty (so `repo + "#" + number` works on no rows)."""
    names = {pk: r.full_name for pk, r in by_id.items()}
    teams = {pk: r.team.slug if r.team else "" for pk, r in by_id.items()}
    frame["repo"] = frame["repo_id"].map(names).astype(object)
    frame["team"] = frame["repo_id"].map(teams).astype(object)
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
        "WHERE ref = ANY(%s)",
        (sorted(keys),),
    )
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
