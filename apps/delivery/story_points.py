"""Story points of the work a pull request belongs to, for `delivery_points` (points first,
else size buckets: docs/metrics.md#delivery_points).

Delivery does not sync work items: the app that does (quality, for Jira issues) registers a
lookup from its `AppConfig.ready()` with `story_points_register`, so delivery never imports it.
A lookup takes the Jira-key-shaped tokens of some PRs and returns {key: story points or None}
for the keys it knows. Without a lookup no PR has an issue key, and every release is counted by
size buckets.
"""

from collections.abc import Callable, Mapping

import pandas as pd

from apps.delivery.links import jira_keys, pulls_issue_points

PointsLookup = Callable[[frozenset[str]], Mapping[str, float | None]]
_LOOKUPS: dict[str, PointsLookup] = {}


def story_points_register(*, name: str, lookup: PointsLookup) -> None:
    """Add (or replace) the lookup called `name`."""
    _LOOKUPS[name] = lookup


def story_points_map(keys: frozenset[str]) -> dict[str, float | None]:
    """{key: story points or None} of every key of `keys` a registered lookup knows."""
    found: dict[str, float | None] = {}
    for lookup in _LOOKUPS.values():
        found |= lookup(keys)
    return found


def _pull_keys(pulls: pd.DataFrame) -> frozenset[str]:
    """Every Jira-key-shaped token in the PRs' titles and head branches."""
    texts = pulls["title"].fillna("").astype(str) + " " + pulls["head_ref"].fillna("").astype(str)
    return frozenset(key for text in texts for key in jira_keys(text))


def pulls_with_issue_points(pulls: pd.DataFrame) -> pd.DataFrame:
    """A pulls frame (with title and head_ref) plus issue_key and story_points
    (apps.delivery.links.pulls_issue_points) from the registered lookups."""
    return pulls_issue_points(pulls, pulls["head_ref"], story_points_map(_pull_keys(pulls)))
