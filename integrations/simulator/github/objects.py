"""Builders for GitHub REST JSON objects (users, labels, repos, pulls, issues).

Shapes follow api.github.com (REST API version 2022-11-28) and the recorded payloads in
tests/fixtures/github: URLs point at https://api.github.com (the provider rewrites them to
the simulator's base URL on the wire), timestamps are ISO 8601 UTC with a `Z`, ids are integers.
Releases, tags, commits and deployments are in `objects_delivery.py`.
"""

from __future__ import annotations

import base64
import hashlib
import zlib
from datetime import UTC, datetime
from typing import Any

API = "https://api.github.com"
WEB = "https://github.com"
JSONDict = dict[str, Any]

KNOWN_USER_IDS = {"dependabot[bot]": 49699333, "github-actions[bot]": 41898282}
LABEL_COLORS = {
    "bug": "d73a4a",
    "enhancement": "a2eeef",
    "known-issue": "fbca04",
    "impact:high": "b60205",
    "impact:medium": "d93f0b",
    "impact:low": "0e8a16",
}
#: Keys `GET /pulls/{n}` has and the list endpoint `GET /pulls` does not.
PULL_DETAIL_KEYS = frozenset(
    {
        "merged",
        "mergeable",
        "rebaseable",
        "mergeable_state",
        "merged_by",
        "comments",
        "review_comments",
        "maintainer_can_modify",
        "commits",
        "additions",
        "deletions",
        "changed_files",
    }
)


