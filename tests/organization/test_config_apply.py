"""config_apply: the example organisation (spec_example.yaml) creates what it says, twice changes
nothing, --prune deletes, and any error rolls everything back."""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.auth import get_user_model

from apps.core.errors import ConfigError
from apps.organization import services
from apps.organization.models import (
    CostExport,
    Customer,
    Identity,
    JiraProject,
    Organization,
    PagerDutyService,
    Person,
    Repo,
    RevenueMonth,
    Source,
    Team,
)
from apps.organization.services import config_apply, config_apply_file, config_load
from tests.organization.conftest import SPEC_YAML, db_counts

pytestmark = pytest.mark.django_db

User = get_user_model()


def apply(text: str, prune: bool = False) -> services.ApplyResult:
    return config_apply(config=config_load(text=text), prune=prune)


def test_spec_example_creates_what_it_says():
    result = apply(SPEC_YAML)

    org = Organization.objects.get()
    assert (org.name, org.timezone) == ("Acme", "UTC")
    assert org.bug_settings["impact"]["jira_priorities"]["Highest"] == "high"
    assert org.bug_settings["known_labels"] == ["known-issue", "accepted-risk", "wontfix"]
    assert org.incident_settings == {"outage_urgencies": ["high"]}
    assert org.churn_settings == {"window_days": 90, "bug_share_threshold": 0.5, "min_items": 5}
    assert org.cost_settings == {
        "currency": "USD",
        "fx_rates": {},
        "team_tag_keys": ["team", "user:team"],
        "accounts": {"123456789012": "platform"},
        "engineering": {},
        "service_tag_keys": ["service", "user:service"],
    }
    team = Team.objects.get()
    assert (team.slug, team.name) == ("platform", "Platform")
    alice = team.managers.get()
    assert (alice.username, alice.email, alice.has_usable_password()) == (
        "alice@acme.test",
        "alice@acme.test",
        False,
    )
    bob = Person.objects.get()
    assert (bob.email, bob.name, bob.team) == ("bob@acme.test", "Bob", team)
    assert sorted(bob.identities.values_list("provider", "external_id")) == [
        ("github", "bob-gh"),
        ("jira", "5b10a284"),
        ("pagerduty", "PU1"),
    ]
    assert list(
        Source.objects.values_list("name", "kind", "base_url", "token_env", "email_env")
    ) == [
        ("gh", "github", "https://api.github.com", "GITHUB_TOKEN", ""),
        ("jira", "jira", "https://acme.atlassian.net", "JIRA_TOKEN", "JIRA_EMAIL"),
        ("pd", "pagerduty", "https://api.pagerduty.com", "PAGERDUTY_TOKEN", ""),
    ]
    assert Source.objects.get(name="jira").story_points_field == "customfield_10016"
    assert dict(Source.objects.values_list("name", "api"))["gh"] == "graphql"  # the default
    repo = Repo.objects.get()
    assert (repo.source.name, repo.full_name, repo.team, repo.release_source) == (
        "gh",
        "acme/api",
        team,
        "releases",
    )
    assert (repo.production_environment, repo.tag_pattern) == ("^production$", "^v[0-9]")
    assert list(JiraProject.objects.values_list("source__name", "key", "team__slug")) == [
        ("jira", "API", "platform"),
    ]
    assert list(
        PagerDutyService.objects.values_list(
            "source__name", "service_id", "team__slug", "slo", "weight", "enabled"
        )
    ) == [
        ("pd", "PSVC1", "platform", 0.999, 1.0, True),
    ]
    assert list(PagerDutyService.objects.get().repos.all()) == [repo]
    assert org.bug_settings["ignored_resolutions"] == ["Duplicate", "Cannot Reproduce", "Won't Do"]
    assert list(
        Customer.objects.values_list(
            "key", "name", "team__slug", "onboarding_start", "environment", "jira_issue"
        )
    ) == [
        ("globex", "Globex", "platform", dt.date(2026, 1, 5), "^prod-globex$", ""),
        ("initech", "Initech", None, dt.date(2026, 2, 1), "", "ONB-7"),
    ]
    assert list(RevenueMonth.objects.values_list("month", "amount")) == [
        (dt.date(2026, 1, 1), Decimal("120000.00")),
    ]
    assert list(CostExport.objects.values_list("name", "format", "path")) == [
        ("aws", "focus", "/data/exports/focus/"),
    ]
    assert {label: (c.created, c.updated, c.deleted) for label, c in result.changes.items()} == {
        "organization.Organization": (1, 0, 0),
        "organization.Team": (1, 0, 0),
        "auth.User": (1, 0, 0),
        "organization.Person": (1, 0, 0),
        "organization.Identity": (3, 0, 0),
        "organization.Source": (3, 0, 0),
        "organization.Repo": (1, 0, 0),
        "organization.JiraProject": (1, 0, 0),
        "organization.PagerDutyService": (1, 0, 0),
        "organization.Customer": (2, 0, 0),
        "organization.CostExport": (1, 0, 0),
        "organization.RevenueMonth": (1, 0, 0),
    }


