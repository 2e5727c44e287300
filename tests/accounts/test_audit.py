"""The audit log: engineer views by every route, config applied, tokens, admin changes (secrets
by field name only), visible to admins only, kept 400 days by a scheduled task."""

from datetime import timedelta

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.tokens import api_token_create, api_token_revoke
from apps.core.audit import audit_prune
from apps.core.models import AuditEvent
from apps.organization.models import Organization, Person, Source, Team
from apps.organization.services import config_apply_file
from config.celery import app
from tests.metrics.factories import MetricRowFactory

VIEWED = AuditEvent.Action.ENGINEER_VIEWED


@pytest.fixture
def org(db) -> dict:
    users = get_user_model().objects
    Organization.objects.create(name="Acme")
    alpha = Team.objects.create(slug="alpha")
    Person.objects.create(email="a1@acme.test", team=alpha)
    lead = users.create_user("lead", "lead@acme.test", "pw")
    alpha.managers.add(lead)
    MetricRowFactory(metric="bug_fix_share", scope="engineer", scope_key="a1@acme.test")
    MetricRowFactory(metric="bug_fix_share", scope="team", scope_key="alpha")
    return {
        "lead": lead,
        "root": users.create_superuser("root", "root@acme.test", "pw"),
        "viewer": users.create_user("viewer", "viewer@acme.test", "pw"),
    }


def _events(action=VIEWED) -> list[tuple[str, str]]:
    return list(AuditEvent.objects.filter(action=action).values_list("actor_name", "target"))


def test_engineer_views_are_recorded_by_the_api_and_the_dashboard(org) -> None:
    api = APIClient()
    api.force_authenticate(org["lead"])
    api.get("/api/v1/metrics/")
    api.get("/api/v1/metrics/?scope=team")  # no engineer row shown: nothing recorded
    api.get("/api/v1/metrics/?format=csv")
    browser = Client()
    browser.force_login(org["lead"])
    assert browser.get("/engineers/a1@acme.test/").status_code == 200
    assert _events() == [("lead", "a1@acme.test")] * 3
    via = sorted(e.detail["via"] for e in AuditEvent.objects.all())
    assert via == ["/api/v1/metrics/", "/api/v1/metrics/?format=csv", "/engineers/a1@acme.test/"]


def test_a_viewer_who_sees_no_engineer_leaves_no_view(org) -> None:
    api = APIClient()
    api.force_authenticate(org["viewer"])
    api.get("/api/v1/metrics/")
    Client().get("/engineers/a1@acme.test/")
    assert _events() == []


def test_config_tokens_and_admin_secret_changes_are_recorded(org, tmp_path) -> None:
    config = tmp_path / "keel.yaml"
    config.write_text("organization: {name: Acme, timezone: UTC}\n")
    config_apply_file(path=config)
    assert _events(AuditEvent.Action.CONFIG_APPLIED) == [("", str(config))]
    new = api_token_create(user=org["lead"], name="bi")
    api_token_revoke(user=org["lead"], token_key=new.record.token_key)
    key = f"{new.record.token_key}…"
    assert _events(AuditEvent.Action.TOKEN_CREATED) == [("lead", key)]
    assert _events(AuditEvent.Action.TOKEN_REVOKED) == [("lead", key)]
    source = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    admin = Client()
    admin.force_login(org["root"])
    form = {
        "name": "gh",
        "kind": "github",
        "base_url": "https://api.github.com",
        "api": "graphql",
        "enabled": "on",
        "new_token": "ghp_AuditedButNeverStored",
        **{
            f"{p}-{n}": "0"
            for p in ("repos", "jira_projects", "pagerduty_services")
            for n in ("TOTAL_FORMS", "INITIAL_FORMS")
        },
    }
    assert admin.post(f"/admin/organization/source/{source.pk}/change/", form).status_code == 302
    entry = LogEntry.objects.get()
    assert entry.user == org["root"] and "New token" in entry.get_change_message()
    page = admin.get("/admin/admin/logentry/").content.decode()
    assert "New token" in page and "ghp_AuditedButNeverStored" not in page
    audit_page = admin.get("/admin/core/auditevent/").content.decode()
    assert "made an API token" in audit_page and "applied the config file" in audit_page


def test_the_audit_log_is_for_admins(org) -> None:
    lead = Client()
    lead.force_login(org["lead"])
    assert lead.get("/admin/core/auditevent/").status_code == 302
    root = Client()
    root.force_login(org["root"])
    assert root.get("/admin/core/auditevent/").status_code == 200


def test_kept_400_days_by_a_daily_task(org) -> None:
    now = timezone.now()
    old, recent = AuditEvent.objects.create(action=VIEWED), AuditEvent.objects.create(action=VIEWED)
    AuditEvent.objects.filter(pk=old.pk).update(at=now - timedelta(days=401))
    AuditEvent.objects.filter(pk=recent.pk).update(at=now - timedelta(days=399))
    assert audit_prune(now=now) == 1
    assert list(AuditEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    schedule = app.conf.beat_schedule["prune-access-records-daily"]
    assert schedule["task"] == "apps.accounts.tasks.prune_access_records"
