"""Small helpers to change a simulated repository between syncs (mixed into `GitHubRepo`).

Every helper takes an optional `at` (aware datetime; default: now) that becomes the new
`updated_at`, so incremental syncs (`since`, `sort=updated`) and ETags see the change.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from integrations.simulator.github.detail_mutations import PullDetailMutations
from integrations.simulator.github.objects import (
    JSONDict,
    fake_sha,
    iso,
    issue_obj,
    issue_twin,
    label_obj,
    parse_iso,
    pull_obj,
    sync_twin,
    user_obj,
)
from integrations.simulator.github.objects_delivery import (
    commit_obj,
    deployment_obj,
    deployment_status_obj,
    release_obj,
    tag_obj,
)

if TYPE_CHECKING:
    from integrations.simulator.github.world import IdAllocator


def _stamp(at: datetime | None) -> str:
    return iso(at or datetime.now(UTC))


class RepoMutations(PullDetailMutations):
    """Mutation helpers of `GitHubRepo`; see that class for the attributes used here."""

    full_name: str
    default_branch: str
    obj: JSONDict
    pulls: list[JSONDict]
    issues: list[JSONDict]
    releases: list[JSONDict]
    tags: list[JSONDict]
    tag_commits: dict[str, JSONDict]
    deployments: list[JSONDict]
    deployment_statuses: dict[int, list[JSONDict]]
    labels: dict[str, JSONDict]
    ids: IdAllocator
    lock: Any
    _pulls_by_number: dict[int, JSONDict]
    _issues_by_number: dict[int, JSONDict]
    _deployments_by_id: dict[int, JSONDict]
    _last_number: int

    def label(self, name: str) -> JSONDict:
        """The repository's label object called `name` (created on first use)."""
        with self.lock:
            if name not in self.labels:
                self.labels[name] = label_obj(self.full_name, name, self.ids.next("label"))
            return self.labels[name]

    def add_pull(
        self,
        title: str,
        *,
        author: str = "octocat",
        author_type: str = "User",
        body: str | None = "",
        head_ref: str | None = None,
        labels: Iterable[str] = (),
        draft: bool = False,
        additions: int = 10,
        deletions: int = 2,
        changed_files: int | None = None,
        commits: int = 1,
        created_at: datetime | None = None,
    ) -> JSONDict:
        """Open a pull request (and its issue view) with the next number; returns the full PR."""
        with self.lock:
            self._last_number += 1
            number = self._last_number
            fields = {
                "title": title,
                "body": body,
                "user": user_obj(author, author_type),
                "head_ref": head_ref or f"{author}/change-{number}",
                "created_at": _stamp(created_at),
                "labels": [self.label(n) for n in labels],
                "draft": draft,
                "additions": additions,
                "deletions": deletions,
                "changed_files": changed_files or max(1, (additions + deletions) // 40),
                "commits": commits,
            }
            pull = pull_obj(self.obj, number, self.ids.next("pull", gap=3), fields)
            twin = issue_twin(pull, self.ids.next("issue", gap=3), self.full_name)
            self.pulls.append(pull)
            self.issues.append(twin)
            self._pulls_by_number[number] = pull
            self._issues_by_number[number] = twin
            return pull

    def merge_pull(
        self, number: int, *, at: datetime | None = None, merged_by: str | None = None
    ) -> JSONDict:
        """Merge pull request `number` (closes it, sets `merged_at`)."""
        with self.lock:
            pull, stamp = self._pull_or_raise(number), _stamp(at)
            pull.update(
                state="closed",
                closed_at=stamp,
                merged_at=stamp,
                merged=True,
                mergeable=None,
                mergeable_state="unknown",
                merge_commit_sha=fake_sha(self.full_name, number, "merge"),
                merged_by=user_obj(merged_by or pull["user"]["login"]),
            )
            if pull["draft"]:  # GitHub merges no draft: it was made ready for review first
                opened = parse_iso(pull["created_at"])
                self.mark_ready(number, at=opened + (parse_iso(stamp) - opened) / 2, touch=False)
            return self._touch_pull(pull, stamp)

    def close_pull(self, number: int, *, at: datetime | None = None) -> JSONDict:
        """Close pull request `number` without merging it."""
        with self.lock:
            pull, stamp = self._pull_or_raise(number), _stamp(at)
            pull.update(state="closed", closed_at=stamp)
            return self._touch_pull(pull, stamp)

    def reopen_pull(self, number: int, *, at: datetime | None = None) -> JSONDict:
        """Reopen a closed, unmerged pull request."""
        with self.lock:
            pull, stamp = self._pull_or_raise(number), _stamp(at)
            if pull["merged_at"]:
                raise ValueError(f"pull #{number} is merged and cannot be reopened")
            pull.update(state="open", closed_at=None)
            return self._touch_pull(pull, stamp)

    def edit_pull(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Iterable[str] | None = None,
        at: datetime | None = None,
    ) -> JSONDict:
        """Change the title, body and/or labels (names) of a pull request."""
        with self.lock:
            pull = self._pull_or_raise(number)
            self._edit(pull, title, body, labels)
            return self._touch_pull(pull, _stamp(at))

    def add_issue(
        self,
        title: str,
        *,
        author: str = "octocat",
        body: str | None = "",
        labels: Iterable[str] = (),
        created_at: datetime | None = None,
    ) -> JSONDict:
        """Open an issue with the next number and return it."""
        with self.lock:
            self._last_number += 1
            fields = {
                "title": title,
                "body": body,
                "user": user_obj(author),
                "labels": [self.label(n) for n in labels],
                "created_at": _stamp(created_at),
            }
            issue = issue_obj(
                self.full_name, self._last_number, self.ids.next("issue", gap=3), fields
            )
            self.issues.append(issue)
            self._issues_by_number[issue["number"]] = issue
            return issue

    def close_issue(
        self, number: int, *, at: datetime | None = None, state_reason: str = "completed"
    ) -> JSONDict:
        """Close issue `number` (`state_reason`: completed or not_planned)."""
        with self.lock:
            issue, stamp = self._issue_or_raise(number), _stamp(at)
            issue.update(
                state="closed", closed_at=stamp, updated_at=stamp, state_reason=state_reason
            )
            return issue

    def reopen_issue(self, number: int, *, at: datetime | None = None) -> JSONDict:
        """Reopen issue `number`."""
        with self.lock:
            issue, stamp = self._issue_or_raise(number), _stamp(at)
            issue.update(state="open", closed_at=None, updated_at=stamp, state_reason="reopened")
            return issue

    def edit_issue(
        self,
        number: int,
        *,
        title: str | None = None,
        body: str | None = None,
        labels: Iterable[str] | None = None,
        at: datetime | None = None,
    ) -> JSONDict:
        """Change the title, body and/or labels (names) of an issue."""
        with self.lock:
            issue = self._issue_or_raise(number)
            self._edit(issue, title, body, labels)
            issue["updated_at"] = _stamp(at)
            return issue

    def add_release(
        self,
        tag_name: str,
        *,
        name: str | None = None,
        draft: bool = False,
        prerelease: bool = False,
        created_at: datetime | None = None,
        published_at: datetime | None = None,
        author: str = "octocat",
        body: str = "",
    ) -> JSONDict:
        """Create a release; `published_at` defaults to `created_at` (None for drafts)."""
        with self.lock:
            created = _stamp(created_at)
            published = None if draft else (iso(published_at) if published_at else created)
            release = release_obj(
                self.full_name,
                self.ids.next("release", gap=5),
                {
                    "tag_name": tag_name,
                    "name": name or tag_name,
                    "draft": draft,
                    "target_commitish": self.default_branch,
                    "prerelease": prerelease,
                    "created_at": created,
                    "published_at": published,
                    "author": user_obj(author),
                    "body": body,
                },
            )
            self.releases.append(release)
            return release

    def add_tag(
        self,
        name: str,
        *,
        committed_at: datetime | None = None,
        message: str | None = None,
        author: str = "octocat",
    ) -> JSONDict:
        """Create a lightweight tag (newest first) and its commit (for `GET /commits/{sha}`)."""
        with self.lock:
            sha = fake_sha(self.full_name, "tag", name)
            parent = self.tags[0]["commit"]["sha"] if self.tags else fake_sha(self.full_name)
            stamp = _stamp(committed_at)
            self.tag_commits[sha] = commit_obj(
                self.full_name,
                sha,
                {
                    "author_name": author,
                    "committer_name": "GitHub",
                    "authored_at": stamp,
                    "committed_at": stamp,
                    "message": message or f"Release {name}",
                    "parents": [parent],
                },
            )
            tag = tag_obj(self.full_name, name, sha)
            self.tags.insert(0, tag)
            return tag

    def add_deployment(
        self,
        environment: str,
        *,
        created_at: datetime | None = None,
        ref: str | None = None,
        creator: str = "deploy-bot",
        description: str | None = None,
    ) -> JSONDict:
        """Create a deployment (no statuses yet) and return it."""
        with self.lock:
            deployment_id = self.ids.next("deployment", gap=11)
            deployment = deployment_obj(
                self.full_name,
                deployment_id,
                {
                    "sha": fake_sha(self.full_name, "deploy", deployment_id),
                    "ref": ref or self.default_branch,
                    "environment": environment,
                    "creator": user_obj(creator),
                    "created_at": _stamp(created_at),
                    "description": description,
                },
            )
            self.deployments.append(deployment)
            self.deployment_statuses[deployment_id] = []
            self._deployments_by_id[deployment_id] = deployment
            return deployment

    def add_deployment_status(
        self, deployment_id: int, state: str, *, at: datetime | None = None
    ) -> JSONDict:
        """Add a status (`in_progress`, `success`, `failure`, ...) to a deployment."""
        with self.lock:
            deployment = self._deployments_by_id.get(deployment_id)
            if deployment is None:
                raise KeyError(f"{self.full_name}: no deployment {deployment_id}")
            stamp = _stamp(at)
            status = deployment_status_obj(deployment, self.ids.next("status", gap=7), state, stamp)
            self.deployment_statuses.setdefault(deployment_id, []).append(status)
            deployment["updated_at"] = stamp
            return status

    def _edit(
        self, item: JSONDict, title: str | None, body: str | None, labels: Iterable[str] | None
    ) -> None:
        if title is not None:
            item["title"] = title
        if body is not None:
            item["body"] = body
        if labels is not None:
            item["labels"] = [self.label(n) for n in labels]

    def _touch_pull(self, pull: JSONDict, stamp: str) -> JSONDict:
        pull["updated_at"] = stamp
        twin = self._issues_by_number.get(pull["number"])
        if twin is not None and "pull_request" in twin:
            sync_twin(twin, pull)
        return pull

    def _pull_or_raise(self, number: int) -> JSONDict:
        pull = self._pulls_by_number.get(number)
        if pull is None:
            raise KeyError(f"{self.full_name}: no pull request #{number}")
        return pull

    def _issue_or_raise(self, number: int) -> JSONDict:
        issue = self._issues_by_number.get(number)
        if issue is None:
            raise KeyError(f"{self.full_name}: no issue #{number}")
        return issue
