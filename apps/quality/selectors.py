"""Read side of quality: Jira issues and the issues of code hosts' repos, of the configured
projects and repos, and the people behind identities, as DataFrames for the pure computations
(apps.quality.bugs, .load). Only what is configured counts (docs/metrics.md#periods-and-scopes).
"""

from collections.abc import Iterable
from datetime import datetime

import pandas as pd
from django.db import connection
from django.db.models import Case, DateTimeField, F, Min, Q, When
from django.db.models.functions import Coalesce

from apps.core.frames import Kind, queryset_frame, run_cached
from apps.delivery.models import PullRequest
from apps.delivery.selectors import repo_columns, repos_configured
from apps.delivery.story_points import pulls_with_issue_points
from apps.organization.models import Identity, JiraProject
from apps.organization.selectors import jira_projects_counted
from apps.organization.sources import code_host_identities, identity_fold, source_kinds
from apps.quality.models import Issue, JiraIssue

JIRA_COLUMNS = [
    "key",
    "project",
    "team",
    "issue_type",
    "subtask",
    "priority",
    "resolution",
    "labels",
    "created_at",
    "resolved_at",
    "assignee_id",
    "reporter_id",
    "story_points",
    "summary",
    "url",
]
ISSUE_COLUMNS = [
    "repo_id",
    "repo",
    "team",
    "number",
    "state_reason",
    "labels",
    "created_at",
    "closed_at",
    "user_login",
    "assignee_login",
    "title",
    "url",
    "provider",
]


def projects_configured() -> list[JiraProject]:
    """The Jira projects that count: configured and enabled (apps.organization.selectors)."""
    return list(jira_projects_counted().select_related("team", "source").order_by("key"))


def _utc(frame: pd.DataFrame, *columns: str) -> pd.DataFrame:
    for column in columns:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


# JIRA_COLUMNS read from JiraIssue: (lookup, queryset_frame kind); project, team and url are
# derived from project_id.
_JIRA_FIELDS: dict[str, tuple[str, Kind]] = {
    "key": ("key", "str"),
    "issue_type": ("issue_type", "str"),
    "subtask": ("subtask", "bool"),
    "priority": ("priority", "str"),
    "resolution": ("resolution", "str"),
    "labels": ("labels", "json"),
    "created_at": ("created_at", "datetime"),
    "resolved_at": ("resolved_at", "datetime"),
    "assignee_id": ("assignee_id", "str"),
    "reporter_id": ("reporter_id", "str"),
    "story_points": ("story_points", "float"),
    "summary": ("summary", "str"),
}


@run_cached
def jira_issues_frame(
    *,
    columns: tuple[str, ...] = tuple(JIRA_COLUMNS),
    issue_types: tuple[str, ...] | None = None,
    resolved_only: bool = False,
    resolved_since: datetime | None = None,
    open_since: datetime | None = None,
) -> pd.DataFrame:
    """One row per stored issue of a configured project (only `issue_types` and only resolved
    issues when asked; filtered in SQL). Columns `columns` (a subset of `JIRA_COLUMNS`): team
    is the project's team slug ("" when unmapped); `resolved_since`: resolved at or after it;
    `open_since`: created, unresolved or resolved at or after it; resolved_at is the
    resolution instant (`jira_resolved_at`; NaT while unresolved); story_points float (NaN when
    unset); url is the issue's browse link.
    Cached within a metric recompute (apps.core.frames.compute_cache): do not modify it."""
    projects = {p.pk: p for p in projects_configured()}
    issues = JiraIssue.objects.filter(project_id__in=list(projects))
    issues = issues.annotate(resolved_at=jira_resolved_at())
    if issue_types is not None:
        issues = issues.filter(issue_type__in=issue_types)
    if resolved_only:
        issues = issues.filter(resolved_at__isnull=False)
    if resolved_since is not None:
        issues = issues.filter(resolved_at__gte=resolved_since)
    if open_since is not None:
        issues = issues.filter(_open_since("resolved_at", open_since))
    wanted = {c: _JIRA_FIELDS[c] for c in columns if c in _JIRA_FIELDS}
    frame = queryset_frame(
        issues, {"project_id": "int", **{lookup: kind for lookup, kind in wanted.values()}}
    )
    frame = frame.rename(columns={lookup: name for name, (lookup, _) in wanted.items()})
    derived = {
        "project": {pk: p.key for pk, p in projects.items()},
        "team": {pk: p.team.slug if p.team else "" for pk, p in projects.items()},
        "url": {pk: f"{p.source.base_url.rstrip('/')}/browse/" for pk, p in projects.items()},
    }
    for name, by_project in derived.items():
        if name in columns:
            frame[name] = frame["project_id"].map(by_project).astype(object)
    if "url" in columns:
        frame["url"] = frame["url"] + frame["key"].astype(object)
    return frame[list(columns)]


