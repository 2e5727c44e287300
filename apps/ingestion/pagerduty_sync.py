"""PagerDuty → Keel: the incidents of each configured service
(docs/metrics.md#uptime-and-incidents).

Per service: `GET /services/{id}` (name; a 404 reports the id and the others are synced), then
`GET /incidents` created since the cursor (first sync: `KEEL_PAGERDUTY_HISTORY_DAYS`, default
730 days) in windows of at most 6 months, each page upserted in its own transaction keyed by
the PagerDuty id; then every stored incident that was still open is re-read by id, because the
`since` filter is on creation time and would never return its resolution. The cursor
(the sync's start minus an overlap) is committed only after all of that is stored.
# PagerDuty: https://developer.pagerduty.com/api-reference/9d0b4b12e36f9-list-incidents
"""

import logging
import time
from collections.abc import Callable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from apps.ingestion.cursors import cursor_get, cursor_set
from apps.ingestion.runs import RunTally, scopes_sync
from apps.ingestion.upserts import rows_upsert
from apps.organization.models import PagerDutyService, Source
from apps.organization.selectors import source_credentials
from apps.reliability.models import Incident
from integrations.pagerduty import IncidentRecord, PagerDutyClient

logger = logging.getLogger(__name__)
Progress = Callable[[str], None]
OVERLAP = timedelta(minutes=10)  # incidents created while the last sync ran
INCIDENT_FIELDS = [
    "service",
    "number",
    "title",
    "status",
    "urgency",
    "created_at",
    "resolved_at",
    "last_status_change_at",
    "html_url",
]


def pagerduty_client_build(
    *, source: Source, sleep: Callable[[float], None] = time.sleep
) -> PagerDutyClient:
    """A PagerDutyClient for `source`. Raises KeelError when the source has no token."""
    return PagerDutyClient(
        source.base_url,
        source_credentials(source=source).token,
        timeout=settings.KEEL_HTTP_TIMEOUT_SECONDS,
        max_wait=settings.KEEL_MAX_RATE_LIMIT_WAIT_SECONDS,
        sleep=sleep,
    )


def _row(service: PagerDutyService, r: IncidentRecord) -> Incident:
    return Incident(
        pd_id=r.id,
        service=service,
        number=r.number,
        title=r.title[:500],
        status=r.status,
        urgency=r.urgency,
        created_at=r.created_at,
        resolved_at=r.resolved_at,
        last_status_change_at=r.last_status_change_at,
        html_url=r.html_url[:500],
    )


def _save(service: PagerDutyService, records: list[IncidentRecord]) -> int:
    with transaction.atomic():
        return rows_upsert(
            model=Incident,
            rows=[_row(service, r) for r in records],
            unique_fields=["pd_id"],
            update_fields=INCIDENT_FIELDS,
        )


def service_incidents_sync(
    *, client: PagerDutyClient, service: PagerDutyService, tally: RunTally, progress: Progress
) -> None:
    """One service: name, new incidents since the cursor, then the re-read of open ones.
    Raises NotFoundError when PagerDuty does not know the service id."""
    info = client.get_service(service.service_id)
    if info.name and info.name != service.name:
        PagerDutyService.objects.filter(pk=service.pk).update(name=info.name[:300])
    started = timezone.now()
    history = timedelta(days=getattr(settings, "KEEL_PAGERDUTY_HISTORY_DAYS", 730))
    since = cursor_get(source=service.source, scope=service.service_id, endpoint="incidents")
    since = since - OVERLAP if since else started - history
    read = 0
    for page in client.list_incidents(service.service_id, since=since, until=started):
        tally.add(service.service_id, "incidents", _save(service, page.items))
        read += len(page.items)
        progress(f"{service.service_id}: {read} incidents read")
    open_ids = Incident.objects.filter(
        service=service, resolved_at__isnull=True, created_at__lt=since
    ).values_list("pd_id", flat=True)
    reread = [client.get_incident(pd_id) for pd_id in list(open_ids)]
    tally.add(service.service_id, "open_incidents", _save(service, reread))
    with transaction.atomic():
        cursor_set(
            source=service.source, scope=service.service_id, endpoint="incidents", value=started
        )


def pagerduty_source_sync(
    *,
    source: Source,
    tally: RunTally,
    progress: Progress,
    full: bool,
    scopes: list[str] | None = None,
) -> None:
    """Every enabled service of a PagerDuty source (or those in `scopes`; the `sync` of the
    adapter in apps.ingestion.adapters.pagerduty)."""
    client = pagerduty_client_build(source=source)
    tally.stats = client.stats
    services = list(source.pagerduty_services.filter(enabled=True).select_related("source"))
    if scopes is not None:
        services = [s for s in services if s.service_id in scopes]
    scopes_sync(
        items=services,
        key=lambda s: s.service_id,
        noun="service",
        tally=tally,
        progress=progress,
        step=lambda s: service_incidents_sync(
            client=client, service=s, tally=tally, progress=progress
        ),
    )
