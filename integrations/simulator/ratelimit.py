"""Fixed-window request budgets, one per credential (thread-safe).

GitHub's primary limit is such a budget (5000 requests per hour per token, the window starting
with the first request); other providers can reuse it with their own numbers and headers.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class BudgetState:
    """Where one credential stands: `limit`, `used` and `remaining` requests in the window that
    ends at `reset` (Unix epoch seconds, integer)."""

    limit: int
    used: int
    reset: int

    @property
    def remaining(self) -> int:
        """Requests left in the window (never negative)."""
        return max(0, self.limit - self.used)


class RateBudget:
    """`limit` requests per `window` seconds for each key (token).

    `clock` returns epoch seconds (injectable so tests can move time).
    """

    def __init__(
        self, limit: int = 5000, window: float = 3600.0, clock: Callable[[], float] = time.time
    ) -> None:
        self.limit = limit
        self.window = window
        self._clock = clock
        self._lock = threading.Lock()
        self._windows: dict[str, tuple[float, int]] = {}  # key -> (window start, used)

    def peek(self, key: str) -> BudgetState:
        """The current state for `key` without spending anything."""
        with self._lock:
            start, used = self._current(key)
            return self._state(start, used)

    def spend(self, key: str, amount: int = 1) -> BudgetState:
        """Count `amount` (one request, or a GraphQL query's points) for `key`, even past the
        limit, and return the new state."""
        with self._lock:
            start, used = self._current(key)
            self._windows[key] = (start, used + amount)
            return self._state(start, used + amount)

    def set_used(self, key: str, used: int) -> None:
        """Jump the counter of `key` (e.g. to test exhaustion without thousands of requests)."""
        with self._lock:
            start, _ = self._current(key)
            self._windows[key] = (start, used)

    def reset(self) -> None:
        """Forget every window."""
        with self._lock:
            self._windows.clear()

    def _current(self, key: str) -> tuple[float, int]:
        now = self._clock()
        start, used = self._windows.get(key, (now, 0))
        if now >= start + self.window:
            start, used = now, 0
        self._windows[key] = (start, used)
        return start, used

    def _state(self, start: float, used: int) -> BudgetState:
        return BudgetState(
            limit=self.limit, used=min(used, self.limit), reset=int(start + self.window)
        )