def jira_resolved_at() -> Coalesce:
    """The instant a Jira issue was resolved (docs/metrics.md#open-and-resolved): its
    `resolutiondate`, else, for an issue in a done status without a resolution, when it entered
    that status category (`statuscategorychangedate`); NULL while unresolved."""
    entered_done = Case(
        When(status_category="done", then=F("status_category_changed_at")),
        default=None,
        output_field=DateTimeField(),
    )
    return Coalesce("resolution_date", entered_done, output_field=DateTimeField())


def jira_issue_resolved(key: str) -> datetime | None:
    """When the issue `key` of a counted project was resolved (`jira_resolved_at`), or None:
    a customer's Jira go-live (apps.delivery.customers)."""
    issues = JiraIssue.objects.filter(key=key, project__in=jira_projects_counted())
    dates = issues.annotate(resolved=jira_resolved_at()).filter(resolved__isnull=False)
    return min(dates.values_list("resolved", flat=True), default=None)


def _open_since(closed_field: str, instant: datetime) -> Q:
    """Records created, still open, or closed at or after `instant`."""
    return (
        Q(**{f"{closed_field}__isnull": True})
        | Q(**{f"{closed_field}__gte": instant})
        | Q(created_at__gte=instant)
    )


@run_cached
def repo_issues_frame(*, open_since: datetime | None = None) -> pd.DataFrame:
    """One row per issue (never a PR) of a configured repo, at any code host; `ISSUE_COLUMNS`. Only
    those created, open or closed at or after `open_since` when given."""
    by_id = {r.pk: r for r in repos_configured()}
    issues = Issue.objects.filter(repo_id__in=list(by_id))
    if open_since is not None:
        issues = issues.filter(_open_since("closed_at", open_since))
    frame = queryset_frame(
        issues,
        {
            "repo_id": "int",
            "number": "int",
            "state_reason": "str",
            "labels": "json",
            "created_at": "datetime",
            "closed_at": "datetime",
            "user_login": "str",
            "assignee_login": "str",
            "title": "str",
            "html_url": "str",
        },
    ).rename(columns={"html_url": "url"})
    # The source kind of the issue's repo ("github"): the `kind` of its bug records.
    kinds = {pk: r.source.kind for pk, r in by_id.items()}
    frame["provider"] = frame["repo_id"].map(kinds).astype(object)
    return repo_columns(frame, by_id)[ISSUE_COLUMNS]


def identities_map() -> dict[tuple[str, str], str]:
    """{(provider, external id): person e-mail}; ids of providers that ignore case lower-cased
    (GitHub logins), others as they are (Jira accountIds): apps.organization.sources."""
    out = {}
    for provider, external, email in Identity.objects.values_list(
        "provider", "external_id", "person__email"
    ):
        out[(provider, identity_fold(provider, external))] = email
    return out


def code_host_people() -> dict[str, str]:
    """{login as compared: person e-mail} of the identities at code hosts (kinds with the
    "code" role), for authors and reviewers of pull requests. One organisation uses one code
    host for a person's work; a login known at two hosts keeps the first host's person."""
    hosts = set(code_host_identities())
    out: dict[str, str] = {}
    for (provider, external), email in identities_map().items():
        if provider in hosts:
            out.setdefault(external, email)
    return out


def people_teams() -> dict[str, str]:
    """{person e-mail: team slug ("" without a team)}."""
    from apps.organization.models import Person

    return {email: slug or "" for email, slug in Person.objects.values_list("email", "team__slug")}


def jira_points_map(candidates: Iterable[str]) -> dict[str, float | None]:
    """{Jira key: story points or None} for the synced issues of configured projects among
    `candidates` (the keys PR titles and branches mention: a few hundred thousand at most,
    instead of every issue), read in chunks of POINTS_CHUNK keys."""
    projects = [p.pk for p in projects_configured()]
    issues = JiraIssue.objects.filter(project_id__in=projects)
    wanted = sorted(set(candidates))
    out: dict[str, float | None] = {}
    for i in range(0, len(wanted), POINTS_CHUNK):
        out |= _points(issues.filter(key__in=wanted[i : i + POINTS_CHUNK]))
    return out


POINTS_CHUNK = 20_000


def _points(issues) -> dict[str, float | None]:
    frame = queryset_frame(issues, {"key": "str", "story_points": "float"})
    points = frame["story_points"].astype(object).where(frame["story_points"].notna(), None)
    return dict(zip(frame["key"], points, strict=True))


@run_cached
def pulls_points_map(keys: frozenset[str]) -> dict[str, float | None]:
    """`jira_points_map` of `keys`, cached within a metric recompute (delivery and bug load
    ask for the keys of the same PRs). Registered as delivery's story-points lookup
    (apps.delivery.story_points) by QualityConfig.ready()."""
    return jira_points_map(keys)


