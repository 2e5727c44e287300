"""Simulated PagerDuty REST API v2."""

from integrations.simulator.pagerduty.provider import PagerDutyProvider
from integrations.simulator.pagerduty.world import (
    PagerDutyWorld,
    generate_pagerduty_world,
    load_recorded,
)

__all__ = ["PagerDutyProvider", "PagerDutyWorld", "generate_pagerduty_world", "load_recorded"]
