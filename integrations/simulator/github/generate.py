"""`generate_github_world`: a deterministic, realistic organisation for demos, tests, benchmarks.

Everything derives from `random.Random(seed)`. Counts are split unevenly across repositories
(weights 0.5-1.5) but always sum to the requested totals. Timestamps are whole seconds in
[start, end); an event that would fall at or after `end` does not happen (the PR stays open,
the deployment stays in progress).
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from integrations.simulator.github import vocab
from integrations.simulator.github.world import GitHubRepo, GitHubWorld

#: (low, high, weight) of additions + deletions per PR: every size bucket is represented.
SIZE_BUCKETS = ((1, 9, 25), (10, 49, 30), (50, 199, 25), (200, 999, 15), (1000, 5000, 5))


@dataclass(frozen=True)
class _Span:
    start: datetime
    end: datetime

    def random_time(self, rng: random.Random) -> datetime:
        seconds = int((self.end - self.start).total_seconds())
        return self.start + timedelta(seconds=rng.randrange(max(1, seconds)))

    def sorted_times(self, rng: random.Random, count: int) -> list[datetime]:
        return sorted(self.random_time(rng) for _ in range(count))

    def later(self, moment: datetime, seconds: float) -> datetime | None:
        """`moment` + seconds (whole), or None when that is not before `end`."""
        result = moment + timedelta(seconds=max(1, int(seconds)))
        return result if result < self.end else None


def split_total(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` uneven non-negative integers that sum to `total`."""
    weights = [rng.uniform(0.5, 1.5) for _ in range(parts)]
    shares = [total * w / sum(weights) for w in weights]
    counts = [int(s) for s in shares]
    by_remainder = sorted(range(parts), key=lambda i: shares[i] - counts[i], reverse=True)
    for index in by_remainder[: total - sum(counts)]:
        counts[index] += 1
    return counts


def repo_names(count: int) -> list[str]:
    """`api`, `web`, ... then `service-21`, `service-22`, ..."""
    return [
        vocab.REPO_NAMES[i] if i < len(vocab.REPO_NAMES) else f"service-{i + 1}"
        for i in range(count)
    ]


def generate_github_world(
    seed: int = 1,
    repos: int = 20,
    pulls: int = 5000,
    issues: int = 2000,
    releases: int = 300,
    start: datetime = datetime(2024, 1, 1, tzinfo=UTC),
    end: datetime = datetime(2026, 11, 1, tzinfo=UTC),
    owner: str = "acme",
    deployments_per_repo: int = 0,
    tags_per_repo: int = 0,
    logins: Sequence[Sequence[str]] | None = None,
) -> GitHubWorld:
    """A world of `repos` repositories `owner/api`, `owner/web`, ... holding `pulls` pull
    requests, `issues` issues (not counting the PRs' issue views) and `releases` releases in
    total, plus `tags_per_repo` tags and `deployments_per_repo` deployments per repository.

    PR authors: ~15 logins per repo, ~5% `dependabot[bot]`; ~90% of PRs get closed (those whose
    close time is before `end`), ~80% of closed PRs merged; sizes across all buckets (1-5000
    lines). Issues are labelled bug (+ impact:high, known-issue) or enhancement.
    `logins`: one pool of author logins per repository (up to 15 are drawn from each; the
    first 5 also merge); default: 15 of `vocab.LOGINS` for every repository.
    """
    if end <= start:
        raise ValueError("end must be after start")
    rng, world, span = random.Random(seed), GitHubWorld(), _Span(start, end)
    counts = zip(
        split_total(rng, pulls, repos),
        split_total(rng, issues, repos),
        split_total(rng, releases, repos),
        strict=True,
    )
    pools = list(logins) if logins is not None else [vocab.LOGINS] * repos
    if len(pools) != repos:
        raise ValueError(f"logins: {len(pools)} pools for {repos} repositories")
    for name, (n_pulls, n_issues, n_releases), pool in zip(
        repo_names(repos), counts, pools, strict=True
    ):
        branch = "main" if rng.random() < 0.85 else "master"
        repo = world.add_repo(f"{owner}/{name}", default_branch=branch, created_at=start)
        _fill_work(rng, repo, span, n_pulls, n_issues, pool)
        _fill_releases(rng, repo, span, n_releases)
        _fill_tags(rng, repo, span, tags_per_repo)
        _fill_deployments(rng, repo, span, deployments_per_repo)
    return world


def _fill_work(
    rng: random.Random,
    repo: GitHubRepo,
    span: _Span,
    n_pulls: int,
    n_issues: int,
    pool: Sequence[str],
) -> None:
    """Issues and pull requests, numbered together in creation order like on GitHub."""
    logins = rng.sample(list(pool), min(15, len(pool)))
    mergers = tuple(pool[:5])
    weights = [1 / (rank + 1) ** 0.6 for rank in range(len(logins))]
    kinds = ["pull"] * n_pulls + ["issue"] * n_issues
    rng.shuffle(kinds)
    issue_numbers: list[int] = []
    key = vocab.project_key(repo.full_name.split("/", 1)[1])
    for moment, kind in zip(span.sorted_times(rng, len(kinds)), kinds, strict=True):
        author = rng.choices(logins, weights)[0]
        if kind == "issue":
            issue_numbers.append(_add_issue(rng, repo, span, moment, author))
        else:
            _add_pull(rng, repo, span, moment, (author, mergers), key, issue_numbers)


