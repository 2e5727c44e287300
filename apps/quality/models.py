"""Quality records: GitHub issues (never pull requests). Jira issues and bugs come with the
Jira issue (spec §5.3)."""

from django.db import models

from apps.organization.models import Repo


class GitHubIssue(models.Model):
    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="issues")
    github_id = models.BigIntegerField(unique=True)
    number = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    state = models.CharField(max_length=16)
    labels = models.JSONField(default=list, blank=True, help_text="label names")
    user_login = models.CharField(max_length=200, blank=True)
    assignee_login = models.CharField(max_length=200, blank=True)
    html_url = models.URLField(max_length=500, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["repo", "number"]
        constraints = [
            models.UniqueConstraint(fields=["repo", "number"], name="issue_unique_per_repo")
        ]

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"
