"""Helpers that change a simulated pull request's detail between syncs (mixed into
`GitHubRepo` through `RepoMutations`): mark a draft ready, submit a review, set commits or
files outright. Each moves the pull request's `updated_at` unless told not to."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from integrations.simulator.github.detail import ready_event, review_item
from integrations.simulator.github.objects import JSONDict, iso, user_obj


def _stamp(at: datetime | None) -> str:
    return iso(at or datetime.now(UTC))


class PullDetailMutations:
    """See `GitHubRepo` for the attributes used here."""

    full_name: str
    lock: Any
    pull_commits: dict[int, list[JSONDict]]
    pull_reviews: dict[int, list[JSONDict]]
    pull_files: dict[int, list[JSONDict]]
    pull_events: dict[int, list[JSONDict]]

    def reviews_of(self, number: int) -> list[JSONDict]:
        raise NotImplementedError  # GitHubRepo

    def _pull_or_raise(self, number: int) -> JSONDict:
        raise NotImplementedError  # RepoMutations

    def _touch_pull(self, pull: JSONDict, stamp: str) -> JSONDict:
        raise NotImplementedError  # RepoMutations

    def mark_ready(
        self, number: int, *, at: datetime | None = None, touch: bool = True
    ) -> JSONDict:
        """Mark draft pull request `number` ready for review (a timeline event)."""
        with self.lock:
            pull, stamp = self._pull_or_raise(number), _stamp(at)
            pull["draft"] = False
            self.pull_events.setdefault(number, []).append(ready_event(pull, stamp))
            return self._touch_pull(pull, stamp) if touch else pull

    def add_review(
        self,
        number: int,
        *,
        reviewer: str,
        state: str = "APPROVED",
        at: datetime | None = None,
        reviewer_type: str = "User",
    ) -> JSONDict:
        """Submit a review on pull request `number` (its reviews are stored from then on)."""
        with self.lock:
            pull, stamp = self._pull_or_raise(number), _stamp(at)
            reviews = self.pull_reviews.setdefault(number, list(self.reviews_of(number)))
            fields = {
                "id": pull["id"] * 4 + len(reviews) + 100,
                "user": user_obj(reviewer, reviewer_type) if reviewer else None,
                "state": state,
                "submitted_at": stamp,
                "body": "",
            }
            reviews.append(review_item(self.full_name, pull, fields))
            self._touch_pull(pull, stamp)
            return reviews[-1]

    def set_pull_detail(
        self,
        number: int,
        *,
        commits: list[JSONDict] | None = None,
        files: list[JSONDict] | None = None,
        at: datetime | None = None,
    ) -> JSONDict:
        """Replace the commits and/or files of pull request `number` (REST items, see
        `detail.commit_item` / `detail.file_item`); `commits`/`changed_files`/`additions`/
        `deletions` of the pull request follow."""
        with self.lock:
            pull = self._pull_or_raise(number)
            if commits is not None:
                self.pull_commits[number] = commits
                pull["commits"] = len(commits)
            if files is not None:
                self.pull_files[number] = files
                pull["changed_files"] = len(files)
                pull["additions"] = sum(f["additions"] for f in files)
                pull["deletions"] = sum(f["deletions"] for f in files)
            return self._touch_pull(pull, _stamp(at))
