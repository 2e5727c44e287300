"""Simulated GitLab REST API v4: world model, generator, recorded-data loader and provider."""

from integrations.simulator.gitlab.generate import generate_gitlab_world
from integrations.simulator.gitlab.provider import GitLabProvider
from integrations.simulator.gitlab.recorded import load_recorded_gitlab
from integrations.simulator.gitlab.world import GitLabProject, GitLabWorld

__all__ = [
    "GitLabProject",
    "GitLabProvider",
    "GitLabWorld",
    "generate_gitlab_world",
    "load_recorded_gitlab",
]
