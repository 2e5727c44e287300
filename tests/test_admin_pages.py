"""Every admin list page opens for a superuser; synced records are read-only there; engineer
metric rows in the admin follow the API's privacy rule."""

from datetime import date

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from apps.metrics.models import MetricRow
from apps.organization.models import Person, Team


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@acme.test", "pw")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_every_changelist_opens(client, superuser, model) -> None:
    client.force_login(superuser)
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    assert client.get(url).status_code == 200


def test_synced_records_cannot_be_added(client, superuser) -> None:
    client.force_login(superuser)
    assert client.get(reverse("admin:delivery_pullrequest_add")).status_code == 403
    assert client.get(reverse("admin:ingestion_syncrun_add")).status_code == 403


def engineer_row(email: str) -> MetricRow:
    return MetricRow.objects.create(
        metric="bug_fix_share",
        scope="engineer",
        scope_key=email,
        granularity="month",
        period_start=date(2026, 3, 1),
        period_end=date(2026, 4, 1),
        value=0.5,
        unit="ratio",
    )


def test_the_admin_site_is_closed_to_a_staff_manager_even_with_permissions(client, db) -> None:
    users = get_user_model().objects
    manager = users.create_user("a-lead", "a-lead@acme.test", "pw", is_staff=True)
    manager.user_permissions.add(*Permission.objects.filter(codename="view_metricrow"))
    team_a = Team.objects.create(slug="a", name="A")
    team_b = Team.objects.create(slug="b", name="B")
    team_a.managers.add(manager)
    Person.objects.create(email="ann@acme.test", team=team_a)
    Person.objects.create(email="bob@acme.test", team=team_b)
    engineer_row("ann@acme.test")
    engineer_row("bob@acme.test")
    client.force_login(manager)
    response = client.get(reverse("admin:metrics_metricrow_changelist"))
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    client.force_login(users.create_superuser("root", "root@acme.test", "pw"))
    page = client.get(reverse("admin:metrics_metricrow_changelist")).content.decode()
    assert "ann@acme.test" in page and "bob@acme.test" in page


VENDOR_NAMES = ("GitHub", "Jira", "PagerDuty", "HTTP", "API")


@pytest.mark.parametrize("model", list(admin.site._registry), ids=lambda m: m._meta.label)
def test_admin_names_read_as_english(model) -> None:
    """Plural names are English plurals ("webhook deliveries", not "deliverys") and vendor names
    keep their spelling ("GitHub releases", not "Git hub releases")."""
    plural = str(model._meta.verbose_name_plural)
    assert not plural.endswith("ys"), plural
    assert not any(bad in plural.lower() for bad in ("git hub", "pager duty", "http validator"))
    assert not plural.startswith(("jira ", "github ", "pagerduty ")), plural


def test_admin_index_lists_vendor_names(client, superuser) -> None:
    client.force_login(superuser)
    page = client.get(reverse("admin:index")).content.decode()
    for name in ("Webhook deliveries", "Releases", "Issues", "Jira issues"):
        assert f">{name}</a>" in page, name
    # Records of every code host share one model, named in people's words, not a vendor's.
    assert "GitHub releases" not in page and "GitHub issues" not in page
    assert "PagerDuty services" in page and "Jira projects" in page
    assert "deliverys" not in page and "Git hub" not in page