def test_applying_twice_changes_nothing(django_assert_max_num_queries):
    apply(SPEC_YAML)
    before = db_counts()

    with django_assert_max_num_queries(40):
        result = apply(SPEC_YAML)

    assert result.changed is False
    assert (result.total.created, result.total.updated, result.total.deleted) == (0, 0, 0)
    assert result.lines() == []
    assert db_counts() == before


def test_a_changed_value_updates_only_that_row():
    apply(SPEC_YAML)

    result = apply(
        SPEC_YAML.replace("name: Bob,", "name: Robert,").replace("slo: 0.999", "slo: 0.99")
    )

    assert Person.objects.get().name == "Robert"
    assert PagerDutyService.objects.get().slo == 0.99
    assert result.lines() == [
        "organization.PagerDutyService: 0 created, 1 updated, 0 deleted",
        "organization.Person: 0 created, 1 updated, 0 deleted",
    ]


def test_enabled_weight_and_service_repos_are_applied_and_counted_once():
    apply(SPEC_YAML)
    text = (
        SPEC_YAML.replace("name: pd\n", "name: pd\n    enabled: false\n")
        .replace("{key: API, team: platform}", "{key: API, team: platform, enabled: false}")
        .replace("weight: 1, repos: [acme/api]", "weight: 2.5, repos: [], enabled: false")
        .replace(
            "team: platform\n        release_source",
            "team: platform\n        enabled: false\n        release_source",
        )
    )

    result = apply(text)

    assert list(Source.objects.values_list("name", "enabled")) == [
        ("gh", True),
        ("jira", True),
        ("pd", False),
    ]
    assert (Repo.objects.get().enabled, JiraProject.objects.get().enabled) == (False, False)
    service = PagerDutyService.objects.get()
    assert (service.enabled, service.weight, list(service.repos.all())) == (False, 2.5, [])
    assert result.lines() == [
        "organization.JiraProject: 0 created, 1 updated, 0 deleted",
        "organization.PagerDutyService: 0 created, 1 updated, 0 deleted",
        "organization.Repo: 0 created, 1 updated, 0 deleted",
        "organization.Source: 0 created, 1 updated, 0 deleted",
    ]
    assert apply(text).changed is False


def test_service_repos_alone_changing_counts_one_update():
    apply(SPEC_YAML)

    result = apply(SPEC_YAML.replace("repos: [acme/api]", "repos: [ACME/API]"))
    assert result.changed is False
    result = apply(SPEC_YAML.replace("weight: 1, repos: [acme/api]", "weight: 1"))

    assert list(PagerDutyService.objects.get().repos.all()) == []
    assert result.lines() == ["organization.PagerDutyService: 0 created, 1 updated, 0 deleted"]


def test_changing_managers_counts_one_team_update_and_reuses_existing_users():
    carol = User.objects.create_user(username="carol", email="carol@acme.test", password="x")
    apply(SPEC_YAML)

    result = apply(SPEC_YAML.replace("managers: [alice@acme.test]", "managers: [Carol@acme.test]"))

    assert list(Team.objects.get().managers.all()) == [carol]
    assert result.lines() == ["organization.Team: 0 created, 1 updated, 0 deleted"]
    assert User.objects.filter(username="alice@acme.test").exists()  # users are never pruned


def test_secrets_entered_in_the_admin_survive_apply():
    apply(SPEC_YAML)
    gh = Source.objects.get(name="gh")
    gh.token, gh.webhook_secret = "ghp_stored", "hook-stored"
    gh.save()

    apply(SPEC_YAML.replace("token_env: GITHUB_TOKEN", "token_env: GH_TOKEN"))

    gh = Source.objects.get(name="gh")
    assert (gh.token_env, gh.token, gh.webhook_secret) == ("GH_TOKEN", "ghp_stored", "hook-stored")


def test_absent_objects_are_kept_without_prune_and_deleted_with_it():
    apply(SPEC_YAML)
    smaller = (
        SPEC_YAML.replace(
            "  - {key: initech, name: Initech, onboarding_start: 2026-02-01, jira_issue: ONB-7}\n",
            "",
        )
        .replace(", pagerduty: PU1}", "}")
        .replace("projects: [{key: API, team: platform}]", "projects: []")
    )

    kept = apply(smaller)
    assert kept.changed is False
    assert Customer.objects.count() == 2
    assert JiraProject.objects.count() == 1
    assert Identity.objects.count() == 3

    pruned = apply(smaller, prune=True)
    assert list(Customer.objects.values_list("key", flat=True)) == ["globex"]
    assert JiraProject.objects.count() == 0
    assert sorted(Identity.objects.values_list("provider", flat=True)) == ["github", "jira"]
    assert pruned.lines() == [
        "organization.Customer: 0 created, 0 updated, 1 deleted",
        "organization.Identity: 0 created, 0 updated, 1 deleted",
        "organization.JiraProject: 0 created, 0 updated, 1 deleted",
    ]


