"""Typed PagerDuty records parsed from REST v2 payloads (Django-free).

# PagerDuty: https://developer.pagerduty.com/api-reference/9d0b4b12e36f9-list-incidents
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from integrations.http.payloads import required_text


@dataclass(frozen=True)
class ServiceRecord:
    """A `GET /services` item: id and name."""

    id: str
    name: str


@dataclass(frozen=True)
class IncidentRecord:
    """One incident. Instants are aware UTC datetimes.

    `resolved_at` is the payload's `resolved_at` when present (newer payloads); otherwise, for an
    incident whose status is `resolved`, its `last_status_change_at` (the resolution is the last
    status change of a resolved incident); else None (still open).
    """

    id: str
    number: int
    title: str
    status: str  # triggered | acknowledged | resolved
    urgency: str  # high | low
    service_id: str
    created_at: datetime
    resolved_at: datetime | None
    last_status_change_at: datetime | None
    html_url: str


def parse_time(value: str | None) -> datetime | None:
    """ISO 8601 with `Z` or an offset, with or without microseconds → aware UTC; None → None.

    PagerDuty renders times in the account's zone: the offset is honoured.
    Raises ValueError for a naive or malformed value.
    """
    if value is None:
        return None
    moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    if moment.tzinfo is None:
        raise ValueError(f"timestamp without offset: {value!r}")
    return moment.astimezone(UTC)


def parse_service(item: dict[str, Any]) -> ServiceRecord:
    name = item.get("name") or item.get("summary") or ""
    return ServiceRecord(id=required_text(item, "id"), name=str(name))


def parse_incident(item: dict[str, Any]) -> IncidentRecord:
    """An incident item → IncidentRecord. Raises KeyError/ValueError/TypeError when malformed
    (a missing, null or non-string id, status, service id or created_at among others)."""
    status = required_text(item, "status")
    changed = parse_time(item.get("last_status_change_at"))
    resolved = parse_time(item.get("resolved_at"))
    if resolved is None and status == "resolved":
        resolved = changed
    return IncidentRecord(
        id=required_text(item, "id"),
        number=int(item.get("incident_number") or 0),
        title=str(item.get("title") or item.get("summary") or ""),
        status=status,
        urgency=str(item.get("urgency") or "high"),
        service_id=required_text(item["service"], "id"),
        created_at=parse_time(required_text(item, "created_at")),  # type: ignore[arg-type]
        resolved_at=resolved,
        last_status_change_at=changed,
        html_url=str(item.get("html_url") or ""),
    )
