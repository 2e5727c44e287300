"""Keel's own upstream simulator: real-shaped provider APIs on a loopback HTTP server.

One package per provider (`github/`, `gitlab/`, `jira/`, `pagerduty/`) on a shared core:
`server.py` (sockets, request log, fault dispatch), `faults.py`, `ratelimit.py`, `messages.py`,
`provider.py` (the interface a provider implements). Django-free; standard library only.

    world = generate_github_world(seed=1, repos=3, pulls=300, issues=100, releases=20)
    with Simulator(github=world, token="sekret") as sim:
        sim.faults.add(FaultRule(path=r"/pulls", status=429, retry_after=1))
        requests.get(f"{sim.base_url}/repos/acme/api/pulls", headers={...})
"""

from integrations.simulator.faults import FaultRule, FaultSet
from integrations.simulator.github import (
    GitHubProvider,
    GitHubRepo,
    GitHubWorld,
    generate_github_world,
    load_graphql_pulls,
    load_recorded_github,
)
from integrations.simulator.gitlab import (
    GitLabProject,
    GitLabProvider,
    GitLabWorld,
    generate_gitlab_world,
    load_recorded_gitlab,
)
from integrations.simulator.provider import Provider
from integrations.simulator.server import RequestRecord, Simulator

__all__ = [
    "FaultRule",
    "FaultSet",
    "GitHubProvider",
    "GitHubRepo",
    "GitHubWorld",
    "GitLabProject",
    "GitLabProvider",
    "GitLabWorld",
    "Provider",
    "RequestRecord",
    "Simulator",
    "generate_github_world",
    "generate_gitlab_world",
    "load_graphql_pulls",
    "load_recorded_github",
    "load_recorded_gitlab",
]
