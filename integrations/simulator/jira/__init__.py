"""The simulated Jira Cloud site (REST v3)."""

from integrations.simulator.jira.provider import JiraProvider
from integrations.simulator.jira.world import (
    STORY_POINTS_FIELD,
    JiraWorld,
    generate_jira_world,
    jira_time,
    load_recorded_jira,
    make_issue,
)

__all__ = [
    "STORY_POINTS_FIELD",
    "JiraProvider",
    "JiraWorld",
    "generate_jira_world",
    "jira_time",
    "load_recorded_jira",
    "make_issue",
]
