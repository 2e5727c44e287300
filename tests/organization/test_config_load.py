"""config_load: the example organisation (spec_example.yaml) parses with its values; every kind of
mistake is a ConfigError naming the exact key path."""

import datetime as dt
from decimal import Decimal

import pytest

from apps.core.errors import ConfigError
from apps.organization import schema
from apps.organization.services import config_load
from tests.organization.conftest import SPEC_YAML

MINIMAL = "organization: {name: Acme}\n"


def load_error(text: str) -> ConfigError:
    with pytest.raises(ConfigError) as info:
        config_load(text=text)
    return info.value


def test_spec_example_parses_with_its_values():
    config = config_load(text=SPEC_YAML)

    assert config.organization.model_dump() == {"name": "Acme", "timezone": "UTC"}
    assert config.teams[0].managers == ["alice@acme.test"]
    bob = config.people[0]
    assert (bob.github, bob.jira, bob.pagerduty, bob.team) == (
        "bob-gh",
        "5b10a284",
        "PU1",
        "platform",
    )
    gh, jira, pd = config.sources
    assert gh.repos[0].model_dump() == {
        "name": "acme/api",
        "team": "platform",
        "release_source": "releases",
        "production_environment": "^production$",
        "tag_pattern": "^v[0-9]",
        "enabled": True,
    }
    assert (jira.email_env, jira.story_points_field) == ("JIRA_EMAIL", "customfield_10016")
    assert jira.projects[0].key == "API"
    assert (pd.services[0].id, pd.services[0].slo) == ("PSVC1", 0.999)
    assert (pd.services[0].weight, pd.services[0].repos) == (1.0, ["acme/api"])
    assert config.bugs.ignored_resolutions == ["Duplicate", "Cannot Reproduce", "Won't Do"]
    assert config.customers[0].onboarding_start == dt.date(2026, 1, 5)
    assert config.customers[1].jira_issue == "ONB-7"
    assert config.costs.accounts == {"123456789012": "platform"}
    assert config.costs.exports[0].format == "focus"
    assert (config.revenue[0].month, config.revenue[0].amount) == (
        dt.date(2026, 1, 1),
        Decimal(120000),
    )


def test_defaults_equal_the_spec_example_blocks():
    config = config_load(text=SPEC_YAML)
    bare = config_load(text=MINIMAL)

    assert bare.bugs == config.bugs
    assert bare.incidents == config.incidents
    assert bare.churn == config.churn
    assert bare.costs.model_dump(exclude={"accounts", "exports"}) == {
        "currency": "USD",
        "fx_rates": {},
        "team_tag_keys": ["team", "user:team"],
        "engineering": {},
        "service_tag_keys": ["service", "user:service"],
    }
    assert bare.bugs.impact.weights.model_dump() == {"high": 3, "medium": 2, "low": 1}
    assert bare.bugs.impact.jira_priorities["Lowest"] == "low"
    assert bare.bugs.known_resolutions == ["Won't Fix", "Known Error"]
    assert bare.bugs.ignored_resolutions == ["Duplicate", "Cannot Reproduce", "Won't Do"]
    assert bare.churn.model_dump() == {
        "window_days": 90,
        "bug_share_threshold": 0.5,
        "min_items": 5,
    }
    assert bare.organization.timezone == "UTC"


def test_partial_block_keeps_other_defaults():
    config = config_load(
        text=MINIMAL + "bugs: {impact: {weights: {high: 5}}}\ncosts: {fx_rates: {EUR: 1.08}}\n"
    )

    assert config.bugs.impact.weights.model_dump() == {"high": 5, "medium": 2, "low": 1}
    assert config.bugs.jira_types == ["Bug"]
    assert config.costs.fx_rates == {"EUR": 1.08}


def test_enabled_defaults_on_and_can_be_switched_off_at_every_level():
    config = config_load(
        text=MINIMAL
        + "sources:\n"
        + "  - {name: gh, kind: github, repos: [{name: a/b, enabled: false}, {name: a/c}]}\n"
        + "  - {name: jira, kind: jira, base_url: https://x.atlassian.net, enabled: false,\n"
        + "     projects: [{key: API, enabled: false}]}\n"
        + "  - {name: pd, kind: pagerduty, services: [{id: P1, enabled: false, weight: 0}]}\n"
    )

    gh, jira, pd = config.sources
    assert (gh.enabled, [r.enabled for r in gh.repos]) == (True, [False, True])
    assert (jira.enabled, jira.projects[0].enabled) == (False, False)
    assert (pd.enabled, pd.services[0].enabled, pd.services[0].weight) == (True, False, 0.0)
    assert pd.services[0].repos == []


def test_github_and_pagerduty_base_urls_default():
    config = config_load(
        text=MINIMAL + "sources: [{name: gh, kind: github}, {name: pd, kind: pagerduty}]\n"
    )

    assert [s.base_url for s in config.sources] == [
        "https://api.github.com",
        "https://api.pagerduty.com",
    ]