def iso(moment: datetime) -> str:
    """`2024-01-31T12:00:05Z` (UTC, whole seconds) for an aware datetime."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_iso(text: str) -> datetime:
    """Aware UTC datetime from ISO 8601 (`Z`, offsets, fractions, or a bare date)."""
    moment = datetime.fromisoformat(text.replace("z", "Z"))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def node_id(kind: str, number: int) -> str:
    """Legacy global node id, e.g. `MDQ6VXNlcjE=` for ("User", 1)."""
    return base64.b64encode(f"0{len(kind)}:{kind}{number}".encode()).decode()


def fake_sha(*parts: object) -> str:
    """A stable 40-hex commit id derived from `parts`."""
    return hashlib.sha1(":".join(map(str, parts)).encode()).hexdigest()


def user_id(login: str) -> int:
    """Stable numeric id for a login (real ids for well-known bots)."""
    return KNOWN_USER_IDS.get(login, 1_000_000 + zlib.crc32(login.encode()) % 90_000_000)


def user_obj(login: str, kind: str = "User") -> JSONDict:
    """A simple-user object; `kind` is "User" or "Bot"."""
    uid = user_id(login)
    return {
        "login": login,
        "id": uid,
        "node_id": node_id(kind, uid),
        "avatar_url": f"https://avatars.githubusercontent.com/u/{uid}?v=4",
        "gravatar_id": "",
        "url": f"{API}/users/{login}",
        "html_url": f"{WEB}/{login}",
        "repos_url": f"{API}/users/{login}/repos",
        "type": kind,
        "site_admin": False,
    }


def label_obj(full_name: str, name: str, label_id: int) -> JSONDict:
    """A label object as embedded in issues and pulls."""
    return {
        "id": label_id,
        "node_id": node_id("Label", label_id),
        "url": f"{API}/repos/{full_name}/labels/{name}",
        "name": name,
        "color": LABEL_COLORS.get(name, "ededed"),
        "default": name in ("bug", "enhancement"),
        "description": None,
    }


def repo_obj(full_name: str, repo_id: int, default_branch: str, created_at: str) -> JSONDict:
    """The `GET /repos/{owner}/{repo}` object (the commonly used subset of its keys)."""
    owner, name = full_name.split("/", 1)
    url = f"{API}/repos/{full_name}"
    return {
        "id": repo_id,
        "node_id": node_id("Repository", repo_id),
        "name": name,
        "full_name": full_name,
        "private": True,
        "owner": user_obj(owner, "Organization"),
        "html_url": f"{WEB}/{full_name}",
        "description": None,
        "fork": False,
        "url": url,
        "pulls_url": f"{url}/pulls{{/number}}",
        "issues_url": f"{url}/issues{{/number}}",
        "releases_url": f"{url}/releases{{/id}}",
        "tags_url": f"{url}/tags",
        "deployments_url": f"{url}/deployments",
        "created_at": created_at,
        "updated_at": created_at,
        "pushed_at": created_at,
        "language": None,
        "archived": False,
        "disabled": False,
        "visibility": "private",
        "default_branch": default_branch,
    }


def branch_obj(repo: JSONDict, ref: str, sha: str, user: JSONDict) -> JSONDict:
    """The `head` / `base` object of a pull request."""
    return {"label": f"{user['login']}:{ref}", "ref": ref, "sha": sha, "user": user, "repo": repo}


def pull_obj(repo: JSONDict, number: int, pull_id: int, fields: JSONDict) -> JSONDict:
    """A full `GET /pulls/{n}` object of an open pull request.

    `fields`: title, body, user (user object), head_ref, created_at (ISO), labels (label objects),
    draft, additions, deletions, changed_files, commits.
    """
    full, url = repo["full_name"], f"{API}/repos/{repo['full_name']}"
    head_sha = fake_sha(full, number, "head")
    owner = repo["owner"]
    return {
        "url": f"{url}/pulls/{number}",
        "id": pull_id,
        "node_id": node_id("PullRequest", pull_id),
        "html_url": f"{WEB}/{full}/pull/{number}",
        "diff_url": f"{WEB}/{full}/pull/{number}.diff",
        "patch_url": f"{WEB}/{full}/pull/{number}.patch",
        "issue_url": f"{url}/issues/{number}",
        "number": number,
        "state": "open",
        "locked": False,
        "title": fields["title"],
        "user": fields["user"],
        "body": fields["body"],
        "created_at": fields["created_at"],
        "updated_at": fields["created_at"],
        "closed_at": None,
        "merged_at": None,
        "merge_commit_sha": None,
        "assignee": None,
        "assignees": [],
        "requested_reviewers": [],
        "requested_teams": [],
        "labels": list(fields["labels"]),
        "milestone": None,
        "draft": fields["draft"],
        "commits_url": f"{url}/pulls/{number}/commits",
        "review_comments_url": f"{url}/pulls/{number}/comments",
        "comments_url": f"{url}/issues/{number}/comments",
        "statuses_url": f"{url}/statuses/{head_sha}",
        "head": branch_obj(repo, fields["head_ref"], head_sha, fields["user"]),
        "base": branch_obj(repo, repo["default_branch"], fake_sha(full, number, "base"), owner),
        "author_association": "MEMBER",
        "auto_merge": None,
        "active_lock_reason": None,
        "merged": False,
        "mergeable": None,
        "rebaseable": None,
        "mergeable_state": "unknown",
        "merged_by": None,
        "comments": 0,
        "review_comments": 0,
        "maintainer_can_modify": False,
        "commits": fields["commits"],
        "additions": fields["additions"],
        "deletions": fields["deletions"],
        "changed_files": fields["changed_files"],
    }


def pull_list_view(pull: JSONDict) -> JSONDict:
    """The `GET /pulls` list item for a stored full pull (drops `PULL_DETAIL_KEYS`)."""
    return {key: value for key, value in pull.items() if key not in PULL_DETAIL_KEYS}


def issue_obj(full_name: str, number: int, issue_id: int, fields: JSONDict) -> JSONDict:
    """An open issue as `GET /issues` returns it.

    `fields`: title, body, user, labels, created_at (ISO).
    """
    url = f"{API}/repos/{full_name}/issues/{number}"
    return {
        "url": url,
        "repository_url": f"{API}/repos/{full_name}",
        "labels_url": f"{url}/labels{{/name}}",
        "comments_url": f"{url}/comments",
        "events_url": f"{url}/events",
        "html_url": f"{WEB}/{full_name}/issues/{number}",
        "id": issue_id,
        "node_id": node_id("Issue", issue_id),
        "number": number,
        "title": fields["title"],
        "user": fields["user"],
        "labels": list(fields["labels"]),
        "state": "open",
        "locked": False,
        "assignee": None,
        "assignees": [],
        "milestone": None,
        "comments": 0,
        "created_at": fields["created_at"],
        "updated_at": fields["created_at"],
        "closed_at": None,
        "author_association": "MEMBER",
        "active_lock_reason": None,
        "body": fields["body"],
        "timeline_url": f"{url}/timeline",
        "performed_via_github_app": None,
        "state_reason": None,
    }


def issue_twin(pull: JSONDict, issue_id: int, full_name: str) -> JSONDict:
    """The issue-endpoint view of a pull request: an issue with a `pull_request` key."""
    twin = issue_obj(full_name, pull["number"], issue_id, pull)
    twin["html_url"] = pull["html_url"]
    twin["draft"] = pull["draft"]
    twin["pull_request"] = {
        "url": pull["url"],
        "html_url": pull["html_url"],
        "diff_url": pull["diff_url"],
        "patch_url": pull["patch_url"],
        "merged_at": pull["merged_at"],
    }
    sync_twin(twin, pull)
    return twin


def sync_twin(twin: JSONDict, pull: JSONDict) -> None:
    """Copy the fields a pull request shares with its issue view onto `twin` (in place)."""
    for key in ("title", "body", "state", "labels", "updated_at", "closed_at", "draft"):
        twin[key] = pull[key]
    twin["pull_request"]["merged_at"] = pull["merged_at"]
