"""The demo organisation: a generated GitHub organisation served by Keel's own simulator,
configured through `config_apply`, synced through the real sync code and computed — exactly the
path a real organisation takes, with the simulator standing in for api.github.com."""

import os
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from types import ModuleType
from typing import Any

import yaml
from django.contrib.auth import get_user_model

from apps.accounts.tokens import api_token_create
from apps.demo import alerts, costs, economics, gitlab, jira, pagerduty
from apps.digests.services import digests_send
from apps.ingestion.models import SyncRun
from apps.ingestion.services import Progress, sources_sync
from apps.metrics.services import metrics_compute
from apps.organization.services import config_apply, config_load
from integrations.simulator import GitHubWorld, Simulator, generate_github_world

DEMO_TOKEN_ENV = "KEEL_DEMO_GITHUB_TOKEN"
DEMO_TEAMS = (("platform", "Platform"), ("payments", "Payments"))
# Modules that add to the demo (other upstreams, cost exports). Each may define:
#   providers(*, today: datetime) -> list[Provider]        simulator providers to serve
#   extend_config(*, config: dict, base_url: str) -> None   add its part of the config
#   environment() -> dict[str, str]                         secrets its sources name
#   after_sync(*, echo) -> None                             e.g. import a generated cost export
DEMO_EXTENSIONS: tuple[ModuleType, ...] = (gitlab, jira, pagerduty, costs, economics, alerts)
# Each demo repo shows one release source (docs/metrics.md#release_frequency).
RELEASE_SOURCES = ("releases", "tags", "deployments", "releases")


@dataclass
class DemoResult:
    simulator: Simulator
    username: str
    password: str
    api_token: str
    runs: list[SyncRun]
    metric_rows: int
    digests: dict[str, int]
    alerts: dict[str, int] = field(default_factory=dict)


def demo_world(*, seed: int = 7, today: datetime | None = None) -> GitHubWorld:
    """18 months of a 4-repo organisation ending at today 00:00 UTC (stable within a day)."""
    end = (today or datetime.now(UTC)).replace(hour=0, minute=0, second=0, microsecond=0)
    return generate_github_world(
        seed=seed,
        repos=4,
        pulls=1200,
        issues=400,
        releases=120,
        owner="acme",
        start=end - timedelta(days=540),
        end=end,
        deployments_per_repo=40,
        tags_per_repo=30,
    )


def _authors(world: GitHubWorld, full_name: str, count: int) -> list[str]:
    logins = Counter(
        p["user"]["login"] for p in world.repo(full_name).pulls if p["user"].get("type") != "Bot"
    )
    return [login for login, _ in logins.most_common(count)]


def demo_revenue(*, today: datetime, months: int = 18) -> list[dict]:
    """Monthly revenue for the last `months` months up to today's: 120,000 growing 2 % a month."""
    first = (today.year * 12 + today.month - 1) - (months - 1)
    return [
        {"month": f"{m // 12:04d}-{m % 12 + 1:02d}", "amount": round(120_000 * 1.02**i)}
        for i, m in enumerate(range(first, first + months))
    ]


def demo_config(*, world: GitHubWorld, base_url: str, today: datetime | None = None) -> dict:
    """The demo organisation's config (docs/configuration.md) for a simulator at `base_url`."""
    names = [repo.full_name for repo in world.repos]
    teams = [
        {"slug": slug, "name": name, "managers": [f"{slug}-lead@acme.test"]}
        for slug, name in DEMO_TEAMS
    ]
    repos: list[dict[str, Any]] = []
    people: list[dict[str, Any]] = []
    for index, full_name in enumerate(names):
        team = DEMO_TEAMS[index % len(DEMO_TEAMS)][0]
        repos.append(
            {
                "name": full_name,
                "team": team,
                "release_source": RELEASE_SOURCES[index % len(RELEASE_SOURCES)],
                "production_environment": "^production$",
                "tag_pattern": r"^v[0-9]",
            }
        )
        for login in _authors(world, full_name, 4):
            if login not in {p["github"] for p in people}:
                people.append(
                    {
                        "email": f"{login}@acme.test",
                        "name": login.title(),
                        "team": team,
                        "github": login,
                    }
                )
    return {
        "organization": {"name": "Acme (demo)", "timezone": "UTC"},
        "teams": teams,
        "people": people,
        "revenue": demo_revenue(today=today or datetime.now(UTC)),
        "sources": [
            {
                "name": "github",
                "kind": "github",
                "base_url": base_url,
                "token_env": DEMO_TOKEN_ENV,
                "repos": repos,
            }
        ],
    }


def demo_admin() -> tuple[str, str, str]:
    """A superuser `admin` with a fresh random password and an API token."""
    user, _ = get_user_model().objects.get_or_create(
        username="admin", defaults={"email": "admin@acme.test"}
    )
    password = secrets.token_urlsafe(12)
    user.is_staff = user.is_superuser = True
    user.set_password(password)
    user.save()
    token = api_token_create(user=user, name="demo", read_only=True)
    return user.username, password, token.token


def demo_digests_send(*, today: datetime) -> dict[str, int]:
    """Last month's digests, through the configured e-mail backend (by default files in
    var/mail/). Sent once per recipient and month, so running the demo again sends nothing new."""
    last_month = (today.replace(day=1) - timedelta(days=1)).date().replace(day=1)
    return digests_send(month=last_month)


def demo_build(*, echo: Progress | None = None, seed: int = 7) -> DemoResult:
    """Start the simulator (left running for 'sync now'), apply the demo config, sync, compute."""
    today = datetime.now(UTC)
    world = demo_world(seed=seed, today=today)
    token = secrets.token_hex(16)
    simulator = Simulator(github=world, token=token)
    extensions = DEMO_EXTENSIONS
    for ext in extensions:
        for provider in getattr(ext, "providers", lambda **_: [])(today=today):
            simulator.add_provider(provider)
    base_url = simulator.start()
    os.environ[DEMO_TOKEN_ENV] = token
    config = demo_config(world=world, base_url=base_url, today=today)
    for ext in extensions:
        if hasattr(ext, "environment"):
            os.environ.update(ext.environment())
        if hasattr(ext, "extend_config"):
            ext.extend_config(config=config, base_url=base_url)
    text = yaml.safe_dump(config, sort_keys=False)
    config_apply(config=config_load(text=text), prune=True)
    runs = sources_sync(echo=echo)
    for ext in extensions:
        if hasattr(ext, "after_sync"):
            ext.after_sync(echo=echo)
    written = metrics_compute()
    username, password, api_token = demo_admin()
    sent: dict[str, int] = {}
    for ext in extensions:
        if hasattr(ext, "after_compute"):
            sent.update(ext.after_compute())
    digests = demo_digests_send(today=today)
    return DemoResult(
        digests=digests,
        alerts=sent,
        simulator=simulator,
        username=username,
        password=password,
        api_token=api_token,
        runs=runs,
        metric_rows=sum(written.values()),
    )