SERVICE = "services: [{id: PSVC1, team: platform, slo: 0.999, weight: 1, repos: [acme/api]}]"
TWO_REPOS = SPEC_YAML.replace(
    '        tag_pattern: "^v[0-9]"                # regex, used by release_source=tags\n',
    '        tag_pattern: "^v[0-9]"\n      - {name: acme/web, team: platfrom}\n',
)


@pytest.mark.parametrize(
    ("text", "path", "message"),
    [
        (TWO_REPOS, "sources[0].repos[1].team", "unknown team 'platfrom'"),
        (
            SPEC_YAML.replace(SERVICE, SERVICE.replace("weight: 1", "weight: -2")),
            "sources[2].services[0].weight",
            "invalid weight -2.0: expected a number of 0 or more, e.g. 1 or 2.5",
        ),
        (
            SPEC_YAML.replace(SERVICE, SERVICE.replace("[acme/api]", "[acme/api, acme/nope]")),
            "sources[2].services[0].repos[1]",
            "unknown repo 'acme/nope': configure it under a github or gitlab source's repos",
        ),
        (
            SPEC_YAML.replace('["Duplicate", "Cannot', '["Duplicate", "Known Error", "Cannot'),
            "bugs.ignored_resolutions[1]",
            "'Known Error' is also in known_resolutions: a resolution is either a known bug or "
            "not a bug, not both",
        ),
        (
            SPEC_YAML.replace("{key: API, team: platform}", "{key: API, enabled: maybe}"),
            "sources[1].projects[0].enabled",
            "expected true or false",
        ),
        (
            SPEC_YAML.replace("{name: Acme, timezone: UTC}", "{name: Acme, colour: red}"),
            "organization.colour",
            "unknown key 'colour'",
        ),
        (
            SPEC_YAML.replace('tag_pattern: "^v[0-9]"', 'tag_pattern: "^v[0-9"'),
            "sources[0].repos[0].tag_pattern",
            "invalid regex: unterminated character set at position 2 in '^v[0-9'",
        ),
        (
            SPEC_YAML.replace('environment: "^prod-globex$"', 'environment: "(prod"'),
            "customers[0].environment",
            "invalid regex: missing ), unterminated subpattern at position 0 in '(prod'",
        ),
        (
            SPEC_YAML.replace("onboarding_start: 2026-01-05", "onboarding_start: 2026-13-05"),
            "customers[0].onboarding_start",
            "invalid date '2026-13-05': expected YYYY-MM-DD",
        ),
        (
            SPEC_YAML.replace("onboarding_start: 2026-02-01", "onboarding_start: 1st Feb"),
            "customers[1].onboarding_start",
            "invalid date '1st Feb': expected YYYY-MM-DD",
        ),
        (
            SPEC_YAML.replace("month: 2026-01", "month: 2026-1"),
            "revenue[0].month",
            "invalid month '2026-1': expected YYYY-MM",
        ),
        (
            SPEC_YAML.replace("timezone: UTC", "timezone: Mars/Olympus"),
            "organization.timezone",
            "unknown time zone 'Mars/Olympus' (use an IANA name such as 'Europe/Paris')",
        ),
        (
            SPEC_YAML.replace(
                "slug: platform, name: Platform, managers: [alice@acme.test]}",
                "slug: platform, name: Platform}\n  - {slug: platform, name: P2}",
            ),
            "teams[1].slug",
            "duplicate team slug 'platform' (first at teams[0])",
        ),
        (
            SPEC_YAML.replace("key: initech", "key: globex"),
            "customers[1].key",
            "duplicate customer key 'globex' (first at customers[0])",
        ),
        (
            SPEC_YAML.replace("name: pd\n", "name: gh\n"),
            "sources[2].name",
            "duplicate source name 'gh' (first at sources[0])",
        ),
        (
            SPEC_YAML.replace(
                "people:            # one person, many identities\n",
                "people:\n  - {email: carol@acme.test, github: BOB-GH}\n",
            ),
            "people[1].github",
            "duplicate github login 'bob-gh' (first at people[0])",
        ),
        (
            SPEC_YAML.replace(
                "people:            # one person, many identities\n",
                "people:\n  - {email: Bob@Acme.test}\n",
            ),
            "people[1].email",
            "duplicate person email 'bob@acme.test' (first at people[0])",
        ),
        (
            SPEC_YAML.replace('{"123456789012": platform}', '{"123456789012": ops}'),
            "costs.accounts.123456789012",
            "unknown team 'ops'",
        ),
        (
            SPEC_YAML.replace("team: platform, github", "team: ops, github"),
            "people[0].team",
            "unknown team 'ops'",
        ),
        (
            SPEC_YAML.replace("Lowest: low}", "Lowest: trivial}"),
            "bugs.impact.jira_priorities.Lowest",
            "Input should be 'high', 'medium' or 'low'",
        ),
        (
            SPEC_YAML.replace("default: medium", "default: huge"),
            "bugs.impact.default",
            "Input should be 'high', 'medium' or 'low'",
        ),
        (
            SPEC_YAML.replace("slo: 0.999", "slo: 99.9"),
            "sources[2].services[0].slo",
            "invalid slo 99.9: expected a fraction between 0 and 1, e.g. 0.999",
        ),
        (
            SPEC_YAML.replace("release_source: releases ", "release_source: tagz "),
            "sources[0].repos[0].release_source",
            "Input should be 'releases', 'deployments' or 'tags'",
        ),
        (
            SPEC_YAML.replace("format: focus", "format: csv"),
            "costs.exports[0].format",
            "Input should be 'focus', 'aws-cur', 'aws-cur2', 'gcp' or 'azure'",
        ),
        (
            SPEC_YAML.replace(
                "base_url: https://acme.atlassian.net", "base_url: acme.atlassian.net"
            ),
            "sources[1].base_url",
            "invalid base_url 'acme.atlassian.net': expected http(s)://host[/path]",
        ),
        (
            SPEC_YAML.replace("kind: pagerduty\n", "kind: pagerduty\n    story_points_field: x\n"),
            "sources[2].story_points_field",
            "'story_points_field' is only for jira sources, not pagerduty",
        ),
        (
            SPEC_YAML.replace("kind: github\n", "kind: github\n    services: []\n"),
            "sources[0].services",
            "'services' is only for pagerduty sources, not github",
        ),
        (
            SPEC_YAML.replace("kind: jira\n", "kind: jira\n    repos: [{name: a/b}]\n"),
            "sources[1].repos",
            "'repos' is only for github or gitlab sources, not jira",
        ),
        (
            SPEC_YAML.replace("kind: github\n", "kind: github\n    api: soap\n"),
            "sources[0].api",
            "Input should be 'graphql' or 'rest'",
        ),
        (
            SPEC_YAML.replace("kind: jira\n", "kind: jira\n    api: rest\n"),
            "sources[1].api",
            "'api' is only for github sources, not jira",
        ),
        (
            MINIMAL + "sources: [{name: j, kind: jira}]\n",
            "sources[0].base_url",
            "required for jira sources (https://SITE.atlassian.net)",
        ),
        (
            SPEC_YAML.replace('{"123456789012": platform}', "{123456789012: platform}"),
            "costs.accounts",
            'account id 123456789012 must be quoted ("123456789012") to stay text',
        ),
        (
            SPEC_YAML.replace("projects: [{key: API,", "projects: [{key: NO,"),
            "sources[1].projects[0].key",
            "expected text, got False: quote the value",
        ),
        ("teams: []\n", "organization", "required key missing"),
        (MINIMAL + "teams: {slug: x}\n", "teams", "expected a list"),
    ],
)
def test_invalid_config_names_the_key_path(text, path, message):
    error = load_error(text)

    assert (error.path, error.message) == (path, message)
    assert str(error) == f"{path}: {message}"


