"""The last hour of the scale organisation, added to a regenerated world (`hourly` phase).

About 500 records dated in the `Window` (the last hour, or less when the PagerDuty source was
synced within the hour: an incident created before its cursor would never be read, and could
not have been missed by a real sync), the same at every fraction: 150 PRs (45 %
merged within the hour), 20 GitHub issues, 10 deployments with statuses, 3 releases and 2
tags; 250 Jira issues (a quarter bugs); 50 incidents — and 50 updates of items that were open
before the hour: 20 PRs merged or closed, 10 GitHub issues closed, 15 Jira issues resolved,
5 incidents resolved. Each adder returns what it did: new and updated counts, the earliest
event time among them and the earliest creation time of anything touched (the earliest period
whose metrics the hour can change).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from integrations.simulator.github import vocab
from integrations.simulator.github.objects import iso
from integrations.simulator.jira.world import PRIORITIES, TYPES, jira_time, make_issue
from integrations.simulator.pagerduty.world import parse
from scale import plan as p

HOUR = timedelta(hours=1)


@dataclass(frozen=True)
class Window:
    """`[start, end)`: when the new records and the updates happen."""

    start: datetime
    end: datetime

    def moment(self, rng: random.Random) -> datetime:
        """A time in the first 80 % of the window (whole seconds)."""
        seconds = (self.end - self.start).total_seconds() * 0.8 * rng.random()
        return (self.start + timedelta(seconds=seconds)).replace(microsecond=0)

    def later(self, rng: random.Random, moment: datetime) -> datetime:
        """A time between `moment` and the end of the window."""
        seconds = (self.end - moment).total_seconds() * rng.uniform(0.1, 0.9)
        return (moment + timedelta(seconds=seconds)).replace(microsecond=0)


class Tally:
    """New / updated records and the earliest times among them."""

    def __init__(self) -> None:
        self.new: dict[str, int] = {}
        self.updated: dict[str, int] = {}
        self.events: list[datetime] = []
        self.created: list[datetime] = []

    def add(self, kind: str, *, at: datetime, created: datetime, update: bool = False) -> None:
        counts = self.updated if update else self.new
        counts[kind] = counts.get(kind, 0) + 1
        self.events.append(at)
        self.created.append(created)

    def summary(self) -> dict:
        return {
            "new": self.new,
            "updated": self.updated,
            "records": sum(self.new.values()) + sum(self.updated.values()),
            "earliest_event": iso(min(self.events)) if self.events else None,
            "earliest_created": iso(min(self.created)) if self.created else None,
        }


def add_github(world, plan: p.Plan, window: Window) -> dict:
    rng, tally, pools = random.Random(plan.seed + 100), Tally(), p.author_pools()
    repos = world.repos
    for _ in range(150):
        index = rng.randrange(len(repos))
        repo, at = repos[index], window.moment(rng)
        key = vocab.project_key(repo.full_name.split("/", 1)[1])
        pull = repo.add_pull(
            vocab.pull_title(rng, key),
            author=rng.choice(pools[index][:13]),
            body=vocab.pull_body(rng, []),
            additions=rng.randint(1, 400),
            deletions=rng.randint(0, 100),
            created_at=at,
        )
        tally.add("pulls", at=at, created=at)
        if rng.random() < 0.45:
            repo.merge_pull(pull["number"], at=window.later(rng, at), merged_by=pools[index][0])
    for _ in range(20):
        index = rng.randrange(len(repos))
        repo, at = repos[index], window.moment(rng)
        bug = rng.random() < 0.4
        repo.add_issue(
            vocab.issue_title(rng, bug),
            author=rng.choice(pools[index]),
            labels=["bug"] if bug else [],
            created_at=at,
        )
        tally.add("github_issues", at=at, created=at)
    _github_delivery(rng, repos, window, tally)
    _github_updates(rng, repos, window, tally)
    return tally.summary()


def _github_delivery(rng: random.Random, repos: list, window: Window, tally: Tally) -> None:
    for _ in range(10):
        repo, at = rng.choice(repos), window.moment(rng)
        deployment = repo.add_deployment("production", created_at=at)
        repo.add_deployment_status(deployment["id"], "success", at=window.later(rng, at))
        tally.add("deployments", at=at, created=at)
    for number in range(3):
        repo, at = rng.choice(repos), window.moment(rng)
        repo.add_release(f"v99.0.{number}", created_at=at, published_at=at, author="ada-berg")
        tally.add("releases", at=at, created=at)
    for number in range(2):
        repo, at = rng.choice(repos), window.moment(rng)
        repo.add_tag(f"v99.1.{number}", committed_at=at)
        tally.add("tags", at=at, created=at)


def _reviewer(pull: dict) -> str:
    """Who approves and merges an old PR: someone of its repo's team other than its author."""
    author = pull["user"]["login"]
    name = pull["base"]["repo"]["name"]
    pool = p.author_pools()[p.repo_names().index(name)]
    return next(login for login in pool if login != author)