def _add_issue(
    rng: random.Random, repo: GitHubRepo, span: _Span, moment: datetime, author: str
) -> int:
    roll, labels = rng.random(), []
    if roll < 0.45:
        labels = ["bug"] + (["impact:high"] if rng.random() < 0.25 else [])
        labels += ["known-issue"] if rng.random() < 0.1 else []
    elif roll < 0.7:
        labels = ["enhancement"]
    issue = repo.add_issue(
        vocab.issue_title(rng, "bug" in labels),
        author=author,
        body="Steps to reproduce:\r\n1. ...",
        labels=labels,
        created_at=moment,
    )
    closed = span.later(moment, rng.lognormvariate(12.0, 1.3)) if rng.random() < 0.8 else None
    if closed is not None:
        reason = "completed" if rng.random() < 0.9 else "not_planned"
        repo.close_issue(issue["number"], at=closed, state_reason=reason)
    return issue["number"]


def _pull_size(rng: random.Random, bot: bool) -> tuple[int, int]:
    low, high, _ = (
        SIZE_BUCKETS[rng.randrange(2)]
        if bot
        else rng.choices(SIZE_BUCKETS, [w for _, _, w in SIZE_BUCKETS])[0]
    )
    total = rng.randint(low, high)
    additions = max(1, round(total * rng.uniform(0.5, 0.95))) if total > 1 else 1
    return additions, total - additions


def _add_pull(
    rng: random.Random,
    repo: GitHubRepo,
    span: _Span,
    moment: datetime,
    people: tuple[str, Sequence[str]],
    key: str,
    issue_numbers: list[int],
) -> None:
    (author, mergers), bot = people, rng.random() < 0.05
    body: str | None
    if bot:
        title, head_ref = vocab.bot_pull(rng)
        author, body = vocab.BOT, "Bumps the version.\r\n\r\nDependabot will resolve conflicts."
    else:
        title, head_ref = vocab.pull_title(rng, key), None
        body = vocab.pull_body(rng, issue_numbers)
    roll = rng.random()
    labels = ["bug"] if roll < 0.12 else ["enhancement"] if roll < 0.22 else []
    additions, deletions = _pull_size(rng, bot)
    pull = repo.add_pull(
        title,
        author=author,
        author_type="Bot" if bot else "User",
        body=body,
        head_ref=head_ref,
        labels=labels,
        draft=rng.random() < 0.05,
        additions=additions,
        deletions=deletions,
        commits=rng.randint(1, 12),
        created_at=moment,
    )
    closed = span.later(moment, rng.lognormvariate(10.5, 1.2)) if rng.random() < 0.9 else None
    if closed is None:
        touched = span.later(moment, rng.uniform(60, 86400))
        if touched is not None:
            repo.edit_pull(pull["number"], at=touched)
    elif rng.random() < 0.8:
        repo.merge_pull(pull["number"], at=closed, merged_by=rng.choice(mergers))
    else:
        repo.close_pull(pull["number"], at=closed)


def _fill_releases(rng: random.Random, repo: GitHubRepo, span: _Span, count: int) -> None:
    version = (1, 0, 0)
    for moment in span.sorted_times(rng, count):
        roll = rng.random()
        prerelease, draft = 0.05 <= roll < 0.15, roll < 0.05
        if prerelease:
            tag = f"{vocab.version_name(vocab.next_version(rng, version))}-rc.1"
        else:
            version = vocab.next_version(rng, version)
            tag = vocab.version_name(version)
        published = span.later(moment, rng.uniform(30, 1800)) or moment
        repo.add_release(
            tag,
            draft=draft,
            prerelease=prerelease,
            created_at=moment,
            published_at=published,
            author=rng.choice(vocab.LOGINS[:8]),
            body=f"## What's Changed\r\n* {rng.choice(vocab.THINGS)}",
        )


def _fill_tags(rng: random.Random, repo: GitHubRepo, span: _Span, count: int) -> None:
    version = (0, 1, 0)
    for moment in span.sorted_times(rng, count):
        version = vocab.next_version(rng, version)
        repo.add_tag(
            vocab.version_name(version), committed_at=moment, author=rng.choice(vocab.LOGINS[:8])
        )


def _fill_deployments(rng: random.Random, repo: GitHubRepo, span: _Span, count: int) -> None:
    for moment in span.sorted_times(rng, count):
        roll = rng.random()
        environment = (
            "production"
            if roll < 0.5
            else "staging"
            if roll < 0.85
            else f"prod-{rng.choice(vocab.CUSTOMERS)}"
        )
        deployment = repo.add_deployment(environment, created_at=moment)
        running = span.later(moment, rng.uniform(5, 60))
        if running is None:
            continue
        repo.add_deployment_status(deployment["id"], "in_progress", at=running)
        finished = span.later(running, rng.uniform(120, 1200))
        if finished is not None:
            state = "success" if rng.random() < 0.85 else "failure"
            repo.add_deployment_status(deployment["id"], state, at=finished)
