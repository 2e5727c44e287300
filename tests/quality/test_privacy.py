"""Engineer-scope bug-load rows (real rows, computed from synced-shaped data) are visible only to
superusers and the managers of the engineer's team, by every URL (docs/metrics.md#engineers_at_risk,
privacy)."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIClient

from apps.delivery.models import PullRequest
from apps.metrics.models import MetricRow
from apps.metrics.services import metrics_compute
from apps.organization.models import Identity, JiraProject, Person, Repo, Source, Team
from apps.quality.models import JiraIssue

NOW = datetime(2026, 3, 18, 12, tzinfo=UTC)
URL = "/api/v1/metrics/"


@pytest.fixture
def manager(db):
    a, b = Team.objects.create(slug="a", name="A"), Team.objects.create(slug="b", name="B")
    ann = Person.objects.create(email="ann@acme.test", team=a)
    bea = Person.objects.create(email="bea@acme.test", team=b)
    Identity.objects.create(person=ann, provider="github", external_id="Ann-GH")
    Identity.objects.create(person=bea, provider="jira", external_id="acc-bea")
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(source=gh, full_name="acme/api", team=a)
    PullRequest.objects.create(
        repo=repo,
        external_id=1,
        number=1,
        title="fix",
        state="closed",
        user_login="ann-gh",
        labels=["bug"],
        created_at=NOW,
        updated_at=NOW,
        merged_at=datetime(2026, 3, 3, tzinfo=UTC),
        additions=3,
        deletions=1,
    )
    jira = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    project = JiraProject.objects.create(source=jira, key="WEB", team=b)
    JiraIssue.objects.create(
        source=jira,
        project=project,
        jira_id=1,
        key="WEB-1",
        issue_type="Story",
        created_at=datetime(2026, 3, 1, tzinfo=UTC),
        updated_at=NOW,
        resolution_date=datetime(2026, 3, 4, tzinfo=UTC),
        assignee_id="acc-bea",
    )
    metrics_compute(metrics=["bug_fix_share"], now=NOW)
    user = get_user_model().objects.create_user("lead-a", "lead@acme.test", "pw")
    a.managers.add(user)
    return user


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def test_rows_were_computed_for_both_engineers(manager) -> None:
    rows = MetricRow.objects.filter(
        scope="engineer", metric="bug_fix_share", granularity="week", period_start="2026-03-02"
    )
    # ann: 1 merged PR with the bug label → 1/1; bea: 1 resolved story → 0/1.
    assert dict(rows.values_list("scope_key", "value")) == {
        "ann@acme.test": 1.0,
        "bea@acme.test": 0.0,
    }


def test_manager_of_one_team_cannot_read_another_teams_engineer(manager) -> None:
    client = client_for(manager)
    seen = {r["scope_key"] for r in client.get(URL, {"scope": "engineer"}).json()["results"]}
    assert seen == {"ann@acme.test"}
    assert client.get(URL, {"scope_key": "bea@acme.test"}).json()["count"] == 0
    for metric in ("bug_fix_share", "churn_risk"):
        assert (
            client.get(URL, {"metric": metric, "scope_key": "bea@acme.test"}).json()["count"] == 0
        )
    response = client.get(URL, {"format": "csv", "scope": "engineer"})
    csv = b"".join(response.streaming_content).decode()
    assert "bea@acme.test" not in csv and "ann@acme.test" in csv
    hidden = MetricRow.objects.filter(scope_key="bea@acme.test").first()
    assert client.get(f"{URL}{hidden.pk}/").status_code == 404
    params = {"scope": "engineer", "granularity": "week", "period_start": "2026-03-02"}
    for metric in ("bug_fix_share", "churn_risk"):
        records = f"{URL}{metric}/records/"
        assert client.get(records, {**params, "scope_key": "bea@acme.test"}).status_code == 403
    mine = client.get(f"{URL}bug_fix_share/records/", {**params, "scope_key": "ann@acme.test"})
    assert [r["ref"] for r in mine.json()["records"]] == ["acme/api#1"]
    # The team number pools members' items but names nobody else's engineer.
    team_b = client.get(
        f"{URL}bug_fix_share/records/", {**params, "scope": "team", "scope_key": "b"}
    )
    assert team_b.status_code == 200
    assert [r["ref"] for r in team_b.json()["records"]] == ["WEB-1"]
    assert "bea@acme.test" not in team_b.content.decode()


def test_superuser_sees_both(manager) -> None:
    root = get_user_model().objects.create_superuser("root", "root@acme.test", "pw")
    seen = {
        r["scope_key"] for r in client_for(root).get(URL, {"scope": "engineer"}).json()["results"]
    }
    assert seen == {"ann@acme.test", "bea@acme.test"}


def test_work_item_records_have_title_and_link(manager) -> None:
    PullRequest.objects.filter(number=1).update(
        title='=HYPERLINK("https://evil.test")', html_url="https://github.com/acme/api/pull/1"
    )
    JiraIssue.objects.filter(key="WEB-1").update(summary="Checkout button hides on phones")
    root = get_user_model().objects.create_superuser("root", "root@acme.test", "pw")
    client = client_for(root)
    params = {"scope": "org", "granularity": "week", "period_start": "2026-03-02"}
    answer = client.get(f"{URL}bug_fix_share/records/", params).json()
    links = {r["ref"]: (r["title"], r["url"]) for r in answer["records"]}
    assert links == {
        "acme/api#1": ('=HYPERLINK("https://evil.test")', "https://github.com/acme/api/pull/1"),
        "WEB-1": ("Checkout button hides on phones", "https://acme.atlassian.net/browse/WEB-1"),
    }
    # The same records as CSV: a header of every field, one line per record, formulas inert.
    response = client.get(f"{URL}bug_fix_share/records/", {**params, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    lines = b"".join(response.streaming_content).decode().splitlines()
    assert lines[0] == (
        "kind,ref,title,bug,completed_at,repairs_others_code,small_fix_that_took_long,url"
    )
    assert len(lines) == 3
    assert any(line.startswith("pull,acme/api#1,\"'=HYPERLINK(") for line in lines)
    # A bad query is a JSON error even when CSV was asked for.
    bad = client.get(f"{URL}bug_fix_share/records/", {"scope": "org", "format": "csv"})
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/json")


def test_work_links_of_issues_pulls_and_jira(manager) -> None:
    from apps.quality.models import Issue
    from apps.quality.selectors import work_links

    Issue.objects.create(
        repo=Repo.objects.get(full_name="acme/api"),
        external_id=7,
        number=7,
        title="Login fails on Safari",
        state="open",
        html_url="https://github.com/acme/api/issues/7",
        created_at=NOW,
        updated_at=NOW,
    )
    links = work_links(
        [("github", "acme/api#7"), ("pull", "acme/api#1"), ("jira", "WEB-1"), ("jira", "NOPE-1")]
    )
    assert links == {
        ("github", "acme/api#7"): ("Login fails on Safari", "https://github.com/acme/api/issues/7"),
        ("pull", "acme/api#1"): ("fix", ""),
        ("jira", "WEB-1"): ("", "https://acme.atlassian.net/browse/WEB-1"),
    }


def test_engineers_at_risk_records_name_the_engineers_to_those_allowed(manager) -> None:
    """From the number to the names: the team's managers and admins get one record per engineer
    at risk (name, score, components); everyone else keeps records that name nobody."""
    from apps.organization.selectors import organization_get

    org = organization_get()
    org.churn_settings = {"min_items": 1}
    org.save()
    Person.objects.filter(email="ann@acme.test").update(name="Ann Lee")
    metrics_compute(metrics=["engineers_at_risk"], now=NOW)
    params = {"granularity": "month", "period_start": "2026-03-01"}
    records = f"{URL}engineers_at_risk/records/"
    team_a = {**params, "scope": "team", "scope_key": "a"}
    # ann: 1 item in the 90 days to the end of March, a bug fix (share 1.0, no window before:
    # rise 0); small and fast (slow 0); no file history, so "others' code" is unknown, left out
    # and the weights rescaled → score (0.4·1 + 0.2·0 + 0.2·0) / 0.8 = 0.5, at risk (≥ 0.5).
    answer = client_for(manager).get(records, team_a).json()
    assert answer["value"] == 1.0
    assert answer["records"] == [
        {
            "person": "ann@acme.test",
            "name": "Ann Lee",
            "team": "a",
            "churn_risk": 0.5,
            "items": 1,
            "bug_share": 1.0,
            "previous_bug_share": None,
            "rise": 0.0,
            "repairs_others_code": None,
            "small_fixes_that_took_long": 0.0,
        }
    ]
    root = get_user_model().objects.create_superuser("root", "root@acme.test", "pw")
    org_answer = client_for(root).get(records, {**params, "scope": "org", "scope_key": ""})
    assert [r["person"] for r in org_answer.json()["records"]] == ["ann@acme.test"]
    # The manager of team a does not see every engineer: the org's records stay anonymous, as
    # do team a's for a user managing no team.
    anonymous = [
        client_for(manager).get(records, {**params, "scope": "org", "scope_key": ""}),
        client_for(get_user_model().objects.create_user("plain", "p@acme.test", "pw")).get(
            records, team_a
        ),
    ]
    for response in anonymous:
        assert response.status_code == 200
        body = response.content.decode()
        assert "ann@acme.test" not in body and "Ann Lee" not in body
        assert "acme/api#1" in body
