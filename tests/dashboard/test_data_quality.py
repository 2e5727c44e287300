"""The data-quality page and its badge: unmatched accounts with their item counts and a link
that opens the admin's identity form filled in, cost on no team with its share, failing
sources, engineers without a churn score and why (named only for those allowed)."""

from datetime import UTC, datetime

import pytest

from apps.costs.models import CostImport, CostLine
from apps.dashboard import data_quality as dq
from apps.delivery.models import PullRequest
from apps.organization.models import Identity, JiraProject, Repo, Source
from apps.quality.models import JiraIssue
from tests.dashboard.conftest import OCT, month_row

NOW = datetime(2026, 11, 22, tzinfo=UTC)


def _pull(repo, number: int, login: str, user_type: str = "User") -> None:
    PullRequest.objects.create(
        repo=repo,
        external_id=number,
        number=number,
        title=f"PR {number}",
        state="closed",
        user_login=login,
        user_type=user_type,
        created_at=NOW,
        updated_at=NOW,
    )


def _line(team, cost: float, row: int, imp: CostImport) -> None:
    CostLine.objects.create(
        cost_import=imp,
        charge_period_start=datetime(2026, 10, 3, tzinfo=UTC),
        charge_period_end=datetime(2026, 10, 4, tzinfo=UTC),
        billed_cost=cost,
        effective_cost=cost,
        currency="USD",
        cost=cost,
        service_category="Compute",
        service_name="EC2",
        sub_account_id="111",
        resource_id="i-1",
        charge_category="Usage",
        team=team,
        source_row=row,
    )


@pytest.fixture
def gaps(world):
    repo = Repo.objects.get(full_name="acme/api")
    Identity.objects.create(person=world["a1"], provider="github", external_id="Ann-GH")
    for n, login in enumerate(["ann-gh", "ghost-dev", "ghost-dev", "renovate[bot]"], start=1):
        _pull(repo, n, login)
    _pull(repo, 9, "helper", user_type="Bot")
    jira = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    project = JiraProject.objects.create(source=jira, key="WEB", team=world["beta"])
    for n in range(3):
        JiraIssue.objects.create(
            source=jira,
            project=project,
            jira_id=n,
            key=f"WEB-{n}",
            issue_type="Story",
            created_at=NOW,
            updated_at=NOW,
            assignee_id="acc-9",
            assignee_name="Dana Nine",
        )
    imp = CostImport.objects.create(
        path="/srv/x.csv", sha256="0", format="focus", status="succeeded"
    )
    _line(world["alpha"], 75.0, 1, imp)
    _line(None, 25.0, 2, imp)
    # churn_risk for October: Ann unscored with a note; Bob has no row at all.
    month_row(
        "churn_risk",
        OCT,
        None,
        scope="engineer",
        scope_key="a1@acme.test",
        unit="score",
        note="4 work item(s) in the window, fewer than churn.min_items (5)",
    )
    return world


def test_the_gaps_as_found(gaps, monkeypatch) -> None:
    found = dq.data_quality(user=gaps["manager"], today=NOW.date())
    # Bots are nobody; a login matches its identity whatever its case.
    assert [(u.provider, u.external_id, u.display, u.items) for u in found.unmatched] == [
        ("jira", "acc-9", "Dana Nine", 3),
        ("github", "ghost-dev", "ghost-dev", 2),
    ]
    assert found.unmatched[0].add_url == ""  # a manager is no admin
    assert found.cost.unallocated == 25.0 and found.cost.share == 0.25
    assert [(s.name, s.problem) for s in found.sources] == [
        ("gh", "last sync failed: github source 'gh': bad credentials (401)"),
        ("jira", "never synced"),
    ]
    # The manager of alpha sees Ann by name; Bob (beta) only as a count.
    assert [(e.name, e.reason) for e in found.unscored] == [
        ("Ann One", "4 work item(s) in the window, fewer than churn.min_items (5)")
    ]
    assert found.unscored_hidden == 1
    assert found.summary == [
        "2 unmatched accounts",
        "25.00% of cost on no team",
        "2 sources failing or stale",
        "2 engineers unscored",
    ]


def test_page_for_an_admin_links_the_filled_in_identity_form(gaps, admin_client_) -> None:
    page = admin_client_.get("/data-quality/").content.decode()
    assert (
        'href="/admin/organization/identity/add/?provider=github&amp;external_id=ghost-dev"' in page
    )
    assert "Dana Nine" in page and ">3</td>" in page
    assert "<strong data-unallocated>$25.00</strong>" in page
    assert "<strong data-unallocated-share>25.00%</strong>" in page
    assert "Bob One" in page and dq.UNSCORED_NO_ROW in page
    # The form opens filled in.
    form = admin_client_.get(
        "/admin/organization/identity/add/?provider=github&external_id=ghost-dev"
    )
    assert form.status_code == 200 and 'value="ghost-dev"' in form.content.decode()


def test_badge_on_affected_pages_not_elsewhere(gaps, manager_client) -> None:
    for url in ("/", "/teams/alpha/", "/metrics/t_releases/"):
        page = manager_client.get(url).content.decode()
        assert "data-dq-badge" in page and 'href="/data-quality/"' in page, url
        assert "2 unmatched accounts" in page
    assert "data-dq-badge" not in manager_client.get("/sources/").content.decode()
    page = manager_client.get("/data-quality/").content.decode()
    assert "Bob One" not in page and "1 engineer of teams you do not manage has no score" in page
    assert "/admin/" not in page.split("<main", 1)[1]


def test_no_gap_no_badge(world, admin_client_) -> None:
    world["gh"].sync_runs.all().delete()
    world["gh"].delete()
    found = dq.data_quality(user=world["manager"], today=NOW.date())
    assert found.unmatched == [] and found.sources == [] and found.cost is None
