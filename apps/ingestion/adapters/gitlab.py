"""GitLab as a source: projects (Keel's repos) with their merge requests (pull requests, with
approvals as reviews), releases, tags, deployments and issues (apps.ingestion.gitlab_sync over
integrations.gitlab), people by username. No webhook route yet: GitLab sources are synced on
the schedule.
"""

from apps.ingestion.gitlab_sync import gitlab_client_build, gitlab_source_sync
from apps.organization.sources import IdentityKind, RecordLinks, SourceAdapter, source_register

KIND = "gitlab"


def gitlab_web_url(base_url: str) -> str:
    """The web address of an API base URL: https://gitlab.com/api/v4 → https://gitlab.com (a
    self-managed instance's HOST/api/v4 → HOST)."""
    return base_url.rstrip("/").removesuffix("/api/v4")


ADAPTER = source_register(
    SourceAdapter(
        kind=KIND,
        label="GitLab",
        roles=frozenset({"code", "issues"}),
        default_base_url="https://gitlab.com/api/v4",
        config_keys=("repos",),
        scope_noun="project",
        scope_relation="repos",
        # GitLab usernames are case-insensitive.
        identity=IdentityKind(KIND, "GitLab", "gitlab username", case_insensitive=True),
        web_url=gitlab_web_url,
        web_hosts=("gitlab.com",),
        # GitLab: https://docs.gitlab.com/ee/user/project/repository/tags/ and
        # https://docs.gitlab.com/ee/ci/environments/ (a project's environments page).
        links=RecordLinks(
            tag=lambda repo_url, name: f"{repo_url}/-/tags/{name}",
            deployment=lambda repo_url, environment: f"{repo_url}/-/environments",
        ),
        sync=gitlab_source_sync,
        client_build=gitlab_client_build,
    )
)
