"""Quality records: issues of a code host's repos (GitHub, GitLab; never pull requests) and Jira
issues. Which of them are bugs,
known or not, and of what impact is decided at compute time from the config
(docs/metrics.md#unanticipated-bugs), so a config change needs no re-sync."""

from django.db import models

from apps.core.fields import provider_field
from apps.organization.models import JiraProject, Repo, Source


class Issue(models.Model):
    """An issue of a repo on its code host (`provider`), keyed by the host's id within the repo."""

    repo = models.ForeignKey(Repo, on_delete=models.CASCADE, related_name="issues")
    provider = provider_field()
    external_id = models.BigIntegerField()
    number = models.PositiveIntegerField()
    title = models.TextField(blank=True)
    state = models.CharField(max_length=16)
    # How it was closed: completed, not_planned, duplicate (or reopened); "" when none given.
    state_reason = models.CharField(max_length=32, blank=True)
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
            models.UniqueConstraint(fields=["repo", "number"], name="issue_unique_per_repo"),
            models.UniqueConstraint(
                fields=["repo", "external_id"], name="issue_external_id_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.repo}#{self.number}"


class JiraIssue(models.Model):
    """A Jira issue of a configured project, as the site names things (type, priority, status
    and resolution names may be localised; `status_category` is the language-independent key
    new / indeterminate / done). Account ids, never e-mails, identify people."""

    # The source kind (and identity kind) these rows come from: Jira's own model, so its name is
    # said here once, and the `kind` of its work and bug records (docs/api.md).
    PROVIDER = "jira"

    # No index of its own: the unique (source, jira_id) index serves source lookups, and a
    # second one misled PostgreSQL into scanning a whole source per synced page when the table
    # had no statistics yet (benchmarks/scale_org.py, docs/performance.md).
    source = models.ForeignKey(
        Source, on_delete=models.CASCADE, related_name="jira_issues", db_index=False
    )
    project = models.ForeignKey(JiraProject, on_delete=models.CASCADE, related_name="issues")
    jira_id = models.BigIntegerField()
    key = models.CharField(max_length=60, db_index=True)
    summary = models.TextField(blank=True)
    issue_type = models.CharField(max_length=200)
    issue_type_id = models.CharField(max_length=50, blank=True)
    subtask = models.BooleanField(default=False)
    priority = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=200, blank=True)
    status_category = models.CharField(max_length=32, blank=True)
    resolution = models.CharField(max_length=200, blank=True)
    resolution_date = models.DateTimeField(null=True, blank=True)
    # When it last entered its status category (Jira `statuscategorychangedate`): the resolution
    # instant of an issue moved to a done status without a resolution (docs/metrics.md).
    status_category_changed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    assignee_id = models.CharField(max_length=200, blank=True, help_text="Jira accountId")
    assignee_name = models.CharField(max_length=300, blank=True)
    reporter_id = models.CharField(max_length=200, blank=True, help_text="Jira accountId")
    reporter_name = models.CharField(max_length=300, blank=True)
    labels = models.JSONField(default=list, blank=True)
    story_points = models.FloatField(null=True, blank=True)

    class Meta:
        verbose_name = "Jira issue"
        ordering = ["key"]
        constraints = [
            models.UniqueConstraint(fields=["source", "jira_id"], name="jira_issue_unique")
        ]

    def __str__(self) -> str:
        return self.key
