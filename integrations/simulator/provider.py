"""The interface a simulated upstream (GitHub, Jira, PagerDuty, ...) implements.

The server owns sockets, the request log and fault rules; a provider owns its URL space, its
auth scheme, its rate-limit headers and the exact error bodies its real counterpart sends.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

from integrations.simulator.faults import FaultRule, generic_fault
from integrations.simulator.messages import Request, Response


class Provider(ABC):
    """Base class of a simulated upstream API served by `Simulator`."""

    #: Short name ("github", "jira", ...), used in logs and `Simulator.providers`.
    name: str = ""

    @abstractmethod
    def owns(self, path: str) -> bool:
        """True when this provider serves `path` (paths of all providers must not overlap)."""

    @abstractmethod
    def handle(self, request: Request) -> Response:
        """Answer a request as the real API would (auth, limits, routing, caching)."""

    def fault_response(self, rule: FaultRule, request: Request) -> Response:
        """Answer a request that a fault rule replaces; override for provider-specific bodies
        and headers (e.g. rate-limit headers on an injected 429)."""
        return generic_fault(rule)
