"""Shared HTTP machinery for provider clients (see :mod:`integrations.http.client`)."""

from integrations.http.client import BaseClient
from integrations.http.retry import RETRY_STATUSES, CountingRetry, retry_after_seconds
from integrations.http.types import ClientOptions, ClientStats, OnRequest, Page, Sleep

__all__ = [
    "RETRY_STATUSES",
    "BaseClient",
    "ClientOptions",
    "ClientStats",
    "CountingRetry",
    "OnRequest",
    "Page",
    "Sleep",
    "retry_after_seconds",
]
