from django.apps import AppConfig


class QualityConfig(AppConfig):
    name = "apps.quality"
    label = "quality"

    def ready(self) -> None:
        from apps.delivery.customers import issue_resolved_register
        from apps.delivery.story_points import story_points_register
        from apps.quality import bug_load_metrics, metrics
        from apps.quality.models import JiraIssue
        from apps.quality.selectors import jira_issue_resolved, pulls_points_map

        metrics.register()
        bug_load_metrics.register()
        # Delivery points count the story points of the Jira issue a PR belongs to.
        story_points_register(name=JiraIssue.PROVIDER, lookup=pulls_points_map)
        # A customer's Jira go-live is when its issue was resolved.
        issue_resolved_register(name=JiraIssue.PROVIDER, lookup=jira_issue_resolved)
