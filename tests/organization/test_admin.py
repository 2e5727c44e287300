"""Admin: secrets are write-only (never rendered, not even encrypted), stored encrypted, kept when
left blank; the config's own validators guard the forms."""

import pytest
from django.db import connection
from django.urls import reverse

from apps.core import crypto
from apps.organization.models import Organization, Repo, Source
from apps.organization.selectors import source_credentials

pytestmark = pytest.mark.django_db

PLAIN_TOKEN = "ghp_PlainTextToken123"
PLAIN_HOOK = "hook-PlainSecret456"


def raw_secrets(source: Source) -> tuple[str, str]:
    """The columns as stored, bypassing the field's decryption."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT token, webhook_secret FROM organization_source WHERE id = %s", [source.pk]
        )
        return cursor.fetchone()


def post_data(source: Source, **overrides: str) -> dict[str, str]:
    data = {
        "name": source.name,
        "kind": source.kind,
        "base_url": source.base_url,
        "enabled": "on",
        "token_env": source.token_env,
        "email_env": source.email_env,
        "email": source.email,
        "story_points_field": source.story_points_field,
        "api": source.api,
        "new_token": "",
        "new_webhook_secret": "",
    }
    for prefix in ("repos", "jira_projects", "pagerduty_services"):
        data |= {
            f"{prefix}-TOTAL_FORMS": "0",
            f"{prefix}-INITIAL_FORMS": "0",
            f"{prefix}-MIN_NUM_FORMS": "0",
            f"{prefix}-MAX_NUM_FORMS": "1000",
        }
    return data | overrides


@pytest.fixture
def source() -> Source:
    return Source.objects.create(
        name="gh",
        kind="github",
        base_url="https://api.github.com",
        token=PLAIN_TOKEN,
        webhook_secret=PLAIN_HOOK,
    )


def change_url(source: Source) -> str:
    return reverse("admin:organization_source_change", args=[source.pk])


def test_change_page_shows_neither_plaintext_nor_ciphertext(admin_client, source):
    cipher_token, cipher_hook = raw_secrets(source)
    assert cipher_token and cipher_hook

    html = admin_client.get(change_url(source)).content.decode()

    for secret in (PLAIN_TOKEN, PLAIN_HOOK, cipher_token, cipher_hook):
        assert secret not in html
    assert html.count('<div class="readonly">set</div>') == 2
    assert 'name="new_token"' in html
    assert 'type="password"' in html


def test_list_shows_whether_a_secret_is_set(admin_client, source):
    Source.objects.create(name="pd", kind="pagerduty", base_url="https://api.pagerduty.com")

    html = admin_client.get(reverse("admin:organization_source_changelist")).content.decode()

    assert '<td class="field-token_status">set</td>' in html
    assert '<td class="field-token_status">not set</td>' in html
    assert PLAIN_TOKEN not in html


def test_posting_a_new_token_stores_it_encrypted(admin_client, source):
    response = admin_client.post(change_url(source), post_data(source, new_token="ghp_NewToken789"))

    assert response.status_code == 302
    stored_token, stored_hook = raw_secrets(source)
    assert "ghp_NewToken789" not in stored_token
    assert crypto.decrypt(stored_token) == "ghp_NewToken789"
    assert crypto.decrypt(stored_hook) == PLAIN_HOOK
    assert source_credentials(source=Source.objects.get(pk=source.pk)).token == "ghp_NewToken789"


def test_blank_post_keeps_the_stored_secrets(admin_client, source):
    response = admin_client.post(change_url(source), post_data(source, token_env="GH_TOKEN"))

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.token_env, source.token, source.webhook_secret) == (
        "GH_TOKEN",
        PLAIN_TOKEN,
        PLAIN_HOOK,
    )
    assert source_credentials(source=source).token == PLAIN_TOKEN


def test_clear_removes_the_secret(admin_client, source):
    response = admin_client.post(change_url(source), post_data(source, clear_webhook_secret="on"))

    assert response.status_code == 302
    source.refresh_from_db()
    assert (source.token, source.webhook_secret) == (PLAIN_TOKEN, "")
    assert raw_secrets(source)[1] == ""


def test_new_value_and_clear_together_is_an_error(admin_client, source):
    response = admin_client.post(
        change_url(source), post_data(source, new_token="x", clear_token="on")
    )

    assert response.status_code == 200
    assert "enter a new value or remove it, not both" in response.content.decode()
    source.refresh_from_db()
    assert source.token == PLAIN_TOKEN


def test_an_invalid_post_does_not_echo_the_typed_secret(admin_client, source):
    response = admin_client.post(
        change_url(source),
        post_data(source, new_token="ghp_Typed000", base_url="ftp://files.acme.test"),
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert (
        "invalid base_url &#x27;ftp://files.acme.test&#x27;: expected http(s)://host[/path]" in html
    )
    assert "ghp_Typed000" not in html


def test_kind_specific_field_is_rejected(admin_client, source):
    response = admin_client.post(change_url(source), post_data(source, story_points_field="cf_1"))

    assert response.status_code == 200
    assert (
        "&#x27;story_points_field&#x27; is only for jira sources, not github"
        in response.content.decode()
    )


def test_repo_inline_on_a_jira_source_and_bad_regex_are_rejected(admin_client):
    jira = Source.objects.create(name="jira", kind="jira", base_url="https://acme.atlassian.net")
    repo = {
        "repos-TOTAL_FORMS": "1",
        "repos-0-full_name": "acme/api",
        "repos-0-release_source": "tags",
        "repos-0-production_environment": "^production$",
        "repos-0-tag_pattern": "^v[0-9",
    }

    html = admin_client.post(change_url(jira), post_data(jira, **repo)).content.decode()

    assert "&#x27;repos&#x27; is only for github or gitlab sources, not jira" in html
    assert "invalid regex: unterminated character set at position 2" in html
    assert Repo.objects.count() == 0


def test_repo_inline_on_a_github_source_is_saved(admin_client, source):
    repo = {
        "repos-TOTAL_FORMS": "1",
        "repos-0-full_name": "acme/api",
        "repos-0-release_source": "tags",
        "repos-0-production_environment": "^production$",
        "repos-0-tag_pattern": "^v[0-9]",
    }

    response = admin_client.post(change_url(source), post_data(source, **repo))

    assert response.status_code == 302
    assert list(Repo.objects.values_list("source__name", "full_name", "tag_pattern")) == [
        ("gh", "acme/api", "^v[0-9]"),
    ]


def test_organization_settings_are_validated_and_normalised(admin_client):
    org = Organization.objects.create(name="Acme")
    url = reverse("admin:organization_organization_change", args=[org.pk])
    data = {
        "name": "Acme",
        "timezone": "Europe/Paris",
        "bug_settings": '{"impact": {"default": "huge"}}',
        "incident_settings": "{}",
        "churn_settings": '{"window_days": 30}',
        "cost_settings": "{}",
    }

    bad = admin_client.post(url, data)
    assert (
        "impact.default: Input should be &#x27;high&#x27;, &#x27;medium&#x27; or &#x27;low&#x27;"
        in (bad.content.decode())
    )

    good = admin_client.post(url, data | {"bug_settings": "{}"})
    assert good.status_code == 302
    org.refresh_from_db()
    assert org.churn_settings == {"window_days": 30, "bug_share_threshold": 0.5, "min_items": 5}
    assert org.bug_settings["impact"]["default"] == "medium"


def test_every_model_has_an_admin_page(admin_client):
    for name in (
        "organization",
        "team",
        "person",
        "source",
        "repo",
        "jiraproject",
        "pagerdutyservice",
        "customer",
        "revenuemonth",
        "costexport",
        "usageseries",
    ):
        assert admin_client.get(reverse(f"admin:organization_{name}_add")).status_code in (200, 403)
        assert admin_client.get(reverse(f"admin:organization_{name}_changelist")).status_code == 200


def test_service_weight_enabled_and_repos_are_edited_with_the_configs_rules(admin_client):
    from apps.organization.models import PagerDutyService

    github = Source.objects.create(name="gh", kind="github", base_url="https://api.github.com")
    api = Repo.objects.create(source=github, full_name="acme/api")
    pd = Source.objects.create(name="pd", kind="pagerduty", base_url="https://api.pagerduty.com")
    service = {
        "pagerduty_services-TOTAL_FORMS": "1",
        "pagerduty_services-0-service_id": "PSVC1",
        "pagerduty_services-0-weight": "-1",
        "pagerduty_services-0-repos": [str(api.pk)],
    }

    bad = admin_client.post(change_url(pd), post_data(pd, **service)).content.decode()
    assert "invalid weight -1.0: expected a number of 0 or more" in bad
    assert PagerDutyService.objects.count() == 0

    good = post_data(pd, **service) | {"pagerduty_services-0-weight": "2"}
    assert admin_client.post(change_url(pd), good).status_code == 302
    saved = PagerDutyService.objects.get()
    assert (saved.weight, saved.enabled, list(saved.repos.all())) == (2.0, False, [api])


def test_organization_bug_settings_reject_a_resolution_both_known_and_ignored(admin_client):
    org = Organization.objects.create(name="Acme")
    url = reverse("admin:organization_organization_change", args=[org.pk])
    data = {
        "name": "Acme",
        "timezone": "UTC",
        "bug_settings": '{"ignored_resolutions": ["Duplicate", "Won\'t Fix"]}',
        "incident_settings": "{}",
        "churn_settings": "{}",
        "cost_settings": "{}",
    }

    html = admin_client.post(url, data).content.decode()

    assert "ignored_resolutions[1]: &#x27;Won&#x27;t Fix&#x27; is also in known_resolutions" in html


def test_organization_settings_read_and_edit_as_the_config_files_yaml(admin_client):
    """Each settings section is the YAML of its config file section (docs/configuration.md),
    not a JSON blob; a bad value names its key and nothing is stored."""
    org = Organization.objects.create(name="Acme")
    url = reverse("admin:organization_organization_change", args=[org.pk])
    page = admin_client.get(url).content.decode()
    assert "window_days: 90\n" in page and "min_items: 5\n" in page
    assert "&quot;window_days&quot;" not in page  # no JSON
    assert "docs/configuration.md#churn" in page
    data = {
        "name": "Acme",
        "timezone": "UTC",
        "bug_settings": "",
        "incident_settings": "",
        "churn_settings": "window_days: 30\nmin_items: 0\n",
        "dora_settings": "",
        "cost_settings": "currency: EUR\n",
    }
    bad = admin_client.post(url, data).content.decode()
    assert "min_items: Input should be greater than or equal to 1" in bad
    org.refresh_from_db()
    assert org.churn_settings == {}
    broken = admin_client.post(url, data | {"churn_settings": "window_days: [30\n"})
    assert "invalid YAML at line" in broken.content.decode()
    good = admin_client.post(url, data | {"churn_settings": "window_days: 30\n"})
    assert good.status_code == 302
    org.refresh_from_db()
    assert org.churn_settings == {"window_days": 30, "bug_share_threshold": 0.5, "min_items": 5}
    assert org.cost_settings["currency"] == "EUR"
