"""The Jira sync against the simulator: completeness, incremental cost, removals, failures."""

from collections import Counter
from datetime import UTC, datetime, timedelta

from apps.ingestion.services import source_sync
from apps.quality.models import JiraIssue
from integrations.simulator import FaultRule
from integrations.simulator.jira import jira_time, load_recorded_jira
from tests.quality.conftest import REAL_JIRA, make_jira_source, serve


def test_full_then_no_change_resync(db, jira_sim, jira_world) -> None:
    source = make_jira_source(jira_sim.base_url, ["API", "WEB"])
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    assert set(JiraIssue.objects.values_list("jira_id", flat=True)) == {
        int(i["id"]) for i in jira_world.issues
    }
    # 250 issues, 100 per page → 3 search pages + /myself + /field (points field lookup).
    assert run.requests_made == 5
    assert JiraIssue.objects.filter(story_points__isnull=False).exists()
    jira_sim.reset_requests()
    again = source_sync(source=source)
    # /myself + /field + one search page holding the 5-minute overlap only.
    assert again.requests_made == 3
    search = [r for r in jira_sim.requests if r.path.endswith("/search/jql")]
    assert 'updated >= "2026/' in search[0].query["jql"]
    assert JiraIssue.objects.count() == 250


def test_incremental_picks_up_changes_and_full_removes_deleted(db, jira_sim, jira_world) -> None:
    source = make_jira_source(jira_sim.base_url, ["API", "WEB"], points_field="customfield_10016")
    source_sync(source=source)
    changed = jira_world.issues[3]
    later = datetime(2026, 7, 1, tzinfo=UTC)
    changed["fields"]["summary"] = "renamed"
    changed["fields"]["updated"] = jira_time(later)
    removed = jira_world.issues.pop(0)
    moved = jira_world.issues[1]
    moved["fields"]["project"] = {"id": "9", "key": "OTHER"}
    moved["fields"]["updated"] = jira_time(later + timedelta(minutes=1))
    run = source_sync(source=source)
    assert run.status == "succeeded"
    assert JiraIssue.objects.get(jira_id=int(changed["id"])).summary == "renamed"
    assert JiraIssue.objects.filter(jira_id=int(removed["id"])).exists()  # not seen yet
    run = source_sync(source=source, full=True)
    assert run.counts["API,WEB/issues_removed"] == 2  # the deleted one and the moved one
    assert not JiraIssue.objects.filter(jira_id__in=[int(removed["id"]), int(moved["id"])])
    assert JiraIssue.objects.count() == 248


def test_rejected_token_fails_clearly_without_leaking(db, jira_sim) -> None:
    source = make_jira_source(jira_sim.base_url, ["API"], token="wrong-token-123")
    run = source_sync(source=source)
    assert run.status == "failed"
    assert "token rejected (HTTP 401)" in run.error
    assert "wrong-token-123" not in run.error
    assert JiraIssue.objects.count() == 0


def test_legacy_search_is_never_called_and_429_is_honoured(db, jira_sim) -> None:
    jira_sim.faults.add(FaultRule(path=r"/search/jql", status=429, retry_after=0.1, times=1))
    source = make_jira_source(jira_sim.base_url, ["API"])
    run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    assert run.rate_limit_waits == 1 and run.rate_limit_wait_seconds == 0.1
    assert not [r for r in jira_sim.requests if r.path == "/rest/api/3/search"]


def test_recorded_chinese_site_counts_match_readme(db) -> None:
    """tests/fixtures/README.md (Jira facts): 33 issues (EE 30, K5 3); by type id 10003 子任务 12,
    10001 故事/Story 8+2, 10031 任务 8, 10004 缺陷 1, 10105 Test Execution 1, 10000 Epic 1;
    status category done 25, new 8 (5 hand-edited 已完成 'new' + 3 K5 To Do)."""
    with serve(load_recorded_jira(REAL_JIRA)) as simulator:
        source = make_jira_source(
            simulator.base_url, ["EE", "K5"], points_field="customfield_10024"
        )
        run = source_sync(source=source)
    assert run.status == "succeeded", run.error
    issues = JiraIssue.objects.all()
    assert Counter(i.project.key for i in issues) == {"EE": 30, "K5": 3}
    assert Counter((i.issue_type_id, i.issue_type) for i in issues) == {
        ("10003", "子任务"): 12,
        ("10001", "故事"): 8,
        ("10031", "任务"): 8,
        ("10001", "Story"): 2,
        ("10004", "缺陷"): 1,
        ("10105", "Test Execution"): 1,
        ("10000", "Epic"): 1,
    }
    assert Counter(i.status_category for i in issues) == {"done": 25, "new": 8}
    assert Counter(i.subtask for i in issues)[True] == 12
    # customfield_10024: "-1" on EE-1 (not estimated) and 2.0 on EE-2.
    assert dict(issues.filter(story_points__isnull=False).values_list("key", "story_points")) == {
        "EE-2": 2.0
    }
    # 2020-06-12T08:13:13.360+0800 → 00:13:13.360 UTC
    ee1 = issues.get(key="EE-1")
    assert ee1.created_at == datetime(2020, 6, 12, 0, 13, 13, 360000, tzinfo=UTC)
    # statuscategorychangedate 2020-06-19T14:31:18.514+0800, on every recorded issue
    assert ee1.status_category_changed_at == datetime(2020, 6, 19, 6, 31, 18, 514000, tzinfo=UTC)
    assert not issues.filter(status_category_changed_at__isnull=True).exists()


def test_a_disabled_project_is_not_read_and_its_issues_are_kept(db, jira_sim, jira_world) -> None:
    source = make_jira_source(jira_sim.base_url, ["API", "WEB"])
    source_sync(source=source)
    web = JiraIssue.objects.filter(project__key="WEB").count()
    source.jira_projects.filter(key="WEB").update(enabled=False)
    jira_sim.reset_requests()

    run = source_sync(source=source, full=True)

    assert run.status == "succeeded", run.error
    search = [r for r in jira_sim.requests if r.path.endswith("/search/jql")]
    assert search and all('project in ("API")' in r.query["jql"] for r in search)
    assert run.counts.get("API/issues_removed") == 0
    assert JiraIssue.objects.filter(project__key="WEB").count() == web > 0


def test_done_without_a_resolution_keeps_when_it_entered_done(db, jira_sim, jira_world) -> None:
    from integrations.simulator.jira.world import TYPES, make_issue

    entered = datetime(2026, 5, 2, 8, 30, tzinfo=UTC)
    jira_world.issues.append(
        make_issue(
            issue_id=99_001,
            key="API-9001",
            project="API",
            kind=next(t for t in TYPES if t[1] == "Bug"),
            created=datetime(2026, 5, 1, tzinfo=UTC),
            resolved=entered,
            resolution=None,
            priority="High",
            assignee=None,
            reporter="acc-1",
            points=None,
            labels=[],
            offset_hours=8,
        )
    )
    source_sync(source=make_jira_source(jira_sim.base_url, ["API"]))

    issue = JiraIssue.objects.get(key="API-9001")
    assert (issue.status_category, issue.resolution, issue.resolution_date) == ("done", "", None)
    assert issue.status_category_changed_at == entered
