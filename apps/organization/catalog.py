"""What the config needs to know about metrics, filled in by the metric store.

The organisation sits below the metric registry (apps.metrics.registry), so it cannot import it:
`apps.metrics` registers a lookup here from its AppConfig.ready() (the same arrangement as the
metric families). The config's `goals` and `alerts` ask it whether a metric exists, which
scopes it has and whether higher is better (docs/configuration.md#goals).
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class MetricFacts:
    """A metric as the config sees it: whether higher is better (`up`, `down`, `none`) and its
    scopes."""

    better: str
    scopes: tuple[str, ...]


MetricLookup = Callable[[str], MetricFacts | None]
_LOOKUP: list[MetricLookup] = []


def metric_lookup_register(lookup: MetricLookup) -> None:
    """Set the function that describes a metric by name (None when unknown)."""
    _LOOKUP[:] = [lookup]


def metric_facts(name: str) -> MetricFacts | None:
    """The facts of metric `name`, or None when it is unknown. Before any lookup is registered
    (a schema used without Django apps), every name is accepted with no direction."""
    if not _LOOKUP:
        return MetricFacts(better="", scopes=())
    return _LOOKUP[0](name)


def metric_error(name: str, *, needs_direction: bool = False) -> str | None:
    """Why metric `name` cannot be used (unknown; or, for a goal, no direction), or None."""
    facts = metric_facts(name)
    if facts is None:
        return f"unknown metric '{name}' (see GET /api/v1/metrics/catalog/)"
    if needs_direction and facts.better == "none":
        return (
            f"metric '{name}' has no direction (better: none), so a target can be neither met "
            "nor missed"
        )
    return None
