"""The shared base client, under the name the rest of Keel imports it by.

The implementation lives in :mod:`integrations.http` (split to keep modules under 300 lines).
"""

from integrations.http import (
    RETRY_STATUSES,
    BaseClient,
    ClientStats,
    CountingRetry,
    OnRequest,
    Page,
    Sleep,
)

__all__ = [
    "RETRY_STATUSES",
    "BaseClient",
    "ClientStats",
    "CountingRetry",
    "OnRequest",
    "Page",
    "Sleep",
]
