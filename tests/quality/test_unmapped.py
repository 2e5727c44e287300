"""Identities that match no person, and Jira names the config does not map (API and admin)."""

from datetime import UTC, datetime

import pytest
from django.contrib.auth import get_user_model
from rest_framework.test import APIRequestFactory, force_authenticate

from apps.delivery.models import PullRequest
from apps.organization.models import Identity, JiraProject, Person, Repo, Source, Team
from apps.quality.api import UnmappedView
from apps.quality.models import Issue, JiraIssue

T = datetime(2026, 3, 1, tzinfo=UTC)


@pytest.fixture
def data(db):
    team = Team.objects.create(slug="a", name="A")
    ann = Person.objects.create(email="ann@acme.test", team=team)
    Identity.objects.create(person=ann, provider="github", external_id="ann-gh")
    Identity.objects.create(person=ann, provider="jira", external_id="acc-ann")
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    repo = Repo.objects.create(source=gh, full_name="acme/api", team=team)
    for n, login, kind in (
        (1, "ANN-GH", "User"),
        (2, "Zed", "User"),
        (3, "Zed", "User"),
        (4, "renovate[bot]", "Bot"),
    ):
        PullRequest.objects.create(
            repo=repo,
            external_id=n,
            number=n,
            state="open",
            user_login=login,
            user_type=kind,
            created_at=T,
            updated_at=T,
        )
    Issue.objects.create(
        repo=repo,
        external_id=9,
        number=9,
        state="open",
        user_login="zed",
        created_at=T,
        updated_at=T,
    )
    jira = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    project = JiraProject.objects.create(source=jira, key="EE", team=team)
    for jid, kind, priority, assignee, reporter in (
        (1, "缺陷", "P0", "acc-ann", "acc-yf"),
        (2, "Bug", "Blocker", "", "acc-yf"),
        (3, "故事", "Medium", "acc-ann", "acc-ann"),
    ):
        JiraIssue.objects.create(
            source=jira,
            project=project,
            jira_id=jid,
            key=f"EE-{jid}",
            issue_type=kind,
            priority=priority,
            assignee_id=assignee,
            reporter_id=reporter,
            reporter_name="yf" if reporter else "",
            created_at=T,
            updated_at=T,
        )
    user = get_user_model().objects.create_user("lead", "lead@acme.test", "pw")
    team.managers.add(user)
    return user


def call(user):
    request = APIRequestFactory().get("/api/v1/quality/unmapped/")
    force_authenticate(request, user)
    return UnmappedView.as_view()(request)


def test_unmatched_identities_and_unmapped_names(data) -> None:
    body = call(data).data
    # Ann is matched case-insensitively on GitHub; the bot is nobody; Zed: 2 PRs + 1 issue;
    # Jira acc-yf reported EE-1 and EE-2. E-mail is never used to match.
    assert body["identities"] == [
        {
            "provider": "github",
            "external_id": "Zed",
            "display_name": "",
            "roles": ["github issue", "pull request"],
            "occurrences": 3,
        },
        {
            "provider": "jira",
            "external_id": "acc-yf",
            "display_name": "yf",
            "roles": ["jira reporter"],
            "occurrences": 2,
        },
    ]
    # Default bugs.jira_types is [Bug]: 缺陷 and 故事 are not bug types; Blocker is unmapped.
    assert body["jira"] == {"priorities": ["Blocker"], "types": ["故事", "缺陷"]}


def test_only_managers_and_superusers(data) -> None:
    plain = get_user_model().objects.create_user("plain", "plain@acme.test", "pw")
    assert call(plain).status_code == 403


def test_admin_lists_unmatched_identities(data, client) -> None:
    root = get_user_model().objects.create_superuser("root", "root@acme.test", "pw")
    client.force_login(root)
    html = client.get("/admin/quality/jiraissue/").content.decode()
    assert "Identities that match no person (2)" in html and "acc-yf" in html
    assert "Blocker" in html


def test_routed_under_the_api(data, client) -> None:
    # The same answer through the URL a BI tool uses, with token auth; anonymous is refused.
    from apps.accounts.tokens import api_token_create

    token = api_token_create(user=data)
    assert client.get("/api/v1/quality/unmapped/").status_code in (401, 403)
    response = client.get("/api/v1/quality/unmapped/", HTTP_AUTHORIZATION=f"Token {token.token}")
    assert response.status_code == 200
    assert response.json()["jira"] == {"priorities": ["Blocker"], "types": ["故事", "缺陷"]}
