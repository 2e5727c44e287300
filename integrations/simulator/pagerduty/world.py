"""`PagerDutyWorld`: the services and incidents a simulated PagerDuty account holds.

Incidents are stored as REST v2 payloads (the shape of `GET /incidents` items), indexed per
service by `created_at` so windowed reads stay fast with tens of thousands of incidents.
"""

from __future__ import annotations

import bisect
import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

JSONDict = dict[str, Any]
API = "https://api.pagerduty.com"


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def parse(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00")).astimezone(UTC)


@dataclass
class PagerDutyWorld:
    """Services (id → name) and their incidents (payload dicts)."""

    services: dict[str, str] = field(default_factory=dict)
    incidents: dict[str, JSONDict] = field(default_factory=dict)
    _index: dict[str, list[tuple[datetime, str]]] = field(default_factory=dict, repr=False)

    def add_service(self, service_id: str, name: str) -> None:
        self.services[service_id] = name
        self._index.setdefault(service_id, [])

    def add_payload(self, payload: JSONDict) -> JSONDict:
        """Store a recorded or generated incident payload as is."""
        service_id = payload["service"]["id"]
        self.services.setdefault(service_id, payload["service"].get("summary", service_id))
        self.incidents[payload["id"]] = payload
        bisect.insort(
            self._index.setdefault(service_id, []), (parse(payload["created_at"]), payload["id"])
        )
        return payload

    def add_incident(
        self,
        service_id: str,
        *,
        created_at: datetime,
        urgency: str = "high",
        resolved_at: datetime | None = None,
        title: str = "Incident",
        with_resolved_at: bool = True,
    ) -> JSONDict:
        """A new incident; `with_resolved_at=False` leaves the field out, like older payloads."""
        number = len(self.incidents) + 1
        incident_id = f"Q{number:07d}SIM"
        payload: JSONDict = {
            "id": incident_id,
            "type": "incident",
            "incident_number": number,
            "title": title,
            "summary": f"[#{number}] {title}",
            "status": "triggered",
            "urgency": urgency,
            "created_at": iso(created_at),
            "last_status_change_at": iso(created_at),
            "service": {
                "id": service_id,
                "type": "service_reference",
                "summary": self.services.get(service_id, service_id),
                "self": f"{API}/services/{service_id}",
            },
            "self": f"{API}/incidents/{incident_id}",
            "html_url": f"https://acme.pagerduty.com/incidents/{incident_id}",
        }
        if with_resolved_at:
            payload["resolved_at"] = None
        self.add_payload(payload)
        if resolved_at is not None:
            self.resolve(incident_id, at=resolved_at)
        return payload

    def resolve(self, incident_id: str, *, at: datetime) -> None:
        """Resolve an incident (sets `resolved_at` only where the payload has that field)."""
        payload = self.incidents[incident_id]
        payload["status"] = "resolved"
        payload["last_status_change_at"] = iso(at)
        if "resolved_at" in payload:
            payload["resolved_at"] = iso(at)

    def created_between(self, service_id: str, since: datetime, until: datetime) -> list[JSONDict]:
        """Incidents of a service with `since <= created_at < until`, oldest first."""
        index = self._index.get(service_id, [])
        low = bisect.bisect_left(index, (since, ""))
        high = bisect.bisect_left(index, (until, ""))
        return [self.incidents[incident_id] for _, incident_id in index[low:high]]


def generate_pagerduty_world(
    *,
    seed: int,
    services: dict[str, str],
    incidents: int,
    start: datetime,
    end: datetime,
    open_share: float = 0.02,
    high_share: float = 0.4,
) -> PagerDutyWorld:
    """`incidents` incidents spread uniformly over the services and `[start, end)`; about
    `high_share` are high urgency; each lasts 5 min to 6 h; `open_share` are still open."""
    rng = random.Random(seed)
    world = PagerDutyWorld()
    for service_id, name in services.items():
        world.add_service(service_id, name)
    ids, span = list(services), (end - start).total_seconds()
    for _ in range(incidents):
        created = start + timedelta(seconds=int(rng.random() * span))
        duration = timedelta(minutes=rng.uniform(5, 360))
        resolved = (
            None if rng.random() < open_share or created + duration >= end else (created + duration)
        )
        world.add_incident(
            rng.choice(ids),
            created_at=created,
            urgency="high" if rng.random() < high_share else "low",
            resolved_at=resolved,
            title=rng.choice(_TITLES),
        )
    return world


def load_recorded(*paths: Path) -> PagerDutyWorld:
    """A world holding the incidents of recorded files (`{"incidents": [...]}` or a list)."""
    world = PagerDutyWorld()
    for path in paths:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        for payload in data["incidents"] if isinstance(data, dict) else data:
            world.add_payload(payload)
    return world


_TITLES = (
    "Checkout latency above SLO",
    "5xx rate on api",
    "Queue backlog growing",
    "Database CPU at 95%",
    "Disk almost full on worker",
    "Login failures spike",
)
