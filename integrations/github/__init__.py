"""GitHub REST integration: :class:`GitHubClient` and the typed records it returns."""

from integrations.github.client import GitHubClient
from integrations.github.records import (
    CommitRecord,
    DeploymentRecord,
    DeploymentStatusRecord,
    IssueRecord,
    PullRequestRecord,
    ReleaseRecord,
    RepoRecord,
    TagRecord,
)

__all__ = [
    "CommitRecord",
    "DeploymentRecord",
    "DeploymentStatusRecord",
    "GitHubClient",
    "IssueRecord",
    "PullRequestRecord",
    "ReleaseRecord",
    "RepoRecord",
    "TagRecord",
]
