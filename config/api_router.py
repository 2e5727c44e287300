"""The v1 API's router (mounted at /api/v1/ by config/urls.py): every app's viewsets in one
DefaultRouter, so the API root lists them all. Paths that are not viewsets (schema, docs,
health, catalog, records) are in apps/metrics/urls.py."""

from rest_framework.routers import DefaultRouter

from apps.accounts.people_api import VisiblePeopleViewSet
from apps.ingestion.api import SourceViewSet, SyncRunViewSet
from apps.metrics.api.views import MetricRowViewSet
from apps.organization.api import CustomerViewSet, TeamViewSet

router = DefaultRouter()
router.register("metrics", MetricRowViewSet, basename="metric-row")
router.register("teams", TeamViewSet, basename="team")
router.register("people", VisiblePeopleViewSet, basename="person")
router.register("sources", SourceViewSet, basename="source")
router.register("customers", CustomerViewSet, basename="customer")
router.register("sync-runs", SyncRunViewSet, basename="sync-run")

urlpatterns = router.urls
