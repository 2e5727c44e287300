"""Selectors: the organisation singleton and its settings, source credentials, managed teams."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser

from apps.core.errors import ConfigError, KeelError
from apps.organization import schema
from apps.organization.models import Organization, Source, Team
from apps.organization.selectors import (
    SourceCredentials,
    org_settings,
    organization_get,
    source_credentials,
    team_of_manager,
    teams_managed_by,
)
from apps.organization.services import config_apply, config_load
from tests.organization.conftest import SPEC_YAML

pytestmark = pytest.mark.django_db


def test_organization_get_without_config_is_an_unsaved_default():
    org = organization_get()

    assert (org.pk, org.name, org.timezone) == (None, "Keel", "UTC")
    assert org.churn_settings == {"window_days": 90, "bug_share_threshold": 0.5, "min_items": 5}
    assert org.incident_settings == {"outage_urgencies": ["high"]}


def test_org_settings_defaults_and_applied_values():
    assert org_settings().bugs == schema.BugSettings()
    assert org_settings().costs.currency == "USD"

    config_apply(config=config_load(text=SPEC_YAML.replace("window_days: 90", "window_days: 60")))
    settings = org_settings()

    assert settings.churn.window_days == 60
    assert settings.costs.accounts == {"123456789012": "platform"}
    assert settings.bugs.impact.weights.high == 3
    assert settings.incidents.outage_urgencies == ["high"]


def test_org_settings_with_empty_stored_blocks_gives_defaults():
    Organization.objects.create(name="Acme")

    assert org_settings().churn.min_items == 5


def test_org_settings_rejects_a_corrupt_stored_block():
    Organization.objects.create(name="Acme", churn_settings={"window_days": -1})

    with pytest.raises(ConfigError) as info:
        org_settings()

    assert info.value.path == "organization.churn_settings.window_days"


def make_source(**fields) -> Source:
    defaults = {"name": "gh", "kind": "github", "base_url": "https://api.github.com"}
    return Source.objects.create(**(defaults | fields))


def test_credentials_from_the_environment(monkeypatch):
    monkeypatch.setenv("KEEL_TEST_GH_TOKEN", "ghp_from_env")

    credentials = source_credentials(source=make_source(token_env="KEEL_TEST_GH_TOKEN"))

    assert credentials == SourceCredentials(token="ghp_from_env", email="")
    assert "ghp_from_env" not in repr(credentials)


def test_stored_token_wins_over_the_environment(monkeypatch):
    monkeypatch.setenv("KEEL_TEST_GH_TOKEN", "ghp_from_env")
    make_source(token_env="KEEL_TEST_GH_TOKEN", token="ghp_stored")

    assert source_credentials(source=Source.objects.get()).token == "ghp_stored"


def test_missing_token_names_the_variable(monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)

    with pytest.raises(KeelError) as info:
        source_credentials(source=make_source(token_env="GITHUB_TOKEN"))

    assert str(info.value) == "source 'gh': no token (set GITHUB_TOKEN or enter one in the admin)"


def test_missing_token_without_token_env():
    with pytest.raises(KeelError) as info:
        source_credentials(source=make_source())

    assert str(info.value) == (
        "source 'gh': no token "
        "(name an environment variable with token_env or enter one in the admin)"
    )


def test_jira_needs_an_email(monkeypatch):
    monkeypatch.setenv("KEEL_TEST_JIRA_TOKEN", "jira-secret")
    monkeypatch.delenv("KEEL_TEST_JIRA_EMAIL", raising=False)
    jira = make_source(
        name="jira",
        kind="jira",
        base_url="https://acme.atlassian.net",
        token_env="KEEL_TEST_JIRA_TOKEN",
        email_env="KEEL_TEST_JIRA_EMAIL",
    )

    with pytest.raises(KeelError) as info:
        source_credentials(source=jira)
    assert str(info.value) == (
        "source 'jira': no account e-mail for Jira "
        "(set KEEL_TEST_JIRA_EMAIL or enter one in the admin)"
    )
    assert "jira-secret" not in str(info.value)

    monkeypatch.setenv("KEEL_TEST_JIRA_EMAIL", "bot@acme.test")
    assert source_credentials(source=jira) == SourceCredentials(
        token="jira-secret", email="bot@acme.test"
    )


def test_teams_managed_by():
    user_model = get_user_model()
    alice = user_model.objects.create_user(username="alice")
    bob = user_model.objects.create_user(username="bob")
    web, api = (
        Team.objects.create(slug="web", name="Web"),
        Team.objects.create(slug="api", name="API"),
    )
    web.managers.add(alice)
    api.managers.add(alice)

    assert list(teams_managed_by(user=alice)) == [api, web]
    assert team_of_manager(alice) == api
    assert list(teams_managed_by(user=bob)) == []
    assert team_of_manager(bob) is None
    assert list(teams_managed_by(user=AnonymousUser())) == []