PULL_DETAIL_COLUMNS = [
    "repo_id",
    "repo",
    "number",
    "title",
    "body",
    "head_ref",
    "labels",
    "user_login",
    "user_type",
    "created_at",
    "merged_at",
    "additions",
    "deletions",
]


@run_cached
def pulls_detail_frame(*, where: Q | None = None) -> pd.DataFrame:
    """Merged PRs of the configured repos (only those matching `where` when given) with what
    links them to work (PULL_DETAIL_COLUMNS plus issue_key and story_points);
    additions/deletions NaN while unknown."""
    from apps.delivery.models import PullRequest

    by_id = {r.pk: r.full_name for r in repos_configured()}
    pulls = PullRequest.objects.filter(repo_id__in=list(by_id), merged_at__isnull=False)
    if where is not None:
        pulls = pulls.filter(where)
    frame = queryset_frame(
        pulls,
        {
            "repo_id": "int",
            "number": "int",
            "title": "str",
            "body": "str",
            "head_ref": "str",
            "labels": "json",
            "user_login": "str",
            "user_type": "str",
            "created_at": "datetime",
            "merged_at": "datetime",
            "additions": "float",
            "deletions": "float",
        },
    )
    frame.insert(1, "repo", frame["repo_id"].map(by_id).astype(object))
    return pulls_with_issue_points(frame)


@run_cached
def repo_bug_issues(labels: tuple[str, ...]) -> dict[tuple[str, int], str]:
    """{(repo lower-case, number): reporter login} of the repo issues of configured repos
    carrying one of the bug `labels`, not closed as not a bug (apps.quality.bugs; on
    PostgreSQL the labels are filtered in SQL, `?|`)."""
    from apps.quality.bugs import issue_not_a_bug

    if connection.vendor != "postgresql":
        wanted = set(labels)
        frame = repo_issues_frame()
        frame = frame[frame["labels"].map(lambda ls: bool(set(ls) & wanted)).astype(bool)]
    else:
        by_id = {r.pk: r.full_name for r in repos_configured()}
        issues = Issue.objects.filter(repo_id__in=list(by_id), labels__has_any_keys=labels)
        columns: dict[str, Kind] = {
            "repo_id": "int",
            "number": "int",
            "state_reason": "str",
            "labels": "json",
        }
        frame = queryset_frame(issues, columns | {"user_login": "str"})
        frame["repo"] = frame["repo_id"].map(by_id).astype(object)
    kept = frame[~issue_not_a_bug(frame)]
    return {
        (repo.lower(), int(number)): login
        for repo, number, login in zip(
            kept["repo"], kept["number"], kept["user_login"], strict=True
        )
    }


def work_links(refs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[str, str]]:
    """{(kind, ref): (title, url)} of work records: kind `JiraIssue.PROVIDER` (ref "API-12": the
    summary and the issue's browse link), a code host's kind ("github": an issue, ref
    "owner/repo#7") or "pull" (a pull request, ref "owner/repo#7"): their title and html_url.
    Refs not stored are left out; one query per kind."""
    wanted: dict[str, set[str]] = {}
    for kind, ref in refs:
        wanted.setdefault(kind, set()).add(ref)
    out: dict[tuple[str, str], tuple[str, str]] = {}
    jira = JiraIssue.PROVIDER
    if keys := wanted.get(jira):
        issues = JiraIssue.objects.filter(key__in=keys).select_related("source")
        for key, summary, base in issues.values_list("key", "summary", "source__base_url"):
            out[(jira, key)] = (summary, f"{base.rstrip('/')}/browse/{key}" if base else "")
    models: list[tuple[str, type[Issue] | type[PullRequest]]] = [
        (kind, Issue) for kind in source_kinds(role="issues")
    ]
    for kind, model in [*models, ("pull", PullRequest)]:
        numbered = [r.rsplit("#", 1) for r in wanted.get(kind, ()) if "#" in r]
        by_repo: dict[str, set[int]] = {}
        for repo, number in numbered:
            if number.isdigit():
                by_repo.setdefault(repo, set()).add(int(number))
        if not by_repo:
            continue
        match = Q()
        for repo, numbers in by_repo.items():
            match |= Q(repo__full_name=repo, number__in=numbers)
        for full_name, n, title, url in model.objects.filter(match).values_list(
            "repo__full_name", "number", "title", "html_url"
        ):
            out[(kind, f"{full_name}#{n}")] = (title, url)
    return out


HISTORY_CHUNK = 5_000


