"""SyncRun.changed_from: the first instant a run's changes can affect, which starts the hourly
metric recompute (apps.ingestion.upserts.ChangeWindow)."""

from datetime import UTC, datetime, timedelta

import pytest

from apps.delivery.models import PullRequest
from apps.ingestion.selectors import runs_changed_from
from apps.ingestion.services import source_sync
from apps.organization.models import Organization
from apps.quality.models import Issue


@pytest.fixture(autouse=True)
def org(db):
    Organization.objects.update_or_create(pk=1, defaults={"name": "Acme", "timezone": "UTC"})


def earliest_stored() -> datetime:
    return min(
        PullRequest.objects.order_by("created_at").first().created_at,
        Issue.objects.order_by("created_at").first().created_at,
    )


def test_first_sync_changes_everything_from_the_earliest_record(source):
    run = source_sync(source=source)
    assert run.status == "succeeded"
    assert run.changed_from <= earliest_stored()
    assert runs_changed_from([run]) == run.changed_from.date()


def test_unchanged_resync_changes_nothing(source):
    source_sync(source=source)
    again = source_sync(source=source)
    assert again.status == "succeeded"
    assert again.changed_from is None
    assert runs_changed_from([again]) is None


def test_new_pull_changes_from_its_creation(source, world):
    source_sync(source=source)
    repo = world.repos[0]
    created = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    pull = repo.add_pull("a new change", created_at=created)
    repo.merge_pull(pull["number"], at=created + timedelta(hours=2))
    run = source_sync(source=source)
    assert run.changed_from == created


def test_closing_an_old_issue_changes_from_the_close_only(source, world):
    source_sync(source=source)
    repo = world.repos[0]
    issue = next(i for i in repo.issues if i["state"] == "open" and "pull_request" not in i)
    closed = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)
    repo.close_issue(issue["number"], at=closed)
    run = source_sync(source=source)
    stored = Issue.objects.get(repo__full_name=repo.full_name, number=issue["number"])
    assert stored.created_at < closed - timedelta(days=30)  # an old issue...
    assert run.changed_from == closed  # ...whose closing changes nothing before it


def test_merging_an_old_pull_changes_from_the_merge_only(source, world):
    source_sync(source=source)
    repo = world.repos[0]
    pull = next(p for p in repo.pulls if p["state"] == "open" and not p["draft"])
    approved = datetime(2026, 11, 21, 7, 50, tzinfo=UTC)
    repo.add_review(pull["number"], reviewer="hubot", at=approved)  # earlier reviews kept
    repo.merge_pull(pull["number"], at=approved + timedelta(minutes=10), merged_by="hubot")
    run = source_sync(source=source)
    stored = PullRequest.objects.get(repo__full_name=repo.full_name, number=pull["number"])
    assert stored.created_at < approved - timedelta(days=30)  # an old PR...
    assert stored.merge_commit_sha  # ...merged, with the merge commit GitHub gives it...
    assert run.changed_from == approved  # ...changes nothing before its approval and merge


def test_an_old_draft_made_ready_and_merged_changes_from_when_it_was_ready(source, world):
    source_sync(source=source)
    repo = world.repos[0]
    pull = next(p for p in repo.pulls if p["state"] == "open")
    pull["draft"] = True  # an old draft (synced as one below)
    repo.edit_pull(pull["number"], at=datetime(2026, 11, 1, tzinfo=UTC))
    source_sync(source=source)
    # The simulator derives reviews from a PR's latest state: keep those stored, as GitHub does.
    repo.pull_reviews[pull["number"]] = list(repo.reviews_of(pull["number"]))
    ready = datetime(2026, 11, 21, 7, 40, tzinfo=UTC)
    repo.mark_ready(pull["number"], at=ready)
    repo.add_review(pull["number"], reviewer="hubot", at=ready + timedelta(minutes=10))
    repo.merge_pull(pull["number"], at=ready + timedelta(minutes=20), merged_by="hubot")
    run = source_sync(source=source)
    stored = PullRequest.objects.get(repo__full_name=repo.full_name, number=pull["number"])
    assert stored.created_at < ready - timedelta(days=30) and not stored.is_draft
    assert stored.ready_for_review_at == ready
    assert run.changed_from == ready  # is_draft follows ready_for_review_at


