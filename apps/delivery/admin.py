"""Admin: the delivery records behind release_frequency and delivery_points."""

from django.contrib import admin

from apps.core.admin_base import ReadOnlyAdmin
from apps.delivery.models import Deployment, PullRequest, Release, Tag


@admin.register(PullRequest)
class PullRequestAdmin(ReadOnlyAdmin):
    list_display = (
        "__str__",
        "title",
        "user_login",
        "state",
        "merged_at",
        "additions",
        "deletions",
    )
    list_filter = ("repo", "state")
    search_fields = ("title", "user_login", "head_ref")
    date_hierarchy = "merged_at"


@admin.register(Release)
class ReleaseAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "name", "draft", "prerelease", "published_at")
    list_filter = ("repo", "draft", "prerelease")


@admin.register(Tag)
class TagAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "sha", "committed_at")
    list_filter = ("repo",)
    search_fields = ("name",)


@admin.register(Deployment)
class DeploymentAdmin(ReadOnlyAdmin):
    list_display = ("__str__", "environment", "created_at", "first_success_at")
    list_filter = ("repo", "environment")
