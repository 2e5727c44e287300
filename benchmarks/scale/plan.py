"""Who and what the scale organisation holds: `Plan` (counts at a fraction, time span, ports)
and the fixed cast (`TEAMS`, `people()`, `repos()`, `services()`).

The cast does not scale: 12 teams, 150 engineers, 60 repos, 12 Jira projects (one per team)
and 80 PagerDuty services at every fraction; every record count (PRs, issues, releases, tags,
deployments, Jira issues, incidents, cost lines) is `fraction` of the whole organisation's.
Each team owns 5 repos (repo i belongs to team i mod 12), one Jira project whose key is the
key `vocab.project_key` gives its first repo (so PR titles like "API-123 ..." name real
issues), and 6-7 services (service i belongs to team i mod 12).
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from integrations.simulator.github import generate, vocab

YEARS_DAYS = 3 * 365
OWNER = "acme"
#: Record counts of the whole organisation (fraction 1.0).
FULL = {
    "pulls": 200_000,
    "github_issues": 60_000,
    "releases": 6_000,
    "tags": 6_000,
    "deployments": 12_000,
    "jira_issues": 1_000_000,
    "incidents": 50_000,
    "cost_lines": 5_000_000,
}
#: (slug, name); team i leads repo `repo_names(60)[i]` and owns Jira project key(repo i).
TEAMS = (
    ("platform", "Platform API"),
    ("web", "Web"),
    ("mobile", "Mobile"),
    ("billing", "Billing"),
    ("identity", "Identity"),
    ("search", "Search"),
    ("payments", "Payments"),
    ("infrastructure", "Infrastructure"),
    ("data", "Data"),
    ("messaging", "Messaging"),
    ("backoffice", "Back office"),
    ("edge", "Edge"),
)
REPOS, PEOPLE, SERVICES = 60, 150, 80
_FIRST = (
    "ada",
    "ben",
    "chloe",
    "dev",
    "elif",
    "femi",
    "gita",
    "hugo",
    "ines",
    "jon",
    "kai",
    "lina",
    "max",
    "nour",
    "oscar",
    "pia",
    "raj",
    "sara",
    "theo",
    "una",
    "vik",
    "wanda",
    "xiu",
    "yara",
    "zane",
    "amir",
    "bo",
    "cleo",
    "dani",
    "emil",
)
_LAST = ("berg", "costa", "diaz", "kim", "okafor")
TOKENS = {
    "github": "scale-github-token",
    "jira": "scale-jira-token",
    "pagerduty": "scale-pagerduty-token",
}
JIRA_EMAIL = "keel-scale@acme.test"
KINDS = ("github", "jira", "pagerduty")


@dataclass(frozen=True)
class Person:
    email: str
    name: str
    team: str
    github: str
    jira: str
    pagerduty: str


@dataclass(frozen=True)
class Plan:
    """The organisation at `fraction`, its three years ending at `anchor` (00:00 UTC)."""

    fraction: float
    anchor: datetime
    seed: int = 2026

    @property
    def start(self) -> datetime:
        return self.anchor - timedelta(days=YEARS_DAYS)

    def count(self, name: str) -> int:
        """`fraction` of the whole organisation's count of `name` (see `FULL`)."""
        return round(FULL[name] * self.fraction)

    def port(self, kind: str) -> int:
        """A fixed loopback port per fraction and upstream, so the stored sources' base URLs
        (and their cursors and ETags) stay valid for every later run, e.g. `hourly`. Below
        Linux's ephemeral range (32768+), where another process's connection may hold it."""
        return 21_000 + round(self.fraction * 1000) * 10 + KINDS.index(kind)

    def base_url(self, kind: str) -> str:
        return f"http://127.0.0.1:{self.port(kind)}"


def anchor_today() -> datetime:
    return datetime.now(UTC).replace(hour=0, minute=0, second=0, microsecond=0)


def _short_id(text: str, length: int = 6) -> str:
    return hashlib.sha1(text.encode()).hexdigest()[:length].upper()


def people() -> list[Person]:
    """150 engineers, team by team (sizes 13 x 6, then 12 x 6), with their identities: GitHub
    login, Jira accountId (`712020:<uuid>`-shaped) and PagerDuty user id."""
    out = []
    for index in range(PEOPLE):
        login = f"{_FIRST[index % len(_FIRST)]}-{_LAST[index // len(_FIRST)]}"
        team = TEAMS[index % len(TEAMS)][0]
        out.append(
            Person(
                email=f"{login}@acme.test",
                name=login.replace("-", " ").title(),
                team=team,
                github=login,
                jira=f"712020:{uuid.uuid5(uuid.NAMESPACE_URL, login)}",
                pagerduty=f"PU{_short_id(login)}",
            )
        )
    return out


def members(team: str) -> list[Person]:
    return [p for p in people() if p.team == team]


def repo_names() -> list[str]:
    return generate.repo_names(REPOS)


def repo_team(index: int) -> str:
    return TEAMS[index % len(TEAMS)][0]


def project_key(team_index: int) -> str:
    return vocab.project_key(repo_names()[team_index])


def author_pools() -> list[list[str]]:
    """Per repo: its team's logins (rotated per repo, so each repo has other top authors and
    mergers) and then three engineers of the next team (cross-team contributions)."""
    pools = []
    for index in range(REPOS):
        own = [p.github for p in members(repo_team(index))]
        shift = index // len(TEAMS)
        other = [p.github for p in members(repo_team(index + 1))][shift : shift + 3]
        pools.append(own[shift:] + own[:shift] + other)
    return pools


def services() -> list[tuple[str, str, str, float | None]]:
    """80 PagerDuty services: (id, name, team slug, slo or None)."""
    names = repo_names()
    slos = (0.999, 0.995, 0.99, None)
    out = []
    for index in range(SERVICES):  # a service per repo, then workers of the first 20 repos
        name = names[index % REPOS] + ("" if index < REPOS else "-worker")
        out.append((f"PS{_short_id(name, 5)}", name, repo_team(index), slos[index % 4]))
    return out
