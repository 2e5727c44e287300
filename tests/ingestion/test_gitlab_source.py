"""GitLab as a configured source: the `gitlab` kind in the config file (projects by path with
subgroups, groups), a group's projects found by the sync with the group's settings, people's
`gitlab` usernames, unmatched GitLab users, and webhooks with `X-Gitlab-Token`."""

import json
from datetime import UTC, datetime
from unittest import mock

import pytest

from apps.core.errors import ConfigError
from apps.dashboard.data_quality import unmatched_accounts
from apps.delivery.models import PullRequest
from apps.ingestion.models import WebhookDelivery
from apps.ingestion.services import source_sync
from apps.organization.models import Identity, Repo, RepoGroup, Source
from apps.organization.services import config_apply, config_load
from apps.organization.sources import source_adapter
from apps.quality.identities import identities_unmatched
from integrations.simulator import Simulator
from integrations.simulator.gitlab import GitLabProvider, generate_gitlab_world

TOKEN = "glpat-TestTokenDoNotLeak0123"
DELAY = "apps.ingestion.tasks.sync_source_task.delay"


def config_text(base_url: str, extra: str = "") -> str:
    return f"""
organization: {{name: Acme}}
teams:
  - {{slug: platform, name: Platform}}
  - {{slug: data, name: Data}}
people:
  - {{email: ana@acme.test, team: platform, gitlab: Ana.Lima}}
sources:
  - name: gl
    kind: gitlab
    base_url: {base_url}
    token_env: KEEL_TEST_GITLAB_TOKEN
    repos:
      - {{name: acme/platform/api, team: data, release_source: tags}}
    groups:
      - {{path: acme, team: platform, release_source: deployments}}
{extra}"""


def test_the_adapter() -> None:
    adapter = source_adapter("gitlab")
    assert adapter is not None and adapter.label == "GitLab"
    assert adapter.default_base_url == "https://gitlab.com/api/v4"
    assert adapter.identity is not None and adapter.identity.name == "gitlab"
    assert adapter.web_url("https://gitlab.example.com/api/v4") == "https://gitlab.example.com"
    assert adapter.links is not None
    assert (
        adapter.links.tag("https://gitlab.com/acme/api", "v1")
        == "https://gitlab.com/acme/api/-/tags/v1"
    )


def test_config_file_keys(db) -> None:
    config = config_load(text=config_text("https://gitlab.example.com/api/v4"))
    config_apply(config=config)
    source = Source.objects.get(name="gl")
    assert (source.kind, source.base_url) == ("gitlab", "https://gitlab.example.com/api/v4")
    repo = Repo.objects.get(full_name="acme/platform/api")
    assert (repo.team.slug, repo.release_source, repo.group) == ("data", "tags", None)
    group = RepoGroup.objects.get(path="acme")
    assert (group.team.slug, group.release_source) == ("platform", "deployments")
    assert Identity.objects.get(provider="gitlab").external_id == "Ana.Lima"
    default = config_load(text="organization: {name: A}\nsources: [{name: g, kind: gitlab}]")
    assert default.sources[0].base_url == "https://gitlab.com/api/v4"


