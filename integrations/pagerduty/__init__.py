"""PagerDuty REST v2 client (Django-free)."""

from integrations.pagerduty.client import MAX_WINDOW, OFFSET_CAP, PagerDutyClient
from integrations.pagerduty.records import IncidentRecord, ServiceRecord, parse_incident

__all__ = [
    "MAX_WINDOW",
    "OFFSET_CAP",
    "IncidentRecord",
    "PagerDutyClient",
    "ServiceRecord",
    "parse_incident",
]
