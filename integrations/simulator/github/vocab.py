"""Word lists and text makers for generated GitHub data (titles, bodies, logins, versions).

All randomness comes from the `random.Random` passed in, so a seed gives the same text.
"""

from __future__ import annotations

import random
import re

REPO_NAMES = (
    "api",
    "web",
    "mobile",
    "billing",
    "auth",
    "search",
    "payments",
    "infra",
    "data-pipeline",
    "notifications",
    "admin",
    "gateway",
    "analytics",
    "ios",
    "android",
    "docs",
    "cli",
    "sdk",
    "scheduler",
    "reporting",
)
LOGINS = (
    "alice-dev",
    "bob-gh",
    "carol-k",
    "dmitri-p",
    "erin-codes",
    "farah-m",
    "gus-lee",
    "hana-s",
    "ivan-t",
    "jules-r",
    "kenji-o",
    "lena-w",
    "marco-b",
    "nadia-f",
    "omar-h",
    "priya-n",
    "quinn-a",
    "rosa-v",
    "sam-j",
    "tomas-e",
    "uma-c",
    "victor-d",
    "wen-z",
    "xena-q",
    "yusuf-g",
    "zoe-l",
    "arjun-x",
    "bea-y",
    "chen-u",
    "dara-i",
)
BOT = "dependabot[bot]"
CUSTOMERS = ("globex", "initech", "umbrella", "hooli")
VERBS = (
    "Fix",
    "Add",
    "Refactor",
    "Improve",
    "Remove",
    "Update",
    "Handle",
    "Support",
    "Speed up",
    "Document",
    "Clean up",
    "Rework",
)
THINGS = (
    "retry logic in sync job",
    "pagination on list endpoint",
    "null check in serializer",
    "flaky login test",
    "cache invalidation",
    "timezone handling",
    "rate limiter",
    "billing export",
    "CSV download",
    "search ranking",
    "webhook signature check",
    "migration for orders table",
    "dark mode toggle",
    "error messages",
    "memory leak in worker",
    "N+1 query on dashboard",
    "password reset flow",
    "feature flag cleanup",
    "audit log",
    "invoice PDF rendering",
    "session expiry",
    "bulk import",
    "metrics endpoint",
    "health check",
    "onboarding wizard",
    "permissions check",
)
SYMPTOMS = (
    "fails when {thing} is empty",
    "returns 500 after {thing} change",
    "is slow since last release ({thing})",
    "shows wrong totals in {thing}",
    "crashes on {thing}",
    "times out during {thing}",
)
PACKAGES = ("lodash", "django", "requests", "axios", "urllib3", "react", "pyyaml", "jinja2")


def project_key(repo_name: str) -> str:
    """A Jira-like project key from a repo name: "api" -> "API", "data-pipeline" -> "DATA"."""
    return re.sub(r"[^A-Z]", "", repo_name.upper())[:4] or "KEEL"


def pull_title(rng: random.Random, key: str) -> str:
    """A human PR title; about 40% start with a Jira key ("API-123 fix retry logic ...")."""
    verb, thing = rng.choice(VERBS), rng.choice(THINGS)
    if rng.random() < 0.4:
        return f"{key}-{rng.randint(1, 999)} {verb.lower()} {thing}"
    return f"{verb} {thing}"


def bot_pull(rng: random.Random) -> tuple[str, str]:
    """(title, head ref) of a Dependabot version bump."""
    package = rng.choice(PACKAGES)
    old = f"{rng.randint(1, 4)}.{rng.randint(0, 20)}.{rng.randint(0, 9)}"
    new = f"{old.rsplit('.', 1)[0]}.{int(old.rsplit('.', 1)[1]) + 1}"
    return f"Bump {package} from {old} to {new}", f"dependabot/pip/{package}-{new}"


def pull_body(rng: random.Random, issue_numbers: list[int]) -> str | None:
    """A PR body; ~30% say `Fixes #N` for an earlier issue; ~10% are empty (null)."""
    roll = rng.random()
    if roll < 0.1:
        return None
    text = f"This change updates the {rng.choice(THINGS)}.\r\n\r\n- [x] tests added"
    if roll < 0.4 and issue_numbers:
        return f"Fixes #{rng.choice(issue_numbers)}\r\n\r\n{text}"
    return text


def issue_title(rng: random.Random, is_bug: bool) -> str:
    """An issue title: a symptom for bugs, a request otherwise."""
    thing = rng.choice(THINGS)
    if is_bug:
        return f"{thing.capitalize()} {rng.choice(SYMPTOMS).format(thing=rng.choice(THINGS))}"
    return f"{rng.choice(('Support', 'Allow', 'Add option for', 'Improve'))} {thing}"


def next_version(rng: random.Random, version: tuple[int, int, int]) -> tuple[int, int, int]:
    """The next semantic version: mostly patch, ~25% minor, ~3% major bumps."""
    major, minor, patch = version
    roll = rng.random()
    if roll < 0.03:
        return major + 1, 0, 0
    if roll < 0.28:
        return major, minor + 1, 0
    return major, minor, patch + 1


def version_name(version: tuple[int, int, int]) -> str:
    """`v1.2.3`."""
    return "v{}.{}.{}".format(*version)