def test_relabelling_an_old_issue_changes_from_its_creation(source, world):
    source_sync(source=source)
    repo = world.repos[0]
    issue = next(i for i in repo.issues if "pull_request" not in i)
    repo.edit_issue(issue["number"], labels=["bug"], at=datetime(2026, 11, 21, tzinfo=UTC))
    run = source_sync(source=source)
    stored = Issue.objects.get(repo__full_name=repo.full_name, number=issue["number"])
    assert run.changed_from == stored.created_at


def test_sync_task_recomputes_from_the_first_changed_day(source, world, monkeypatch):
    from apps.ingestion.tasks import sync_source_task
    from apps.metrics import tasks

    calls = []
    monkeypatch.setattr(tasks.compute_metrics_task, "delay", lambda **kw: calls.append(kw))
    sync_source_task(source.pk)
    first = calls.pop()["since"]
    assert first == runs_changed_from().isoformat()
    assert first <= earliest_stored().date().isoformat()
    sync_source_task(source.pk)  # nothing changed: no recompute at all
    assert calls == []
    repo = world.repos[0]
    repo.add_pull("late change", created_at=datetime(2026, 11, 20, 23, 59, tzinfo=UTC))
    sync_source_task(source.pk)
    assert calls == [{"since": "2026-11-20"}]
    sync_source_task(source.pk, full=True)  # a full sync may delete: recompute everything
    assert calls[-1] == {}


def test_closing_an_old_bug_as_not_planned_changes_from_its_creation(source, world):
    source_sync(source=source)
    repo = world.repos[0]
    issue = next(i for i in repo.issues if i["state"] == "open" and "pull_request" not in i)
    repo.close_issue(
        issue["number"], at=datetime(2026, 11, 21, tzinfo=UTC), state_reason="not_planned"
    )
    run = source_sync(source=source)
    stored = Issue.objects.get(repo__full_name=repo.full_name, number=issue["number"])
    assert run.changed_from == stored.created_at  # it is no bug at all, over its whole life


@pytest.mark.parametrize(
    ("resolution", "reaches"),
    [("Done", "resolved"), ("Won't Do", "created"), ("Known Error", "created")],
)
def test_resolving_an_old_issue_changes_from_the_resolution_unless_it_says_what_it_was(
    db, resolution, reaches
):
    """Resolving ("Done") changes nothing before the resolution; a resolution that makes the
    issue no bug (bugs.ignored_resolutions) or a known one (bugs.known_resolutions) changes what
    it was over its whole life."""
    from apps.ingestion.jira_sync import ISSUE_FIELDS
    from apps.ingestion.upserts import ChangeWindow, changes_tracked, rows_upsert
    from apps.organization.models import JiraProject, Source
    from apps.quality.models import JiraIssue

    jira = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    project = JiraProject.objects.create(source=jira, key="API")
    created = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
    resolved = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)

    def issue(**fields) -> JiraIssue:
        base = {"status": "To Do", "status_category": "new", "resolution": ""}
        return JiraIssue(
            source=jira,
            project=project,
            jira_id=1,
            key="API-1",
            issue_type="Bug",
            created_at=created,
            updated_at=fields.pop("updated_at", created),
            **{**base, **fields},
        )

    def upsert(row: JiraIssue) -> None:
        rows_upsert(
            model=JiraIssue,
            rows=[row],
            unique_fields=["source", "jira_id"],
            update_fields=ISSUE_FIELDS,
        )

    upsert(issue())
    with changes_tracked(ChangeWindow()) as window:
        upsert(
            issue(
                status="Done",
                status_category="done",
                resolution=resolution,
                resolution_date=resolved,
                status_category_changed_at=resolved,
                updated_at=resolved,
            )
        )
    assert window.earliest == (resolved if reaches == "resolved" else created)