def fix_history(pulls: pd.DataFrame) -> pd.DataFrame:
    """Per PR of `pulls` (repo_id, repo, number, merged_at): first_commit_at (the earliest author
    date of its stored commits, NaT when none), file_lines (lines it changes in its stored files;
    NaN when none is stored) and others_lines (of those, the lines in files whose previous change,
    the latest earlier merged PR of the repo touching the file, was authored by someone else and
    not a bot). apps.quality.bug_load.HISTORY_COLUMNS; docs/metrics.md#churn_risk."""
    from apps.delivery.links import bot_mask
    from apps.delivery.models import PullRequest, PullRequestCommit, PullRequestFile
    from apps.quality.bug_load import HISTORY_COLUMNS

    empty = pd.DataFrame(columns=HISTORY_COLUMNS)
    if pulls.empty:
        return empty
    ids: list[tuple[int, int, str]] = []  # pull id, repo id, repo
    for (repo_id, repo), numbers in pulls.groupby(["repo_id", "repo"])["number"]:
        wanted = sorted({int(n) for n in numbers})
        for i in range(0, len(wanted), HISTORY_CHUNK):
            found = PullRequest.objects.filter(
                repo_id=int(repo_id), number__in=wanted[i : i + HISTORY_CHUNK]
            ).values_list("id", "number")
            ids += [(pk, int(repo_id), f"{repo}#{number}") for pk, number in found]
    if not ids:
        return empty
    pull_ids = [pk for pk, _, _ in ids]
    meta = pd.DataFrame(ids, columns=["pull_id", "repo_id", "ref"])
    firsts: dict[int, object] = {}
    files = []
    for i in range(0, len(pull_ids), HISTORY_CHUNK):
        chunk = pull_ids[i : i + HISTORY_CHUNK]
        firsts |= dict(
            PullRequestCommit.objects.filter(pull_id__in=chunk)
            .values("pull_id")
            .annotate(first=Min("authored_at"))
            .values_list("pull_id", "first")
        )
        files.append(
            queryset_frame(
                PullRequestFile.objects.filter(pull_id__in=chunk),
                {
                    "pull_id": "int",
                    "pull__repo_id": "int",
                    "path": "str",
                    "additions": "int",
                    "deletions": "int",
                    "pull__merged_at": "datetime",
                    "pull__user_login": "str",
                },
            )
        )
    mine = pd.concat(files, ignore_index=True)
    mine.columns = ["pull_id", "repo_id", "path", "additions", "deletions", "merged_at", "author"]
    mine = mine[mine["merged_at"].notna()]
    earlier = []
    for repo_id, paths in mine.groupby("repo_id")["path"]:
        wanted = sorted(set(paths))
        for i in range(0, len(wanted), HISTORY_CHUNK):
            earlier.append(
                queryset_frame(
                    PullRequestFile.objects.filter(
                        pull__repo_id=int(repo_id),
                        pull__merged_at__isnull=False,
                        path__in=wanted[i : i + HISTORY_CHUNK],
                    ),
                    {
                        "pull__repo_id": "int",
                        "path": "str",
                        "pull__merged_at": "datetime",
                        "pull__user_login": "str",
                        "pull__user_type": "str",
                    },
                ).set_axis(["repo_id", "path", "prev_at", "prev_author", "prev_type"], axis=1)
            )
    lines = mine.assign(lines=mine["additions"] + mine["deletions"])
    if earlier and not lines.empty:
        before = pd.concat(earlier, ignore_index=True).sort_values("prev_at", kind="stable")
        before["repo_id"] = before["repo_id"].astype("int64")
        lines = lines.sort_values("merged_at", kind="stable")
        lines["repo_id"] = lines["repo_id"].astype("int64")
        lines = pd.merge_asof(
            lines,
            before,
            left_on="merged_at",
            right_on="prev_at",
            by=["repo_id", "path"],
            direction="backward",
            allow_exact_matches=False,
        )
        other = lines["prev_author"].notna() & (
            lines["prev_author"].fillna("").str.lower() != lines["author"].fillna("").str.lower()
        )
        other &= ~bot_mask(lines["prev_author"], lines["prev_type"])
    else:
        other = pd.Series(False, index=lines.index)
    lines["others"] = lines["lines"].where(other.to_numpy(bool), 0)
    per_pull = lines.groupby("pull_id").agg(
        file_lines=("lines", "sum"), others_lines=("others", "sum")
    )
    meta = meta.join(per_pull, on="pull_id")
    meta["first_commit_at"] = pd.to_datetime(meta["pull_id"].map(firsts), utc=True)
    repo_number = meta["ref"].str.rsplit("#", n=1, expand=True)
    meta["repo"] = repo_number[0]
    meta["number"] = repo_number[1].astype("int64")
    return meta[HISTORY_COLUMNS].astype({"others_lines": float, "file_lines": float})