def test_prune_of_a_team_and_source_cascades_and_counts():
    apply(SPEC_YAML)
    Team.objects.create(slug="legacy", name="Legacy")
    Source.objects.create(name="old-gh", kind="github", base_url="https://api.github.com")
    Repo.objects.create(source=Source.objects.get(name="old-gh"), full_name="acme/old")

    result = apply(SPEC_YAML, prune=True)

    assert list(Team.objects.values_list("slug", flat=True)) == ["platform"]
    assert list(Repo.objects.values_list("full_name", flat=True)) == ["acme/api"]
    assert result.lines() == [
        "organization.Repo: 0 created, 0 updated, 1 deleted",
        "organization.Source: 0 created, 0 updated, 1 deleted",
        "organization.Team: 0 created, 0 updated, 1 deleted",
    ]


def test_invalid_file_applies_nothing(write_config):
    apply(SPEC_YAML)
    before = db_counts()
    bad = SPEC_YAML.replace("name: Bob,", "name: Robert,").replace(
        "team: platform, slo", "team: platfrom, slo"
    )

    with pytest.raises(ConfigError) as info:
        config_apply_file(path=write_config(bad))

    assert str(info.value) == "sources[2].services[0].team: unknown team 'platfrom'"
    assert db_counts() == before
    assert Person.objects.get().name == "Bob"


@pytest.mark.parametrize(
    ("old", "new", "path"),
    [
        ("team: platform, slo", "team: platfrom, slo", "sources[2].services[0].team"),
        ('tag_pattern: "^v[0-9]"', 'tag_pattern: "^v[0-9"', "sources[0].repos[0].tag_pattern"),
        ("{name: Acme, timezone: UTC}", "{name: Acme, colour: red}", "organization.colour"),
        (
            "onboarding_start: 2026-01-05",
            "onboarding_start: 2026-01-32",
            "customers[0].onboarding_start",
        ),
        ("timezone: UTC", "timezone: Europe/Atlantis", "organization.timezone"),
        ("token_env: GITHUB_TOKEN", "token: ghp_abc", "sources[0].token"),
        ("weight: 1,", "weight: -1,", "sources[2].services[0].weight"),
        ("repos: [acme/api]", "repos: [acme/nope]", "sources[2].services[0].repos[0]"),
        ('["Duplicate",', '["Won\'t Fix",', "bugs.ignored_resolutions[0]"),
        (
            "managers: [alice@acme.test]}",
            "managers: []}\n  - {slug: platform, name: X}",
            "teams[1].slug",
        ),
    ],
)
def test_each_kind_of_invalid_file_leaves_the_database_as_it_was(old, new, path):
    apply(SPEC_YAML)
    before = db_counts()
    bad = SPEC_YAML.replace("name: Bob,", "name: Robert,").replace(old, new)
    assert bad.count("Robert") == 1 and new in bad

    with pytest.raises(ConfigError) as info:
        apply(bad)

    assert info.value.path == path
    assert db_counts() == before
    assert Person.objects.get().name == "Bob"


def test_error_found_by_the_database_rolls_back_earlier_writes():
    # Two accounts share the manager's e-mail: only the database can tell, after the
    # organisation and the team were written.
    User.objects.create_user(username="alice1", email="alice@acme.test")
    User.objects.create_user(username="alice2", email="alice@acme.test")
    before = db_counts()

    with pytest.raises(ConfigError) as info:
        apply(SPEC_YAML)

    assert info.value.path == "teams[0].managers[0]"
    assert info.value.message == "several users have the e-mail alice@acme.test; which one manages?"
    assert db_counts() == before
    assert before["organization.Organization"] == before["organization.Team"] == 0


def test_failure_in_the_last_step_rolls_back_everything(monkeypatch):
    apply(SPEC_YAML)
    before = db_counts()

    def explode(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(services, "_apply_costs", explode)
    changed = SPEC_YAML.replace("name: Acme", "name: Acme Corp").replace(
        "{key: globex", "{key: hooli"
    )

    with pytest.raises(RuntimeError):
        apply(changed, prune=True)

    assert db_counts() == before
    assert Organization.objects.get().name == "Acme"
    assert sorted(Customer.objects.values_list("key", flat=True)) == ["globex", "initech"]


def test_missing_file_is_a_config_error(tmp_path):
    missing = tmp_path / "nope.yaml"

    with pytest.raises(ConfigError) as info:
        config_apply_file(path=missing)

    assert str(info.value) == f"config file not found: {missing}"


def test_existing_organization_is_updated_not_duplicated():
    Organization.objects.create(name="Old", timezone="Europe/Paris")

    result = apply(SPEC_YAML.replace("timezone: UTC", "timezone: America/New_York"))

    org = Organization.objects.get()
    assert (org.name, org.timezone) == ("Acme", "America/New_York")
    assert result.get("organization.Organization").updated == 1


def test_a_github_sources_api_is_applied():
    apply(SPEC_YAML.replace("kind: github\n", "kind: github\n    api: rest\n"))
    assert Source.objects.get(name="gh").api == "rest"
    result = apply(SPEC_YAML)  # the key removed: back to the default
    assert Source.objects.get(name="gh").api == "graphql"
    assert result.lines() == ["organization.Source: 0 created, 1 updated, 0 deleted"]
