"""Delivery records of a code host (GitHub, GitLab...): pull requests (GitLab's merge requests),
releases, tags, deployments. Records are provider-neutral: `provider` names the source kind that
wrote the row and `external_id` is the host's own id, unique within the row's repo.

What counts as a *release* depends on the repo's `release_source` and regexes
(docs/metrics.md#release_frequency) and is derived at compute time (apps.delivery.selectors), so
changing the config needs no re-sync. All timestamps are aware UTC.
"""

from django.db import models

from apps.core.fields import provider_field
from apps.organization.models import Repo


class PullRequest(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="pull_requests")
    provider = provider_field()
    # The host's id of the pull / merge request (not its number), unique within the repo.
    external_id = models.BigIntegerField()
    number = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    body = models.TextField(blank=True)
    state = models.CharField(max_length=16)
    user_login = models.CharField(max_length=200, blank=True)
    user_type = models.CharField(max_length=32, blank=True)
    head_ref = models.CharField(max_length=500, blank=True)
    labels = models.JSONField(default=list, blank=True)
    html_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_at = models.DateTimeField(null=True, blank=True)
    # The pull request's detail, read with it (GraphQL) or from GET /pulls/{n} and its lists
    # (REST): null only on rows stored before detail was synced.
    additions = models.PositiveIntegerField(null=True, blank=True)
    deletions = models.PositiveIntegerField(null=True, blank=True)
    changed_files = models.PositiveIntegerField(null=True, blank=True)
    # GitHub's count of the PR's commits; at most 250 of them are listed (PullRequestCommit).
    commits_count = models.PositiveIntegerField(null=True, blank=True)
    is_draft = models.BooleanField(default=False)
    # The first time a draft was marked ready for review; null when it never was a draft.
    ready_for_review_at = models.DateTimeField(null=True, blank=True)
    # The author is a GitHub App (`user_type` "Bot"); a deleted account is `ghost`, a user.
    user_is_bot = models.BooleanField(default=False)
    # Issues the PR closes when merged, as "owner/name#N", in GitHub's order.
    closing_issue_refs = models.JSONField(default=list, blank=True)
    # The merge commit of a merged PR ("" otherwise).
    merge_commit_sha = models.CharField(max_length=64, blank=True)
    # Jira-key-shaped tokens of the title, then of the head branch, in order, without repeats
    # (apps.delivery.links.pull_refs): the PR's Jira issue is the first that names a synced
    # issue. Stored so a recompute can find the PRs of given issues in SQL (GIN on PostgreSQL).
    issue_refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["repo", "number"]
        constraints = [
            models.UniqueConstraint(fields=["repo", "number"], name="pr_unique_per_repo"),
            models.UniqueConstraint(fields=["repo", "external_id"], name="pr_external_id_unique"),
        ]
        indexes = [models.Index(fields=["repo", "merged_at"])]

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"


class PullRequestCommit(models.Model):
    """A commit of a pull request, in the PR's order (`position` from 0); GitHub lists at most
    250 (`PullRequest.commits_count` is the true count). `author_login` is the GitHub user the
    commit's author e-mail belongs to, "" when none."""

    pull = models.ForeignKey(PullRequest, on_delete=models.CASCADE, related_name="commits")
    sha = models.CharField(max_length=64)
    position = models.PositiveIntegerField()
    message = models.TextField(blank=True)
    author_login = models.CharField(max_length=200, blank=True)
    authored_at = models.DateTimeField()
    committed_at = models.DateTimeField()

    class Meta:
        ordering = ["pull", "position"]
        constraints = [
            models.UniqueConstraint(fields=["pull", "sha"], name="pr_commit_unique_per_pull")
        ]

    def __str__(self) -> str:
        return f"{self.pull}@{self.sha[:12]}"


class PullRequestReview(models.Model):
    """A submitted review (pending ones are visible only to their author and never stored)."""

    pull = models.ForeignKey(PullRequest, on_delete=models.CASCADE, related_name="reviews")
    # The host's id of the review (GitHub review, GitLab approval or note), unique within the pull.
    external_id = models.BigIntegerField()
    state = models.CharField(max_length=32)
    author_login = models.CharField(max_length=200, blank=True)
    author_type = models.CharField(max_length=32, blank=True)
    submitted_at = models.DateTimeField()

    class Meta:
        ordering = ["pull", "submitted_at", "external_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["pull", "external_id"], name="pr_review_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.pull} {self.state} by {self.author_login}"


class PullRequestFile(models.Model):
    """A file a pull request changes, with its added and deleted lines."""

    pull = models.ForeignKey(PullRequest, on_delete=models.CASCADE, related_name="files")
    path = models.TextField()
    additions = models.PositiveIntegerField()
    deletions = models.PositiveIntegerField()

    class Meta:
        ordering = ["pull", "path"]
        constraints = [
            models.UniqueConstraint(fields=["pull", "path"], name="pr_file_unique_per_pull")
        ]

    def __str__(self) -> str:
        return f"{self.pull}:{self.path}"


class Release(models.Model):
    """A release the code host lists (GitHub releases, GitLab project releases)."""

    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="releases")
    provider = provider_field()
    external_id = models.BigIntegerField()
    tag_name = models.CharField(max_length=300)
    name = models.CharField(max_length=500, blank=True)
    draft = models.BooleanField(default=False)
    prerelease = models.BooleanField(default=False)
    created_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    html_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["repo", "published_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["repo", "external_id"], name="release_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.repo}@{self.tag_name}"


class Tag(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="tags")
    provider = provider_field()
    name = models.CharField(max_length=300)
    sha = models.CharField(max_length=64)
    # Committer date of the tagged commit, from GET /commits/{sha} (fetched once per sha).
    committed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["repo", "committed_at"]
        constraints = [models.UniqueConstraint(fields=["repo", "name"], name="tag_unique_per_repo")]

    def __str__(self) -> str:
        return f"{self.repo}@{self.name}"


class Deployment(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="deployments")
    provider = provider_field()
    external_id = models.BigIntegerField()
    environment = models.CharField(max_length=300)
    sha = models.CharField(max_length=64, blank=True)
    ref = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(null=True, blank=True)
    # created_at of the earliest status with state=success; null until there is one.
    first_success_at = models.DateTimeField(null=True, blank=True)
    statuses_synced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["repo", "created_at"]
        indexes = [models.Index(fields=["repo", "environment"])]
        constraints = [
            models.UniqueConstraint(
                fields=["repo", "external_id"], name="deployment_external_id_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.repo}:{self.environment}#{self.external_id}"
