"""The scale organisation's config (docs/configuration.md), applied with the real `config_apply`.

Like the demo's (apps/demo/services.py and its extensions), at scale: 12 teams with a manager
each, 150 people with their GitHub login, Jira accountId and PagerDuty id, 60 repos with the
demo's cycle of release sources, 12 Jira projects, 80 PagerDuty services with SLOs, six
customers (four go live by their first `prod-<customer>` deployment, two wait for an
environment no repo deploys to), 36 months of revenue and the cost allocation settings.
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from integrations.simulator.jira import STORY_POINTS_FIELD
from scale import plan as p

ENV = {
    "github": "KEEL_SCALE_GITHUB_TOKEN",
    "jira": "KEEL_SCALE_JIRA_TOKEN",
    "pagerduty": "KEEL_SCALE_PAGERDUTY_TOKEN",
    "jira_email": "KEEL_SCALE_JIRA_EMAIL",
}
#: (key, name, days after the start of the three years, environment)
CUSTOMERS = (
    ("globex", "Globex", 30, "^prod-globex$"),
    ("initech", "Initech", 120, "^prod-initech$"),
    ("umbrella", "Umbrella", 300, "^prod-umbrella$"),
    ("hooli", "Hooli", 500, "^prod-hooli$"),
    ("wayne", "Wayne Enterprises", 800, "^prod-wayne$"),
    ("stark", "Stark Industries", 1000, "^prod-stark$"),
)
SHARED_ACCOUNT = "999900000000"  # untagged lines here stay unallocated


def team_account(team_index: int) -> str:
    """The AWS account of team `team_index`; the config maps it to the team (costs.accounts)."""
    return f"1111000{team_index:05d}"


def environment() -> dict[str, str]:
    """The environment variables the config's sources name (tokens, Jira e-mail)."""
    return {
        ENV["github"]: p.TOKENS["github"],
        ENV["jira"]: p.TOKENS["jira"],
        ENV["pagerduty"]: p.TOKENS["pagerduty"],
        ENV["jira_email"]: p.JIRA_EMAIL,
    }


def revenue(plan: p.Plan) -> list[dict]:
    """36 months up to the anchor's: 1.5 M growing 2 % a month."""
    last = plan.anchor.year * 12 + plan.anchor.month - 1
    return [
        {"month": f"{m // 12:04d}-{m % 12 + 1:02d}", "amount": round(1_500_000 * 1.02**i)}
        for i, m in enumerate(range(last - 35, last + 1))
    ]


def _sources(plan: p.Plan) -> list[dict]:
    from apps.demo.services import RELEASE_SOURCES  # needs Django set up

    repos = [
        {
            "name": f"{p.OWNER}/{name}",
            "team": p.repo_team(i),
            "release_source": RELEASE_SOURCES[i % len(RELEASE_SOURCES)],
            "production_environment": "^production$",
            "tag_pattern": r"^v[0-9]",
        }
        for i, name in enumerate(p.repo_names())
    ]
    projects = [{"key": p.project_key(i), "team": slug} for i, (slug, _) in enumerate(p.TEAMS)]
    services = [  # outages blamed on the repo a service is named after (DORA)
        {
            "id": sid,
            "team": team,
            "name": name,
            "repos": [f"{p.OWNER}/{name.removesuffix('-worker')}"],
            **({"slo": slo} if slo else {}),
        }
        for sid, name, team, slo in p.services()
    ]
    return [
        {
            "name": "github",
            "kind": "github",
            "base_url": plan.base_url("github"),
            "token_env": ENV["github"],
            "repos": repos,
        },
        {
            "name": "jira",
            "kind": "jira",
            "base_url": plan.base_url("jira"),
            "email_env": ENV["jira_email"],
            "token_env": ENV["jira"],
            "story_points_field": STORY_POINTS_FIELD,
            "projects": projects,
        },
        {
            "name": "pagerduty",
            "kind": "pagerduty",
            "base_url": plan.base_url("pagerduty"),
            "token_env": ENV["pagerduty"],
            "services": services,
        },
    ]


def org_config(plan: p.Plan, *, cost_dir: Path) -> dict:
    """The whole config for the organisation at `plan.fraction`; `cost_dir` holds the FOCUS
    export (the `costs` phase writes it there)."""
    teams = [
        {"slug": slug, "name": name, "managers": [f"{slug}-lead@acme.test"]}
        for slug, name in p.TEAMS
    ]
    people = [
        {
            "email": x.email,
            "name": x.name,
            "team": x.team,
            "github": x.github,
            "jira": x.jira,
            "pagerduty": x.pagerduty,
        }
        for x in p.people()
    ]
    start = plan.start.date()
    customers = [
        {
            "key": key,
            "name": name,
            "team": p.TEAMS[i * 2][0],
            "onboarding_start": (start + timedelta(days=days)).isoformat(),
            "environment": env,
        }
        for i, (key, name, days, env) in enumerate(CUSTOMERS)
    ]
    costs = {
        "currency": "USD",
        "team_tag_keys": ["team", "user:team"],
        "accounts": {team_account(i): slug for i, (slug, _) in enumerate(p.TEAMS)},
        "exports": [{"name": "scale-aws", "format": "focus", "path": str(cost_dir)}],
    }
    return {
        "organization": {"name": f"Acme at scale ({plan.fraction:g})", "timezone": "UTC"},
        "teams": teams,
        "people": people,
        "sources": _sources(plan),
        "customers": customers,
        "incidents": {"outage_urgencies": ["high"]},
        "costs": costs,
        "revenue": revenue(plan),
    }
