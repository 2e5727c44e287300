"""Delivery records as GitHub gives them: pull requests, releases, tags, deployments.

What counts as a *release* depends on the repo's `release_source` and regexes
(docs/metrics.md#release_frequency) and is derived at compute time (apps.delivery.selectors), so
changing the config needs no re-sync. All timestamps are aware UTC.
"""

from django.db import models

from apps.organization.models import Repo


class PullRequest(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="pull_requests")
    github_id = models.BigIntegerField(unique=True)
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
    # From GET /pulls/{n}, fetched once per merged PR (a merged PR's size never changes).
    additions = models.PositiveIntegerField(null=True, blank=True)
    deletions = models.PositiveIntegerField(null=True, blank=True)
    # Jira-key-shaped tokens of the title, then of the head branch, in order, without repeats
    # (apps.delivery.links.pull_refs): the PR's Jira issue is the first that names a synced
    # issue. Stored so a recompute can find the PRs of given issues in SQL (GIN on PostgreSQL).
    issue_refs = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["repo", "number"]
        constraints = [
            models.UniqueConstraint(fields=["repo", "number"], name="pr_unique_per_repo")
        ]
        indexes = [models.Index(fields=["repo", "merged_at"])]

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"


class GitHubRelease(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="github_releases")
    github_id = models.BigIntegerField(unique=True)
    tag_name = models.CharField(max_length=300)
    name = models.CharField(max_length=500, blank=True)
    draft = models.BooleanField(default=False)
    prerelease = models.BooleanField(default=False)
    created_at = models.DateTimeField(null=True, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    html_url = models.URLField(max_length=500, blank=True)

    class Meta:
        ordering = ["repo", "published_at"]

    def __str__(self) -> str:
        return f"{self.repo}@{self.tag_name}"


class Tag(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="tags")
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
    github_id = models.BigIntegerField(unique=True)
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

    def __str__(self) -> str:
        return f"{self.repo}:{self.environment}#{self.github_id}"
