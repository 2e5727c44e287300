"""Simulated GitHub REST API: world model, generator, recorded-data loader and provider."""

from integrations.simulator.github.generate import generate_github_world
from integrations.simulator.github.provider import GitHubProvider
from integrations.simulator.github.recorded import load_recorded_github
from integrations.simulator.github.recorded_graphql import load_graphql_pulls
from integrations.simulator.github.world import GitHubRepo, GitHubWorld

__all__ = [
    "GitHubProvider",
    "GitHubRepo",
    "GitHubWorld",
    "generate_github_world",
    "load_graphql_pulls",
    "load_recorded_github",
]
