"""Serve recorded GitHub GraphQL pull-request nodes through the simulator as a live repository.

`load_graphql_pulls` turns pull-request nodes in GitHub's GraphQL wire form (as
``repository.pullRequests.nodes`` returns them for ``databaseId, number, state, title, isDraft,
body, url, labels{nodes{id,name}}, author{... on User{login,...}}, closedAt, mergedAt,
updatedAt, createdAt, mergeCommit{oid}, headRefName, commits(first:100){pageInfo, totalCount,
nodes{commit{oid, message, author{name, email, date, user{login}}, committer{date, email,
name}}}}, reviews{nodes{author, state, databaseId, submittedAt, body}}, additions, deletions,
mergedBy``) into the REST objects a `GitHubRepo` stores, so both the REST routes and the GraphQL
endpoint serve them. What the recording lacks is filled in, deterministically:

- a commit list cut by the recording (``totalCount`` above the nodes, ``hasNextPage``) is
  completed with made-up commits up to ``totalCount`` (sha from `fake_sha`, dated at the last
  recorded commit), so a client has to page to the end;
- an author that came back as ``{}`` (the query's ``... on User`` did not match: a bot or app)
  becomes the bot ``bot_login`` (type ``Bot``);
- changed files were not recorded: ``changed_files`` is 1 per 40 changed lines (at least 1) and
  the files themselves are derived (see `detail.derived_files`), adding up to the recorded
  additions and deletions;
- user ids come from `user_id` (the recorded ``databaseId`` of users is not kept).
"""

from __future__ import annotations

from typing import Any

from integrations.simulator.github.detail import commit_item, review_item
from integrations.simulator.github.objects import (
    JSONDict,
    fake_sha,
    issue_twin,
    label_obj,
    pull_obj,
    repo_obj,
    user_obj,
)
from integrations.simulator.github.world import GitHubRepo, GitHubWorld


def _user(actor: Any, bot_login: str) -> JSONDict | None:
    """A GraphQL actor (``{}`` for a non-User) as a REST user object; null stays None."""
    if actor is None:
        return None
    if not actor.get("login"):
        return user_obj(bot_login, "Bot")
    return user_obj(actor["login"])


def _commits(full_name: str, node: JSONDict) -> list[JSONDict]:
    """The recorded commits as REST items, completed up to ``totalCount`` (module docstring)."""
    user_of = {}
    items = []
    parent = fake_sha(full_name, node["number"], "base")
    for entry in node["commits"]["nodes"]:
        commit = entry["commit"]
        author = commit["author"]
        login = (author.get("user") or {}).get("login")
        user_of[commit["oid"]] = login
        fields = {
            "author": user_obj(login) if login else None,
            "name": author.get("name") or "",
            "message": commit["message"],
            "authored_at": author["date"],
            "committed_at": commit["committer"]["date"],
            "parent": parent,
        }
        items.append(commit_item(full_name, commit["oid"], fields))
        parent = commit["oid"]
    last = items[-1] if items else None
    for index in range(len(items), int(node["commits"]["totalCount"])):
        sha = fake_sha(full_name, node["number"], "unrecorded commit", index)
        stamp = last["commit"]["committer"]["date"] if last else node["createdAt"]
        fields = {
            "author": last["author"] if last else None,
            "name": last["commit"]["author"]["name"] if last else "",
            "message": f"commit {index + 1} (not recorded)",
            "authored_at": stamp,
            "committed_at": stamp,
            "parent": parent,
        }
        items.append(commit_item(full_name, sha, fields))
        parent = sha
    return items


def load_graphql_pulls(
    nodes: list[JSONDict],
    full_name: str,
    *,
    bot_login: str = "github-actions[bot]",
    world: GitHubWorld | None = None,
) -> GitHubWorld:
    """A world (new, or `world` extended) where `full_name` holds the pull requests `nodes`
    (GraphQL wire form, see the module docstring), their commits and reviews; releases, tags,
    deployments and issues are empty."""
    target = world if world is not None else GitHubWorld()
    created = min((n["createdAt"] for n in nodes), default="2020-01-01T00:00:00Z")
    obj = repo_obj(full_name, target.ids.next("repo"), "main", created)
    pulls, twins, commits, reviews = [], [], {}, {}
    labels: dict[str, JSONDict] = {}
    for node in sorted(nodes, key=lambda n: n["number"]):
        number = node["number"]
        names = [label["name"] for label in node["labels"]["nodes"]]
        for name in names:
            labels.setdefault(name, label_obj(full_name, name, target.ids.next("label")))
        lines = int(node["additions"]) + int(node["deletions"])
        fields = {
            "title": node["title"],
            "body": node["body"],
            "user": _user(node["author"], bot_login),
            "head_ref": node["headRefName"],
            "created_at": node["createdAt"],
            "labels": [labels[name] for name in names],
            "draft": bool(node["isDraft"]),
            "additions": int(node["additions"]),
            "deletions": int(node["deletions"]),
            "changed_files": max(1, lines // 40),
            "commits": int(node["commits"]["totalCount"]),
        }
        pull = pull_obj(obj, number, int(node["databaseId"]), fields)
        merged = node["mergedAt"] is not None
        pull.update(
            {
                "state": "open" if node["state"] == "OPEN" else "closed",
                "html_url": node["url"],
                "updated_at": node["updatedAt"],
                "closed_at": node["closedAt"],
                "merged_at": node["mergedAt"],
                "merged": merged,
                "merge_commit_sha": (node.get("mergeCommit") or {}).get("oid"),
                "merged_by": _user(node.get("mergedBy"), bot_login) if merged else None,
            }
        )
        pulls.append(pull)
        twins.append(issue_twin(pull, target.ids.next("issue"), full_name))
        commits[number] = _commits(full_name, node)
        reviews[number] = [
            review_item(
                full_name,
                pull,
                {
                    "id": int(review["databaseId"]),
                    "user": _user(review["author"], bot_login),
                    "state": review["state"],
                    "submitted_at": review["submittedAt"],
                    "body": review.get("body") or "",
                },
            )
            for review in sorted(node["reviews"]["nodes"], key=lambda r: r["submittedAt"])
        ]
    repo = GitHubRepo(
        full_name=full_name,
        id=obj["id"],
        default_branch="main",
        obj=obj,
        pulls=pulls,
        issues=twins,
        pull_commits=commits,
        pull_reviews=reviews,
    )
    target.attach(repo)
    return target