def _github_updates(rng: random.Random, repos: list, window: Window, tally: Tally) -> None:
    floor = iso(window.start)
    open_pulls = [
        (r, x) for r in repos for x in r.pulls if x["state"] == "open" and x["created_at"] < floor
    ]
    for repo, pull in rng.sample(open_pulls, min(20, len(open_pulls))):
        at, number = window.moment(rng), pull["number"]
        # The simulator derives a PR's reviews from its current state (their times spread
        # between opening and merge): keep those submitted while it was open, as GitHub does.
        repo.pull_reviews.setdefault(number, list(repo.reviews_of(number)))
        if rng.random() < 0.75:
            merger = _reviewer(pull)
            repo.add_review(number, reviewer=merger, at=at - timedelta(minutes=2))
            if pull["draft"]:
                repo.mark_ready(number, at=at - timedelta(minutes=5))
            repo.merge_pull(number, at=at, merged_by=merger)
        else:
            repo.close_pull(number, at=at)
        tally.add("pulls", at=at, created=parse(pull["created_at"]), update=True)
    open_issues = [
        (r, x)
        for r in repos
        for x in r.issues
        if x["state"] == "open" and "pull_request" not in x and x["created_at"] < floor
    ]
    for repo, issue in rng.sample(open_issues, min(10, len(open_issues))):
        at = window.moment(rng)
        repo.close_issue(issue["number"], at=at)
        tally.add("github_issues", at=at, created=parse(issue["created_at"]), update=True)


def add_jira(world, plan: p.Plan, window: Window) -> dict:
    rng, tally = random.Random(plan.seed + 101), Tally()
    counters: dict[str, int] = {}
    for issue in world.issues:
        project, number = issue["key"].rsplit("-", 1)
        counters[project] = max(counters.get(project, 0), int(number))
    staff = {
        p.project_key(i): [x.jira for x in p.members(slug)] for i, (slug, _) in enumerate(p.TEAMS)
    }
    next_id = 10_000 + len(world.issues)
    for index in range(250):
        project = rng.choice(sorted(counters))
        counters[project] += 1
        kind, at = rng.choices(TYPES, [t[3] for t in TYPES])[0], window.moment(rng)
        bug = kind[1] == "Bug"
        world.issues.append(
            make_issue(
                issue_id=next_id + index,
                key=f"{project}-{counters[project]}",
                project=project,
                kind=kind,
                created=at,
                resolved=None,
                priority=rng.choice(PRIORITIES) if bug else "Medium",
                assignee=rng.choice(staff[project]),
                reporter=rng.choice(staff[project]),
                points=None if bug or kind[2] else float(rng.choice((1, 2, 3, 5, 8))),
                labels=["regression"] if bug and rng.random() < 0.3 else [],
                offset_hours=2,
            )
        )
        tally.add("jira_issues", at=at, created=at)
    floor = window.start
    unresolved = [
        i
        for i in world.issues[-5000:]
        if i["fields"]["resolutiondate"] is None and parse_jira(i) < floor
    ]
    for issue in rng.sample(unresolved, min(15, len(unresolved))):
        at = window.moment(rng)
        fields = issue["fields"]
        fields.update(
            status={"name": "Done", "statusCategory": {"id": 3, "key": "done"}},
            resolution={"name": "Done"},
            resolutiondate=jira_time(at, 2),
            updated=jira_time(at, 2),
        )
        tally.add("jira_issues", at=at, created=parse_jira(issue), update=True)
    return tally.summary()


def parse_jira(issue: dict) -> datetime:
    return datetime.fromisoformat(issue["fields"]["created"])


def add_pagerduty(world, plan: p.Plan, window: Window) -> dict:
    rng, tally = random.Random(plan.seed + 102), Tally()
    services = sorted(world.services)
    for _ in range(50):
        at = window.moment(rng)
        lasts = window.later(rng, at) if rng.random() < 0.8 else None
        world.add_incident(
            rng.choice(services),
            created_at=at,
            urgency="high" if rng.random() < 0.3 else "low",
            resolved_at=lasts,
            title="Latency above SLO",
        )
        tally.add("incidents", at=at, created=at)
    floor = window.start
    still_open = [
        i
        for i in world.incidents.values()
        if i["status"] != "resolved" and parse(i["created_at"]) < floor
    ]
    for incident in rng.sample(still_open, min(5, len(still_open))):
        at = window.moment(rng)
        world.resolve(incident["id"], at=at)
        tally.add("incidents", at=at, created=parse(incident["created_at"]), update=True)
    return tally.summary()


ADDERS = {"github": add_github, "jira": add_jira, "pagerduty": add_pagerduty}
