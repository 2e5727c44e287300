"""Builders for GitHub's delivery objects: releases, tags, tag commits, deployments, statuses.

Tag and commit shapes follow the recorded tests/fixtures/github/tags.json and tag_commits.json
(`GET /repos/{o}/{r}/tags` and `GET /repos/{o}/{r}/commits/{sha}` without `stats`/`files`).
"""

from __future__ import annotations

from integrations.simulator.github.objects import API, WEB, JSONDict, node_id

PRODUCTION_PREFIXES = ("production", "prod-")


def release_obj(full_name: str, release_id: int, fields: JSONDict) -> JSONDict:
    """A `GET /releases` item. `fields`: tag_name, name, target_commitish, draft, prerelease,
    created_at (ISO), published_at (ISO or None for drafts), author (user object), body."""
    url, tag = f"{API}/repos/{full_name}/releases/{release_id}", fields["tag_name"]
    return {
        "url": url,
        "assets_url": f"{url}/assets",
        "upload_url": f"https://uploads.github.com/repos/{full_name}/releases/{release_id}"
        "/assets{?name,label}",
        "html_url": f"{WEB}/{full_name}/releases/tag/{tag}",
        "id": release_id,
        "author": fields["author"],
        "node_id": node_id("Release", release_id),
        "tag_name": tag,
        "target_commitish": fields["target_commitish"],
        "name": fields["name"],
        "draft": fields["draft"],
        "prerelease": fields["prerelease"],
        "created_at": fields["created_at"],
        "published_at": fields["published_at"],
        "assets": [],
        "tarball_url": f"{API}/repos/{full_name}/tarball/{tag}",
        "zipball_url": f"{API}/repos/{full_name}/zipball/{tag}",
        "body": fields["body"],
    }


def tag_obj(full_name: str, name: str, sha: str) -> JSONDict:
    """A `GET /tags` item (same keys as the recorded tags.json)."""
    return {
        "name": name,
        "zipball_url": f"{API}/repos/{full_name}/zipball/refs/tags/{name}",
        "tarball_url": f"{API}/repos/{full_name}/tarball/refs/tags/{name}",
        "commit": {"sha": sha, "url": f"{API}/repos/{full_name}/commits/{sha}"},
        "node_id": node_id("Ref", int(sha[:8], 16)),
    }


def commit_obj(full_name: str, sha: str, fields: JSONDict) -> JSONDict:
    """A `GET /commits/{sha}` object. `fields`: author_name, committer_name, authored_at,
    committed_at (ISO), message, parents (list of shas)."""
    url = f"{API}/repos/{full_name}/commits/{sha}"
    return {
        "sha": sha,
        "node_id": node_id("Commit", int(sha[:8], 16)),
        "commit": {
            "author": {"name": fields["author_name"], "email": "", "date": fields["authored_at"]},
            "committer": {
                "name": fields["committer_name"],
                "email": "",
                "date": fields["committed_at"],
            },
            "message": fields["message"],
            "url": f"{API}/repos/{full_name}/git/commits/{sha}",
        },
        "url": url,
        "html_url": f"{WEB}/{full_name}/commit/{sha}",
        "parents": [
            {"sha": p, "url": f"{API}/repos/{full_name}/commits/{p}"} for p in fields["parents"]
        ],
    }


def deployment_obj(full_name: str, deployment_id: int, fields: JSONDict) -> JSONDict:
    """A `GET /deployments` item. `fields`: sha, ref, environment, creator (user object),
    created_at (ISO), description."""
    url = f"{API}/repos/{full_name}/deployments/{deployment_id}"
    environment = fields["environment"]
    return {
        "url": url,
        "id": deployment_id,
        "node_id": node_id("Deployment", deployment_id),
        "sha": fields["sha"],
        "ref": fields["ref"],
        "task": "deploy",
        "payload": {},
        "original_environment": environment,
        "environment": environment,
        "description": fields["description"],
        "creator": fields["creator"],
        "created_at": fields["created_at"],
        "updated_at": fields["created_at"],
        "statuses_url": f"{url}/statuses",
        "repository_url": f"{API}/repos/{full_name}",
        "transient_environment": False,
        "production_environment": environment.startswith(PRODUCTION_PREFIXES),
    }


def deployment_status_obj(
    deployment: JSONDict, status_id: int, state: str, created_at: str
) -> JSONDict:
    """A `GET /deployments/{id}/statuses` item; `state` is one of error, failure, inactive,
    in_progress, queued, pending, success."""
    return {
        "url": f"{deployment['url']}/statuses/{status_id}",
        "id": status_id,
        "node_id": node_id("DeploymentStatus", status_id),
        "state": state,
        "creator": deployment["creator"],
        "description": "",
        "environment": deployment["environment"],
        "target_url": "",
        "created_at": created_at,
        "updated_at": created_at,
        "deployment_url": deployment["url"],
        "repository_url": deployment["repository_url"],
        "environment_url": "",
        "log_url": "",
    }
