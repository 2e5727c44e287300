"""Pull-request detail of the simulated GitHub: commits, reviews, changed files, timeline.

A pull request's detail is stored on its repository when a test or loader set it
(`GitHubRepo.pull_commits`, `pull_reviews`, `pull_files`, `pull_events`), else derived on
demand, deterministically, from the pull request itself (so a 200,000-PR world costs no memory
for it):
- commits: `pull["commits"]` of them by the PR's author, the first 1-72 h before the PR was
  opened, the last at its opening; a bot's commits have the bot as GitHub author;
- files: `pull["changed_files"]` paths from a pool of ~120 per repository (so PRs touch the same
  files), whose additions and deletions add up to the PR's;
- reviews: a merged PR gets an approval from whoever merged it (when not its author) shortly
  before the merge, a third of PRs first a comment or a change request; unmerged PRs a comment
  now and then;
- timeline (`GET /issues/{n}/timeline`): committed, reviewed, ready_for_review (stored when a
  draft became ready), merged and closed events in time order.
Shapes follow GitHub REST 2022-11-28: https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request,
.../pulls/reviews#list-reviews-for-a-pull-request, .../pulls/pulls#list-pull-requests-files,
.../issues/timeline#list-timeline-events-for-an-issue.
"""

from __future__ import annotations

import hashlib
import random
from datetime import timedelta
from typing import TYPE_CHECKING

from integrations.simulator.github.objects import (
    API,
    WEB,
    JSONDict,
    fake_sha,
    iso,
    node_id,
    parse_iso,
    user_obj,
)

if TYPE_CHECKING:
    from integrations.simulator.github.world import GitHubRepo

#: GitHub lists at most this many commits of a pull request (REST and GraphQL).
MAX_PULL_COMMITS = 250
#: ... and at most this many changed files through REST.
MAX_PULL_FILES = 3000
_AREAS = ("api", "core", "billing", "auth", "web", "jobs", "db", "search")
_FILES = ("models", "views", "service", "client", "utils", "handlers", "schema", "tests", "config")


def _rng(*parts: object) -> random.Random:
    seed = hashlib.sha256(":".join(map(str, parts)).encode()).digest()[:8]
    return random.Random(int.from_bytes(seed, "big"))


def commit_item(full_name: str, sha: str, fields: JSONDict) -> JSONDict:
    """A `/pulls/{n}/commits` item. `fields`: author (user object or None), name, message,
    authored_at, committed_at (ISO), parent (sha)."""
    person = {"name": fields["name"], "email": f"{fields['name']}@users.noreply.github.com"}
    return {
        "sha": sha,
        "node_id": node_id("Commit", int(sha[:8], 16)),
        "commit": {
            "author": {**person, "date": fields["authored_at"]},
            "committer": {**person, "date": fields["committed_at"]},
            "message": fields["message"],
            "tree": {"sha": fake_sha(sha, "tree"), "url": f"{API}/repos/{full_name}/git/trees"},
            "url": f"{API}/repos/{full_name}/git/commits/{sha}",
            "comment_count": 0,
        },
        "url": f"{API}/repos/{full_name}/commits/{sha}",
        "html_url": f"{WEB}/{full_name}/commit/{sha}",
        "author": fields["author"],
        "committer": fields["author"],
        "parents": [{"sha": fields["parent"], "url": f"{API}/repos/{full_name}/commits"}],
    }


def review_item(full_name: str, pull: JSONDict, fields: JSONDict) -> JSONDict:
    """A `/pulls/{n}/reviews` item. `fields`: id, user (user object or None), state,
    submitted_at (ISO), body."""
    number = pull["number"]
    return {
        "id": fields["id"],
        "node_id": node_id("PullRequestReview", fields["id"]),
        "user": fields["user"],
        "body": fields["body"],
        "state": fields["state"],
        "html_url": f"{WEB}/{full_name}/pull/{number}#pullrequestreview-{fields['id']}",
        "pull_request_url": f"{API}/repos/{full_name}/pulls/{number}",
        "author_association": "MEMBER",
        "submitted_at": fields["submitted_at"],
        "commit_id": pull["head"]["sha"],
    }


def file_item(full_name: str, path: str, additions: int, deletions: int) -> JSONDict:
    """A `/pulls/{n}/files` item (without `patch`)."""
    sha = fake_sha(full_name, path, additions, deletions)
    return {
        "sha": sha,
        "filename": path,
        "status": "modified" if deletions else "added",
        "additions": additions,
        "deletions": deletions,
        "changes": additions + deletions,
        "blob_url": f"{WEB}/{full_name}/blob/{sha}/{path}",
        "raw_url": f"{WEB}/{full_name}/raw/{sha}/{path}",
        "contents_url": f"{API}/repos/{full_name}/contents/{path}?ref={sha}",
    }