@pytest.mark.parametrize("key", ["token", "password", "secret", "webhook_secret", "github_token"])
def test_secret_in_the_file_is_rejected(key):
    error = load_error(SPEC_YAML.replace("token_env: GITHUB_TOKEN", f"{key}: ghp_abc123"))

    assert error.path == f"sources[0].{key}"
    assert error.message == (
        f"secrets never live in the config file: remove '{key}' and name an environment "
        "variable with token_env, or enter the secret in the admin (stored encrypted)"
    )
    assert "ghp_abc123" not in str(error)


def test_yaml_syntax_error_has_line_and_column():
    error = load_error("organization: {name: Acme}\nteams:\n  - [slug: x\n")

    assert error.path == ""
    assert error.message.startswith("invalid YAML at line 4, column 1: ")


def test_duplicate_yaml_key_is_an_error_not_a_silent_overwrite():
    error = load_error("organization: {name: Acme}\nteams:\n  - {slug: a, name: A, slug: b}\n")

    assert error.message == "invalid YAML at line 3, column 24: found duplicate key 'slug'"


@pytest.mark.parametrize("text", ["", "   \n", "# only a comment\n"])
def test_empty_file_is_an_error(text):
    assert load_error(text).message == "the config file is empty"


def test_a_list_at_the_top_is_an_error():
    assert load_error("- organization\n").message == (
        "the config must be a mapping of sections (organization, teams, ...)"
    )


def test_numbers_become_text_for_identities():
    config = config_load(text=MINIMAL + "people: [{email: a@b.test, github: 12345, jira: 0x1F}]\n")

    assert (config.people[0].github, config.people[0].jira) == ("12345", "31")


def test_error_location_of_a_nested_unknown_key():
    with pytest.raises(Exception) as info:
        schema.OrgConfig.model_validate({"organization": {"name": "A"}, "churn": {"windw_days": 3}})

    assert schema.error_location(info.value.errors()[0]) == (
        "churn.windw_days",
        "unknown key 'windw_days'",
    )
