"""Demo extension (apps.demo.services.DEMO_EXTENSIONS): a simulated Jira site with two projects of
stories, tasks, sub-tasks and bugs (priorities, story points, some "Won't Fix"), served by the
demo simulator and synced through the real Jira sync."""

import secrets
from datetime import datetime, timedelta

from apps.demo import economics
from integrations.simulator.jira import STORY_POINTS_FIELD, JiraProvider, generate_jira_world

TOKEN_ENV, EMAIL_ENV = "KEEL_DEMO_JIRA_TOKEN", "KEEL_DEMO_JIRA_EMAIL"
EMAIL = "keel-demo@acme.test"
_TOKEN = secrets.token_hex(16)
PROJECTS = (("API", "platform"), ("PAY", "payments"))
ACCOUNTS = tuple(f"5b10a2{index:04d}" for index in range(8))  # accountId-like, opaque


def providers(*, today: datetime) -> list:
    end = today.replace(hour=0, minute=0, second=0, microsecond=0)
    world = generate_jira_world(
        seed=11,
        projects=tuple(key for key, _ in PROJECTS),
        issues=1500,
        start=end - timedelta(days=540),
        end=end,
        people=ACCOUNTS,
        offset_hours=2,
    )
    world.issues += economics.onboarding_issues(today=today, reporter=ACCOUNTS[0])
    return [JiraProvider(world, email=EMAIL, token=_TOKEN)]


def environment() -> dict[str, str]:
    return {TOKEN_ENV: _TOKEN, EMAIL_ENV: EMAIL}


def extend_config(*, config: dict, base_url: str) -> None:
    """Add the jira source and give the first people a Jira accountId (the rest of the
    accounts stay unmatched, to show the unmapped-identities list)."""
    config["sources"].append(
        {
            "name": "jira",
            "kind": "jira",
            "base_url": base_url,
            "email_env": EMAIL_ENV,
            "token_env": TOKEN_ENV,
            "story_points_field": STORY_POINTS_FIELD,
            "projects": [{"key": key, "team": team} for key, team in PROJECTS],
        }
    )
    for person, account in zip(config["people"], ACCOUNTS[:6], strict=False):
        person["jira"] = account
