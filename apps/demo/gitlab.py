"""Demo extension (apps.demo.services.DEMO_EXTENSIONS): a simulated GitLab group, `acme-mobile`,
whose two projects (`acme-mobile/api`, `acme-mobile/web`) the sync finds by itself and gives to
the payments team, beside its GitHub repos: merge requests with commits, approvals and diffs,
tags, releases, production deployments and issues (bugs labelled `type::bug`), served by the
demo simulator and synced through the real GitLab sync. Four of its users are people of the
demo; the others stay unmatched, to show the unmapped-identities list.
"""

import secrets
from datetime import datetime, timedelta

from integrations.simulator.gitlab import GitLabProvider, generate_gitlab_world
from integrations.simulator.gitlab.generate import USERNAMES

TOKEN_ENV = "KEEL_DEMO_GITLAB_TOKEN"
GROUP, TEAM = "acme-mobile", "payments"
_TOKEN = secrets.token_hex(16)


def providers(*, today: datetime) -> list:
    end = today.replace(hour=0, minute=0, second=0, microsecond=0)
    world = generate_gitlab_world(
        seed=13,
        group=GROUP,
        projects=2,
        merge_requests=300,
        issues=120,
        releases=30,
        start=end - timedelta(days=540),
        end=end,
    )
    return [GitLabProvider(world, token=_TOKEN, rate_limit=10**6)]


def environment() -> dict[str, str]:
    return {TOKEN_ENV: _TOKEN}


def extend_config(*, config: dict, base_url: str) -> None:
    """Add the gitlab source with its group, bugs by GitLab's scoped label too, and four of the
    group's users as people of the payments team."""
    config["sources"].append(
        {
            "name": "gitlab",
            "kind": "gitlab",
            "base_url": f"{base_url}/api/v4",
            "token_env": TOKEN_ENV,
            "groups": [{"path": GROUP, "team": TEAM, "release_source": "releases"}],
        }
    )
    bugs = config.setdefault("bugs", {})
    bugs["github_labels"] = [*bugs.get("github_labels", ["bug"]), "type::bug"]
    for username in USERNAMES[:4]:
        config["people"].append(
            {
                "email": f"{username}@acme.test",
                "name": username.replace(".", " ").title(),
                "team": TEAM,
                "gitlab": username,
            }
        )
