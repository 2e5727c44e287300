"""API v1 routes (mounted at /api/v1/): health, metrics, catalog, records, org objects, schema,
docs."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from apps.metrics.api import views

router = DefaultRouter()
router.register("metrics", views.MetricRowViewSet, basename="metric-row")
router.register("teams", views.TeamViewSet, basename="team")
router.register("people", views.PersonViewSet, basename="person")
router.register("sources", views.SourceViewSet, basename="source")
router.register("customers", views.CustomerViewSet, basename="customer")
router.register("sync-runs", views.SyncRunViewSet, basename="sync-run")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("health/", views.HealthView.as_view(), name="health"),
    # Before the router, so "catalog" is never read as a metric name.
    path("metrics/catalog/", views.MetricCatalogView.as_view(), name="metric-catalog"),
    path("metrics/<str:metric>/records/", views.MetricRecordsView.as_view(), name="metric-records"),
    *router.urls,
]
