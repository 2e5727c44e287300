"""GitLab REST v4 integration: :class:`GitLabClient` and the typed records it returns."""

from integrations.gitlab.client import DEFAULT_BASE_URL, GitLabClient, project_path
from integrations.gitlab.detail import (
    ApprovalRecord,
    ApprovalStateRecord,
    DiffFileRecord,
    MergeRequestCommitRecord,
    MergeRequestDetailRecord,
    NoteRecord,
)
from integrations.gitlab.records import (
    DeploymentRecord,
    IssueRecord,
    MergeRequestRecord,
    ProjectRecord,
    ReleaseRecord,
    TagRecord,
)
from integrations.gitlab.webhooks import gitlab_token_valid

__all__ = [
    "DEFAULT_BASE_URL",
    "ApprovalRecord",
    "ApprovalStateRecord",
    "DeploymentRecord",
    "DiffFileRecord",
    "GitLabClient",
    "IssueRecord",
    "MergeRequestCommitRecord",
    "MergeRequestDetailRecord",
    "MergeRequestRecord",
    "NoteRecord",
    "ProjectRecord",
    "ReleaseRecord",
    "TagRecord",
    "gitlab_token_valid",
    "project_path",
]
