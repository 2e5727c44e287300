"""The source registry: the kinds Keel knows come from the adapters, and one registered adapter
is all a new kind needs for the config, the models' choices, sync, identities, the counted
repos and the dashboard's words (apps.organization.sources)."""

import pytest

from apps.core.errors import ConfigError
from apps.dashboard.records import upstream_label
from apps.dashboard.status import family_statuses, kind_label
from apps.ingestion.services import source_sync
from apps.organization import sources
from apps.organization.models import Identity, Source
from apps.organization.selectors import repos_counted
from apps.organization.services import config_apply, config_load
from apps.organization.sources import IdentityKind, RecordLinks, SourceAdapter

CALLS: list[dict] = []


def _forge_sync(*, source, tally, progress, full, scopes=None) -> None:
    CALLS.append({"source": source.name, "full": full, "scopes": scopes})


FORGE = SourceAdapter(
    kind="forge",
    label="Forge",
    roles=frozenset({"code"}),
    default_base_url="https://forge.example/api/v4",
    config_keys=("repos",),
    scope_noun="repo",
    scope_relation="repos",
    identity=IdentityKind("forge", "Forge", "forge username", case_insensitive=True),
    web_url=lambda base_url: base_url.removesuffix("/api/v4"),
    web_hosts=("forge.example",),
    links=RecordLinks(
        tag=lambda repo_url, name: f"{repo_url}/-/tags/{name}",
        deployment=lambda repo_url, environment: f"{repo_url}/-/environments",
    ),
    sync=_forge_sync,
)

CONFIG = """
organization: {name: Acme}
teams: [{slug: platform, name: Platform}]
people: [{email: ann@acme.test, team: platform, forge: Ann-F, github: ann-gh}]
sources:
  - {name: forge, kind: forge, repos: [{name: acme/api, team: platform}]}
"""


@pytest.fixture
def forge(monkeypatch) -> SourceAdapter:
    monkeypatch.setitem(sources._ADAPTERS, FORGE.kind, FORGE)
    CALLS.clear()
    return FORGE


def test_the_kinds_are_the_adapters() -> None:
    kinds = [
        ("github", "GitHub"),
        ("gitlab", "GitLab"),
        ("jira", "Jira"),
        ("pagerduty", "PagerDuty"),
    ]
    assert Source._meta.get_field("kind").choices == kinds
    assert Identity._meta.get_field("provider").choices == kinds
    assert sources.config_key_kinds() == {
        "repos": ["github", "gitlab"],
        "api": ["github"],
        "groups": ["gitlab"],
        "projects": ["jira"],
        "email_env": ["jira"],
        "story_points_field": ["jira"],
        "services": ["pagerduty"],
    }
    assert sources.code_host_identities() == ["github", "gitlab"]
    # Cost files are a kind too, configured under `costs.exports`, not as a Source.
    assert sources.source_kinds_of(["costs"]) == ["cost_files"]
    assert "cost_files" not in sources.source_kinds()


@pytest.mark.django_db
def test_cost_files_say_whether_they_are_configured_and_failed(tmp_path) -> None:
    from apps.costs.models import CostImport
    from apps.organization.models import CostExport

    assert family_statuses(scope="org")["costs"].missing == "no source configured (cost export)"
    CostExport.objects.create(name="aws", format="focus", path=str(tmp_path))
    assert family_statuses(scope="org")["costs"] == family_statuses(scope="org")["economics"]
    assert family_statuses(scope="org")["costs"].missing == ""
    CostImport.objects.create(
        path="a.csv", sha256="0" * 64, format="focus", status="failed", error="a.csv: row 2: bad"
    )
    assert (
        family_statuses(scope="org")["costs"].failed == "last cost import failed: a.csv: row 2: bad"
    )


def test_a_kind_or_identity_is_registered_once(forge) -> None:
    assert sources.source_register(FORGE) is FORGE  # the same adapter again: no-op
    with pytest.raises(ValueError, match="source kind 'forge' is registered twice"):
        sources.source_register(SourceAdapter(kind="forge", label="Other", roles=frozenset()))
    with pytest.raises(ValueError, match="unknown roles"):
        sources.source_register(SourceAdapter(kind="x", label="X", roles=frozenset({"wiki"})))


def test_an_unknown_kind_names_the_known_ones() -> None:
    with pytest.raises(ConfigError) as info:
        config_load(text="organization: {name: Acme}\nsources: [{name: f, kind: forge}]\n")
    assert str(info.value) == (
        "sources[0].kind: unknown source kind 'forge': "
        "expected one of github, gitlab, jira, pagerduty"
    )


@pytest.mark.django_db
def test_one_adapter_is_all_a_new_kind_needs(forge) -> None:
    config = config_load(text=CONFIG)
    assert config.sources[0].base_url == "https://forge.example/api/v4"
    assert config.people[0].identity("forge") == "Ann-F"
    config_apply(config=config)

    assert ("forge", "Forge") in Source._meta.get_field("kind").choices
    assert sorted(Identity.objects.values_list("provider", "external_id")) == [
        ("forge", "Ann-F"),
        ("github", "ann-gh"),
    ]
    assert [r.full_name for r in repos_counted()] == ["acme/api"]
    assert sources.identity_fold("forge", "Ann-F") == "ann-f"
    assert sources.code_host_identities() == ["forge", "github", "gitlab"]

    run = source_sync(source=Source.objects.get(name="forge"), full=True)
    assert (run.status, run.error) == ("succeeded", "")
    assert CALLS == [{"source": "forge", "full": True, "scopes": None}]

    assert kind_label("forge") == "Forge"
    assert upstream_label("https://forge.example/acme/api/-/merge_requests/1") == "Forge"
    reliability = family_statuses(scope="org")["reliability"]
    assert reliability.missing == "no source configured (PagerDuty)"
    assert family_statuses(scope="org")["delivery"].missing == ""
    assert family_statuses(scope="team", scope_key="nobody")["delivery"].missing == (
        "no source configured for this team (Forge or GitHub or GitLab)"
    )


@pytest.mark.django_db
def test_a_kind_only_key_names_the_kinds_that_take_it(forge) -> None:
    text = CONFIG.replace("kind: forge,", "kind: forge, projects: [{key: API}],")
    with pytest.raises(ConfigError) as info:
        config_load(text=text)
    assert str(info.value) == "sources[0].projects: 'projects' is only for jira sources, not forge"
    text = CONFIG.replace("forge: Ann-F", "forgee: Ann-F")
    with pytest.raises(ConfigError) as info:
        config_load(text=text)
    assert str(info.value) == "people[0].forgee: unknown key 'forgee'"