def derived_commits(repo: GitHubRepo, pull: JSONDict) -> list[JSONDict]:
    """`pull["commits"]` commits, oldest first (see the module docstring)."""
    count, rng = int(pull.get("commits") or 1), _rng(repo.full_name, pull["number"], "commits")
    opened = parse_iso(pull["created_at"])
    first = opened - timedelta(seconds=rng.randint(3600, 72 * 3600))
    step = (opened - first) / max(1, count - 1)
    user = pull["user"]
    parent = fake_sha(repo.full_name, pull["number"], "base")
    items = []
    for index in range(count):
        sha = fake_sha(repo.full_name, pull["number"], "commit", index)
        stamp = iso(first + step * index if count > 1 else opened)
        fields = {
            "author": user,
            "name": (user or {}).get("login") or "ghost",
            "message": f"{pull['title']} (part {index + 1})" if index else pull["title"],
            "authored_at": stamp,
            "committed_at": stamp,
            "parent": parent,
        }
        items.append(commit_item(repo.full_name, sha, fields))
        parent = sha
    return items


def derived_files(repo: GitHubRepo, pull: JSONDict) -> list[JSONDict]:
    """`pull["changed_files"]` files whose additions and deletions sum to the PR's."""
    count = max(1, int(pull.get("changed_files") or 1))
    rng = _rng(repo.full_name, pull["number"], "files")
    pool = [f"src/{a}/{f}.py" for a in _AREAS for f in _FILES]
    paths = (
        rng.sample(pool, count)
        if count <= len(pool)
        else [f"gen/file_{i}.txt" for i in range(count)]
    )
    adds = _spread(rng, int(pull.get("additions") or 0), count)
    dels = _spread(rng, int(pull.get("deletions") or 0), count)
    return [file_item(repo.full_name, p, a, d) for p, a, d in zip(paths, adds, dels, strict=True)]


def _spread(rng: random.Random, total: int, parts: int) -> list[int]:
    """`total` split into `parts` non-negative integers (uneven, exact sum)."""
    cuts = sorted(rng.randint(0, total) for _ in range(parts - 1))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


def derived_reviews(repo: GitHubRepo, pull: JSONDict) -> list[JSONDict]:
    """Reviews as the module docstring says, in submission order."""
    rng = _rng(repo.full_name, pull["number"], "reviews")
    author = (pull["user"] or {}).get("login")
    merger = (pull.get("merged_by") or {}).get("login")
    reviewer = merger if merger and merger != author else None
    start = parse_iso(pull["created_at"])
    end = parse_iso(pull["merged_at"] or pull["closed_at"] or pull["updated_at"])
    plan: list[tuple[str, float]] = []
    if rng.random() < 0.33:
        plan.append((rng.choice(("COMMENTED", "CHANGES_REQUESTED")), rng.uniform(0.1, 0.5)))
    if pull["merged_at"] and reviewer:
        plan.append(("APPROVED", rng.uniform(0.6, 0.95)))
    if not reviewer:
        plan = plan[:1] if pull["merged_at"] is None else []
    reviews = []
    for index, (state, share) in enumerate(plan):
        at = start + (end - start) * share
        fields = {
            "id": pull["id"] * 4 + index,
            "user": user_obj(reviewer) if reviewer else user_obj("octocat"),
            "state": state,
            "submitted_at": iso(at),
            "body": "" if state == "APPROVED" else "Please have a look at the error handling.",
        }
        reviews.append(review_item(repo.full_name, pull, fields))
    return reviews


def timeline(
    repo: GitHubRepo, pull: JSONDict, kinds: frozenset[str] | None = None
) -> list[JSONDict]:
    """The pull request's issue timeline (committed, reviewed, ready_for_review, merged,
    closed), oldest first; only the events in `kinds` when given."""
    number = pull["number"]
    events: list[tuple[str, JSONDict]] = []
    everything = kinds is None
    kinds = kinds or frozenset()
    for commit in (
        repo.commits_of(number)[:MAX_PULL_COMMITS] if everything or "committed" in kinds else []
    ):
        item = {"event": "committed", "sha": commit["sha"], "message": commit["commit"]["message"]}
        events.append((commit["commit"]["author"]["date"], item))
    for review in repo.reviews_of(number) if everything or "reviewed" in kinds else []:
        item = {
            "event": "reviewed",
            "id": review["id"],
            "user": review["user"],
            "state": review["state"].lower(),
            "submitted_at": review["submitted_at"],
        }
        events.append((review["submitted_at"], item))
    for event in repo.pull_events.get(number, []):
        if everything or event["event"] in kinds:
            events.append((event["created_at"], event))
    for kind, key in (("merged", "merged_at"), ("closed", "closed_at")):
        if pull.get(key) and (everything or kind in kinds):
            events.append(
                (pull[key], _event(kind, pull.get("merged_by") or pull["user"], pull[key]))
            )
    return [item for _, item in sorted(events, key=lambda pair: pair[0])]


def _event(kind: str, actor: JSONDict | None, at: str) -> JSONDict:
    return {
        "id": int(hashlib.sha1(f"{kind}{at}".encode()).hexdigest()[:12], 16),
        "event": kind,
        "actor": actor,
        "created_at": at,
    }


def ready_event(pull: JSONDict, at: str) -> JSONDict:
    """A `ready_for_review` timeline event of `pull` at `at` (ISO)."""
    return _event("ready_for_review", pull["user"], at)
