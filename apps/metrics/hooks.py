"""What runs after the metric rows are recomputed by the Celery task (never by the web process).

Apps above the metric store register a hook from their AppConfig.ready() (apps.alerts
evaluates its rules); `apps.metrics.tasks.compute_metrics_task` calls every hook after the rows
are written. A failing hook is logged and does not fail the recompute.
"""

import logging
from collections.abc import Callable

logger = logging.getLogger(__name__)
_HOOKS: dict[str, Callable[[], object]] = {}


def after_recompute_register(name: str, hook: Callable[[], object]) -> None:
    """Call `hook()` after every recompute task (one per name; registering again replaces it)."""
    _HOOKS[name] = hook


def after_recompute_run() -> None:
    """Run every registered hook; an exception is logged, not raised."""
    for name, hook in list(_HOOKS.items()):
        try:
            hook()
        except Exception:
            logger.exception("after-recompute hook %s failed", name)
