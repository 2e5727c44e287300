"""The one permission check (apps.accounts.access): roles, engineers by role, the admin site."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser, Permission
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.access import (
    engineer_visible,
    role_of,
    source_sync_allowed,
    teams_with_engineers_visible,
)
from apps.accounts.models import Role, UserRole
from apps.metrics.models import MetricRow
from apps.organization.models import JiraProject, Person, Repo, Source, Team
from tests.metrics.factories import MetricRowFactory


@pytest.fixture
def org(db) -> dict:
    users = get_user_model().objects
    alpha, beta = Team.objects.create(slug="alpha"), Team.objects.create(slug="beta")
    Person.objects.create(email="a1@acme.test", team=alpha)
    Person.objects.create(email="b1@acme.test", team=beta)
    lead = users.create_user("lead", "lead@acme.test", "pw")
    alpha.managers.add(lead)
    gh = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    Repo.objects.create(source=gh, full_name="acme/api", team=alpha)
    jira = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    JiraProject.objects.create(source=jira, key="WEB", team=beta)
    return {
        "lead": lead,
        "root": users.create_superuser("root", "root@acme.test", "pw"),
        "staff": users.create_user("staff", "staff@acme.test", "pw", is_staff=True),
        "plain": users.create_user("plain", "plain@acme.test", "pw"),
        "gone": users.create_user("gone", "gone@acme.test", "pw", is_active=False),
        "gh": gh,
        "jira": jira,
    }


def test_roles_follow_superuser_stored_role_then_team_management(org) -> None:
    assert role_of(AnonymousUser()) is None and role_of(None) is None
    assert role_of(org["gone"]) is None
    assert role_of(org["root"]) == Role.ADMIN
    assert role_of(org["lead"]) == Role.MANAGER
    assert role_of(org["plain"]) == Role.VIEWER
    assert role_of(org["staff"]) == Role.VIEWER  # staff status grants nothing
    UserRole.objects.create(user=org["lead"], role=Role.VIEWER)  # demoted by an admin
    assert role_of(org["lead"]) == Role.VIEWER
    assert not engineer_visible(user=org["lead"], email="a1@acme.test")


@pytest.mark.parametrize(
    ("who", "a1", "b1", "teams"),
    [
        ("root", True, True, ["alpha", "beta"]),
        ("lead", True, False, ["alpha"]),
        ("staff", False, False, []),
        ("plain", False, False, []),
        ("gone", False, False, []),
    ],
)
def test_engineers_visible_by_role(org, who, a1, b1, teams) -> None:
    user = org[who]
    assert engineer_visible(user=user, email="a1@acme.test") is a1
    assert engineer_visible(user=user, email="b1@acme.test") is b1
    assert sorted(teams_with_engineers_visible(user=user).values_list("slug", flat=True)) == teams


def test_staff_with_view_permission_gets_no_engineer_row_from_the_api(org) -> None:
    MetricRowFactory(metric="bug_fix_share", scope="engineer", scope_key="a1@acme.test")
    MetricRowFactory(metric="bug_fix_share", scope="team", scope_key="alpha")
    staff = org["staff"]
    staff.user_permissions.add(*Permission.objects.filter(codename="view_metricrow"))
    client = APIClient()
    client.force_authenticate(staff)
    scopes = [row["scope"] for row in client.get("/api/v1/metrics/").json()["results"]]
    assert scopes == ["team"]
    assert MetricRow.objects.filter(scope="engineer").count() == 1


def test_only_admins_use_the_admin_site(org) -> None:
    staff = Client()
    org["staff"].user_permissions.add(*Permission.objects.filter(codename="view_metricrow"))
    staff.force_login(org["staff"])
    assert staff.get("/admin/metrics/metricrow/").status_code == 302  # to the admin login
    root = Client()
    root.force_login(org["root"])
    assert root.get("/admin/metrics/metricrow/").status_code == 200
    assert root.get(f"/admin/auth/user/{org['lead'].pk}/change/").status_code == 200


def test_a_manager_may_sync_only_sources_of_their_teams(org) -> None:
    assert source_sync_allowed(user=org["lead"], source=org["gh"])
    assert not source_sync_allowed(user=org["lead"], source=org["jira"])
    assert source_sync_allowed(user=org["root"], source=org["jira"])
    assert not source_sync_allowed(user=org["staff"], source=org["gh"])
