"""Reads for reliability metrics: incidents and configured services as DataFrames."""

from datetime import datetime

import pandas as pd
from django.db.models import Q

from apps.core.frames import queryset_frame
from apps.organization.selectors import services_counted
from apps.reliability.models import Incident

INCIDENT_COLUMNS = [
    "pd_id",
    "service_key",
    "team",
    "title",
    "status",
    "urgency",
    "created_at",
    "resolved_at",
    "html_url",
]


def services_frame() -> pd.DataFrame:
    """The PagerDuty services that count (configured and enabled): service_key (PD id), team
    (slug or ""), slo (NaN if none), weight (float: its share in team and org uptime). A service
    id configured in two sources appears once (the first)."""
    rows = (
        services_counted()
        .order_by("service_id", "pk")
        .values_list("service_id", "team__slug", "slo", "weight")
    )
    frame = pd.DataFrame(list(rows), columns=["service_key", "team", "slo", "weight"])
    frame["weight"] = frame["weight"].astype(float)
    frame["team"] = frame["team"].fillna("")
    frame["slo"] = pd.to_numeric(frame["slo"], errors="coerce").astype(float)
    return frame.drop_duplicates("service_key").reset_index(drop=True)


def service_names() -> dict[str, str]:
    """{PagerDuty service id: its name as synced from PagerDuty (the id while it has none)}
    of the services that count."""
    rows = services_counted().order_by("service_id", "pk").values_list("service_id", "name")
    names: dict[str, str] = {}
    for service_id, name in rows:
        names.setdefault(service_id, name or service_id)
    return names


def incidents_frame(*, open_since: datetime | None = None) -> pd.DataFrame:
    """Stored incidents of the services that count (columns INCIDENT_COLUMNS; times UTC,
    resolved_at NaT while open); only those created, open or resolved at or after `open_since`
    when given (filtered in SQL)."""
    incidents = Incident.objects.filter(service__in=services_counted())
    if open_since is not None:
        incidents = incidents.filter(
            Q(resolved_at__isnull=True)
            | Q(resolved_at__gte=open_since)
            | Q(created_at__gte=open_since)
        )
    frame = queryset_frame(
        incidents,
        {
            "pd_id": "str",
            "service__service_id": "str",
            "service__team__slug": "str",
            "title": "str",
            "status": "str",
            "urgency": "str",
            "created_at": "datetime",
            "resolved_at": "datetime",
            "html_url": "str",
        },
    )
    frame.columns = INCIDENT_COLUMNS
    frame["team"] = frame["team"].fillna("")
    return frame
