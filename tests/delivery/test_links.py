"""Links between work and story points first in delivery_points (docs/metrics.md)."""

from datetime import UTC, date, datetime

import pytest

from apps.delivery.links import closing_refs, jira_keys, pull_issue_key
from apps.delivery.metrics import delivery_compute, delivery_records
from apps.delivery.models import PullRequest, Release
from apps.metrics.registry import ComputeContext, RecordsQuery
from apps.organization.models import JiraProject, Repo, Source, Team
from apps.quality.models import JiraIssue

NOW = datetime(2026, 4, 15, tzinfo=UTC)


def at(*args: int) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_jira_keys_title_first_and_only_synced_keys() -> None:
    known = {"API-12", "WEB-3"}
    assert jira_keys("ISO-8601 dates, API-12") == ["ISO-8601", "API-12"]
    assert pull_issue_key("Parse ISO-8601 dates", "feature/API-12-dates", known) == "API-12"
    assert pull_issue_key("WEB-3: fix API-12", "API-12", known) == "WEB-3"
    assert pull_issue_key("api-12 lower case", "main", known) == ""
    # A key that does not exist (never synced) references nothing.
    assert pull_issue_key("API-999 does not exist", "API-998", known) == ""


def test_closing_keywords() -> None:
    body = "Fixes #12, closes acme/web#3 and RESOLVED #12; see #40; prefix#5; Fix: #7"
    assert closing_refs(body, "Acme/API") == [("acme/api", 12), ("acme/web", 3), ("acme/api", 7)]
    assert closing_refs("", "acme/api") == []
    assert closing_refs("fixed #0 fixing #4", "acme/api") == []


@pytest.fixture
def linked(db) -> Repo:
    team = Team.objects.create(slug="platform", name="Platform")
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(source=gh, full_name="acme/api", team=team)
    jira = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    project = JiraProject.objects.create(source=jira, key="API", team=team)
    for jid, key, points in ((1, "API-1", 5.0), (2, "API-2", None)):
        JiraIssue.objects.create(
            source=jira,
            project=project,
            jira_id=jid,
            key=key,
            issue_type="Story",
            created_at=at(2026, 1, 1),
            updated_at=at(2026, 1, 1),
            story_points=points,
        )
    for gid, tag, when in ((1, "v1", at(2026, 3, 2, 10)), (2, "v2", at(2026, 3, 10, 12))):
        Release.objects.create(
            repo=repo, external_id=gid, tag_name=tag, published_at=when, html_url=f"https://x/{tag}"
        )
    prs = (  # number, title, branch, merged, lines
        (1, "API-1 first part", "main", at(2026, 3, 1), 300),  # v1: story points 5
        (2, "Second part", "feature/API-1-b", at(2026, 3, 2), 5),  # v1: API-1 again → 0
        (3, "API-2 no estimate", "x", at(2026, 3, 3), 60),  # v2: API-2 unset → size 3
        (4, "API-1 follow-up", "y", at(2026, 3, 4), 2000),  # v2: API-1 counted → 0
        (5, "API-77 unknown key", "z", at(2026, 3, 5), 8),  # v2: no such issue → 1
    )
    for number, title, head, merged, lines in prs:
        PullRequest.objects.create(
            repo=repo,
            external_id=number,
            number=number,
            title=title,
            head_ref=head,
            state="closed",
            created_at=merged,
            updated_at=merged,
            merged_at=merged,
            additions=lines,
            deletions=0,
        )
    return repo


def test_story_points_counted_once_with_the_first_release(linked) -> None:
    rows = delivery_compute(ComputeContext(tz="UTC", now=NOW))
    points = {
        r.period_start: r.value
        for r in rows.itertuples()
        if (r.metric, r.scope, r.granularity) == ("delivery_points", "org", "week")
    }
    # Week of 2 Mar (v1): PR 1 takes API-1's 5 points, PR 2 references API-1 again → 0: 5.
    # Week of 9 Mar (v2): PR 3 (API-2 unestimated, 60 lines → 3) + PR 4 (API-1 done → 0)
    # + PR 5 (API-77 never synced, 8 lines → 1) = 4.
    assert points[date(2026, 3, 2)] == 5.0
    assert points[date(2026, 3, 9)] == 4.0
    query = RecordsQuery(
        metric="delivery_points",
        scope="org",
        scope_key="",
        granularity="week",
        period_start=date(2026, 3, 9),
        period_end=date(2026, 3, 16),
        tz="UTC",
        start_at=at(2026, 3, 9),
        end_at=at(2026, 3, 16),
    )
    records = {r["number"]: (r["jira_issue"], r["points"]) for r in delivery_records(query)}
    assert records == {3: ("API-2", 3.0), 4: ("API-1", 0.0), 5: (None, 1.0)}
