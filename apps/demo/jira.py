"""Demo extension (apps.demo.services.DEMO_EXTENSIONS): a simulated Jira site with two projects of
stories, tasks, sub-tasks and bugs (priorities, story points, some "Won't Fix"), served by the
demo simulator and synced through the real Jira sync.

The payments project also has a **regression burst** in the last complete month: a release
early that month broke card refunds, and a run of Highest and High bugs was filed in its first
four days and stayed open for weeks. The payments team's `bug_impact_days` of that month is an
anomaly (docs/metrics.md#anomaly), so the demo's `bug-impact-anomaly` rule has something to say.
"""

import secrets
from datetime import datetime, timedelta

from apps.demo import economics
from integrations.simulator.jira import STORY_POINTS_FIELD, JiraProvider, generate_jira_world
from integrations.simulator.jira.world import TYPES, make_issue

TOKEN_ENV, EMAIL_ENV = "KEEL_DEMO_JIRA_TOKEN", "KEEL_DEMO_JIRA_EMAIL"
EMAIL = "keel-demo@acme.test"
_TOKEN = secrets.token_hex(16)
PROJECTS = (("API", "platform"), ("PAY", "payments"))
ACCOUNTS = tuple(f"5b10a2{index:04d}" for index in range(8))  # accountId-like, opaque
# The regression burst: project, first key number and issue id, how many bugs.
BURST_PROJECT, BURST_KEY, BURST_ID, BURST_BUGS = "PAY", 9500, 995_000, 56


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
    world.issues += regression_burst(today=end)
    return [JiraProvider(world, email=EMAIL, token=_TOKEN)]


def regression_burst(*, today: datetime) -> list[dict]:
    """The payments regression burst: BURST_BUGS Highest and High bugs labelled `regression`,
    filed over the first four days of the last complete month before `today` (a day's midnight,
    UTC), each fixed 30 to 44 days after it was filed, or still open when that is not yet
    past."""
    bug = next(t for t in TYPES if t[1] == "Bug")
    first = (today.replace(day=1) - timedelta(days=1)).replace(day=1, hour=0)
    issues = []
    for n in range(BURST_BUGS):
        created = first + timedelta(days=n * 4 / BURST_BUGS, hours=9)
        fixed = created + timedelta(days=30 + n % 15)
        issues.append(
            make_issue(
                issue_id=BURST_ID + n,
                key=f"{BURST_PROJECT}-{BURST_KEY + n}",
                project=BURST_PROJECT,
                kind=bug,
                created=created,
                resolved=fixed if fixed < today else None,
                priority="Highest" if n % 3 == 0 else "High",
                assignee=ACCOUNTS[2 + n % 4],
                reporter=ACCOUNTS[1],
                points=None,
                labels=["regression", "refunds"],
                offset_hours=2,
            )
        )
    return issues


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