@pytest.mark.parametrize(
    ("source", "error"),
    [
        (
            "{name: g, kind: github, repos: [{name: acme/platform/api}]}",
            "sources[0].repos[0].name: must be owner/name for github sources",
        ),
        ("{name: g, kind: github, groups: [{path: acme}]}", "'groups' is only for gitlab"),
        ("{name: g, kind: gitlab, groups: [{path: acme}, {path: ACME}]}", "duplicate group"),
        ("{name: g, kind: gitlab, groups: [{path: acme, team: nope}]}", "unknown team 'nope'"),
    ],
)
def test_config_errors(source: str, error: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_load(text=f"organization: {{name: A}}\nsources: [{source}]")
    assert error in str(info.value)


@pytest.fixture
def world():
    return generate_gitlab_world(
        seed=4, group="acme", projects=3, merge_requests=30, issues=9, releases=3,
        start=datetime(2025, 1, 1, tzinfo=UTC), end=datetime(2025, 4, 1, tzinfo=UTC),
    )  # fmt: skip


@pytest.fixture
def synced(db, world, monkeypatch):
    monkeypatch.setenv("KEEL_TEST_GITLAB_TOKEN", TOKEN)
    simulator = Simulator()
    simulator.add_provider(GitLabProvider(world, token=TOKEN))
    with simulator as sim:
        config = config_load(
            text=config_text(f"{sim.base_url}/api/v4").replace("acme/platform/api", "acme/web")
        )
        config_apply(config=config)
        run = source_sync(source=Source.objects.get(name="gl"))
        yield sim, config, run


def test_a_group_expands_into_its_projects(synced, world) -> None:
    sim, config, run = synced
    assert run.status == "succeeded", run.error
    repos = {r.full_name: r for r in Repo.objects.all()}
    assert sorted(repos) == ["acme/api", "acme/mobile", "acme/web"]
    found = repos["acme/api"]
    assert (found.group.path, found.team.slug, found.release_source) == (
        "acme",
        "platform",
        "deployments",
    )
    assert found.external_id == world.projects[0].id
    assert (repos["acme/web"].group, repos["acme/web"].team.slug) == (None, "data")  # by name
    assert PullRequest.objects.count() == 30 and run.counts["acme/projects"] == 2
    # applying the file again (with prune) keeps what the group's sync found
    config_apply(config=config, prune=True)
    assert Repo.objects.count() == 3 and PullRequest.objects.count() == 30


def test_a_project_leaving_the_group_is_disabled(synced, world) -> None:
    sim, config, _ = synced
    mobile = next(p for p in world.projects if p.path == "acme/mobile")
    mobile.obj["path_with_namespace"] = "elsewhere/mobile"
    world._projects.pop("acme/mobile")
    run = source_sync(source=Source.objects.get(name="gl"))
    assert run.status == "succeeded"
    assert not Repo.objects.get(full_name="acme/mobile").enabled
    assert PullRequest.objects.filter(repo__full_name="acme/mobile").exists()  # rows stay


def test_removing_the_group_removes_its_repos(synced) -> None:
    sim, config, _ = synced
    text = config_text(f"{sim.base_url}/api/v4").replace("acme/platform/api", "acme/web")
    config_apply(config=config_load(text=text.split("    groups:")[0]), prune=True)
    assert list(Repo.objects.values_list("full_name", flat=True)) == ["acme/web"]


def test_unmatched_gitlab_users(synced) -> None:
    unmatched = {(i["provider"], i["external_id"]) for i in identities_unmatched()}
    assert ("gitlab", "ana.lima") not in {(p, e.lower()) for p, e in unmatched}  # configured
    assert ("gitlab", "ben.okafor") in unmatched
    assert not any(p == "github" for p, _ in unmatched)
    page = {(u.provider, u.external_id) for u in unmatched_accounts(admin_links=False)}
    assert ("gitlab", "ben.okafor") in page and ("gitlab", "ana.lima") not in page


@pytest.fixture
def hooked(db) -> Source:
    source = Source.objects.create(
        name="gl",
        kind="gitlab",
        base_url="https://x.test/api/v4",
        token="t",
        webhook_secret="hook-s3cret",
    )
    Repo.objects.create(source=source, full_name="acme/platform/api")
    return source


def post(client, body: dict, **headers: str):
    return client.post(
        "/webhooks/gitlab/", data=json.dumps(body), content_type="application/json", headers=headers
    )


def test_webhook(hooked, client) -> None:
    event = {
        "object_kind": "merge_request",
        "project": {"path_with_namespace": "acme/platform/api"},
    }
    good = {"X-Gitlab-Token": "hook-s3cret", "X-Gitlab-Event-UUID": "e1"}
    assert post(client, event, **{**good, "X-Gitlab-Token": "wrong"}).status_code == 401
    assert post(client, event, **{"X-Gitlab-Event-UUID": "e1"}).status_code == 401
    assert post(client, event, **{"X-Gitlab-Token": "hook-s3cret"}).status_code == 400
    assert post(client, {"object_kind": "push"}, **good).status_code == 400
    with mock.patch(DELAY) as delay:
        response = post(client, event, **good)
        assert response.status_code == 202 and response.json()["scope"] == "acme/platform/api"
        delay.assert_called_once_with(hooked.pk, scopes=["acme/platform/api"])
        assert post(client, event, **good).status_code == 409  # the same delivery again
        other = {"project": {"path_with_namespace": "acme/other"}}
        ignored = post(client, other, **{**good, "X-Gitlab-Event-UUID": "e2"})
        assert ignored.status_code == 202 and ignored.json()["status"] == "ignored"
        assert delay.call_count == 1
    assert WebhookDelivery.objects.filter(provider="gitlab").count() == 2
