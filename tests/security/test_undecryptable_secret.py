"""A secret that cannot be decrypted (KEEL_ENCRYPTION_KEY changed, a corrupted value) breaks only
its own source: that source's run fails saying so, every other source syncs, webhooks for other
sources work, and the admin shows the field as "must be re-entered" instead of a server error."""

import json
from unittest import mock

import pytest
from django.core.management import call_command
from django.test import Client, override_settings

from apps.ingestion.models import SyncRun
from apps.ingestion.webhooks import signature_hex
from apps.organization.models import PagerDutyService, Source
from integrations.simulator import Simulator, generate_github_world
from tests.ingestion.conftest import TOKEN, make_source

MESSAGE = "secret for source {} cannot be decrypted: re-enter it"


def _with_old_key(**fields) -> Source:
    """A source whose secrets were stored under another KEEL_ENCRYPTION_KEY."""
    with override_settings(KEEL_ENCRYPTION_KEY="the-key-before-rotation"):
        return Source.objects.create(**fields)


@pytest.fixture
def broken(db) -> Source:
    return _with_old_key(
        name="old-gh", kind="github", base_url="https://api.github.com", token="ghp_old"
    )


def test_sync_fails_only_the_source_with_the_unreadable_secret(broken) -> None:
    world = generate_github_world(seed=3, repos=1, pulls=20, issues=5, releases=2, owner="acme")
    with Simulator(github=world, token=TOKEN) as simulator:
        make_source(simulator.base_url, [r.full_name for r in world.repos])
        with pytest.raises(Exception, match="old-gh: failed"):
            call_command("sync", "--no-compute")
    runs = {run.source.name: run for run in SyncRun.objects.select_related("source")}
    assert runs["gh"].status == "succeeded"
    assert runs["old-gh"].status == "failed"
    assert MESSAGE.format("old-gh") in runs["old-gh"].error


def test_webhooks_of_other_sources_still_verify(db) -> None:
    _with_old_key(name="pd-old", kind="pagerduty", base_url="https://x.test", webhook_secret="a")
    good = Source.objects.create(
        name="pd", kind="pagerduty", base_url="https://x.test", webhook_secret="hook"
    )
    PagerDutyService.objects.create(source=good, service_id="PSVC1")
    body = json.dumps({"event": {"id": "E1", "data": {"service": {"id": "PSVC1"}}}}).encode()
    with mock.patch("apps.ingestion.tasks.sync_source_task.delay") as delay:
        response = Client().post(
            "/webhooks/pagerduty/",
            data=body,
            content_type="application/json",
            headers={"X-PagerDuty-Signature": f"v1={signature_hex('hook', body)}"},
        )
    assert response.status_code == 202 and delay.call_count == 1
    bad = Client().post(
        "/webhooks/pagerduty/",
        data=body.replace(b"E1", b"E2"),
        content_type="application/json",
        headers={"X-PagerDuty-Signature": "v1=00"},
    )
    assert bad.status_code == 401


def test_admin_shows_must_be_re_entered_and_saving_keeps_the_old_value(broken, admin_client):
    listing = admin_client.get("/admin/organization/source/")
    assert listing.status_code == 200 and "must be re-entered" in listing.content.decode()
    page = admin_client.get(f"/admin/organization/source/{broken.pk}/change/")
    assert page.status_code == 200 and "must be re-entered" in page.content.decode()
    stored = Source.objects.filter(pk=broken.pk).values_list("token", flat=True)
    assert str(Source.objects.get(pk=broken.pk).token) == ""
    before = list(stored)
    form = {
        "name": "old-gh",
        "kind": "github",
        "base_url": "https://api.github.com",
        "enabled": "on",
        "repos-TOTAL_FORMS": "0",
        "repos-INITIAL_FORMS": "0",
        "jira_projects-TOTAL_FORMS": "0",
        "jira_projects-INITIAL_FORMS": "0",
        "pagerduty_services-TOTAL_FORMS": "0",
        "pagerduty_services-INITIAL_FORMS": "0",
    }
    saved = admin_client.post(f"/admin/organization/source/{broken.pk}/change/", form)
    assert saved.status_code == 302, saved.content.decode()[:2000]
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT token FROM organization_source WHERE id = %s", [broken.pk])
        assert cursor.fetchone()[0] != ""  # the unreadable ciphertext is kept, not wiped
    assert before  # (read through the field: "", never an exception)
    form["new_token"] = "ghp_reentered"
    admin_client.post(f"/admin/organization/source/{broken.pk}/change/", form)
    assert Source.objects.get(pk=broken.pk).token == "ghp_reentered"
