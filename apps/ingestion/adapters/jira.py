"""Jira as a source: the issues of configured projects with their types, priorities,
resolutions and story points (apps.ingestion.jira_sync over integrations.jira), people by
accountId. Jira sites have no default address (`base_url` is required) and take no webhooks:
Jira sources are synced on the schedule.
"""

from apps.ingestion.jira_sync import jira_client_build, jira_source_sync
from apps.organization.sources import IdentityKind, SourceAdapter, source_register

KIND = "jira"

ADAPTER = source_register(
    SourceAdapter(
        kind=KIND,
        label="Jira",
        roles=frozenset({"tracker"}),
        base_url_hint="https://SITE.atlassian.net",
        config_keys=("projects", "email_env", "story_points_field"),
        scope_noun="project",
        scope_relation="jira_projects",
        identity=IdentityKind(KIND, "Jira", "jira accountId"),
        web_hosts=("atlassian.net",),
        sync=jira_source_sync,
        client_build=jira_client_build,
    )
)
