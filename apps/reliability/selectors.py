"""Reads for reliability metrics: incidents and configured services as DataFrames."""

import pandas as pd

from apps.organization.models import PagerDutyService
from apps.reliability.models import Incident

INCIDENT_COLUMNS = ["pd_id", "service_key", "team", "title", "status", "urgency", "created_at",
                    "resolved_at", "html_url"]


def services_frame() -> pd.DataFrame:
    """Configured PagerDuty services: service_key (PD id), team (slug or ""), slo (NaN if none).
    A service id configured in two sources appears once (the first)."""
    rows = PagerDutyService.objects.order_by("service_id", "pk").values_list(
        "service_id", "team__slug", "slo")
    frame = pd.DataFrame(list(rows), columns=["service_key", "team", "slo"])
    frame["team"] = frame["team"].fillna("")
    frame["slo"] = pd.to_numeric(frame["slo"], errors="coerce").astype(float)
    return frame.drop_duplicates("service_key").reset_index(drop=True)


def incidents_frame() -> pd.DataFrame:
    """Stored incidents of configured services (columns INCIDENT_COLUMNS; times UTC, resolved_at
    NaT while open)."""
    rows = Incident.objects.values_list(
        "pd_id", "service__service_id", "service__team__slug", "title", "status", "urgency",
        "created_at", "resolved_at", "html_url")
    frame = pd.DataFrame(list(rows), columns=INCIDENT_COLUMNS)
    frame["team"] = frame["team"].fillna("")
    for column in ("created_at", "resolved_at"):
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame
