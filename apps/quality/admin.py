"""Admin: synced Jira issues and repo issues (read-only; the sync writes them), and above the Jira
issue list the identities seen in the data that match no person, to map under People."""

from django.contrib import admin
from django.http import HttpRequest, HttpResponse

from apps.core.admin_base import ReadOnlyAdmin
from apps.quality.identities import identities_unmatched, jira_names_unmapped
from apps.quality.models import Issue, JiraIssue


@admin.register(JiraIssue)
class JiraIssueAdmin(ReadOnlyAdmin):
    list_display = (
        "key",
        "issue_type",
        "priority",
        "status",
        "status_category",
        "resolution",
        "resolution_date",
        "assignee_name",
        "story_points",
    )
    list_filter = ("project", "issue_type", "status_category", "subtask")
    search_fields = ("key", "summary", "assignee_name", "assignee_id")

    def changelist_view(
        self, request: HttpRequest, extra_context: dict | None = None
    ) -> HttpResponse:
        extra = {"unmatched": identities_unmatched()[:100], "unmapped": jira_names_unmapped()}
        return super().changelist_view(request, {**(extra_context or {}), **extra})


@admin.register(Issue)
class IssueAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "title", "state", "user_login", "created_at", "closed_at")
    list_filter = ("repo", "state")
    search_fields = ("title", "user_login")
