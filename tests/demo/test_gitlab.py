"""The demo's GitLab extension: its group found and synced through the real sync, its projects
the payments team's, its unknown users on the unmapped-identities list. Run alone (the whole
demo is built by the other demo tests and `./scripts/demo --no-serve`)."""

import os
from datetime import UTC, datetime

import pytest
import yaml

from apps.delivery.models import PullRequest, Release
from apps.demo import gitlab
from apps.demo.services import DEMO_EXTENSIONS, DEMO_TEAMS
from apps.ingestion.services import sources_sync
from apps.organization.models import Repo
from apps.organization.services import config_apply, config_load
from apps.quality.identities import identities_unmatched
from integrations.simulator import Simulator

pytestmark = pytest.mark.django_db


def test_the_demo_has_a_gitlab_group(monkeypatch) -> None:
    assert gitlab in DEMO_EXTENSIONS
    simulator = Simulator()
    for provider in gitlab.providers(today=datetime.now(UTC)):
        simulator.add_provider(provider)
    with simulator as sim:
        for name, value in gitlab.environment().items():
            monkeypatch.setitem(os.environ, name, value)
        config: dict = {
            "organization": {"name": "Acme (demo)"},
            "teams": [{"slug": slug, "name": name} for slug, name in DEMO_TEAMS],
            "people": [],
            "sources": [],
        }
        gitlab.extend_config(config=config, base_url=sim.base_url)
        config_apply(config=config_load(text=yaml.safe_dump(config)), prune=True)
        runs = sources_sync()
    assert [run.status for run in runs] == ["succeeded"], [r.error for r in runs]
    found = Repo.objects.filter(group__path="acme-mobile").order_by("full_name")
    assert [(r.full_name, r.team.slug) for r in found] == [
        ("acme-mobile/api", "payments"),
        ("acme-mobile/web", "payments"),
    ]
    assert PullRequest.objects.filter(provider="gitlab").count() == 300
    assert Release.objects.filter(provider="gitlab").count() == 30
    unmatched = {i["external_id"] for i in identities_unmatched() if i["provider"] == "gitlab"}
    assert unmatched == set(gitlab.USERNAMES[4:])
