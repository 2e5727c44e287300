"""API v1 routes (mounted at /api/v1/) that are not viewsets: schema, docs, health, the metric
catalog and records. The viewsets (metric rows, org objects, sources, sync runs) are routed in
config/api_router.py."""

from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from apps.metrics.api import views

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="docs"),
    path("health/", views.HealthView.as_view(), name="health"),
    # Before the router (config/urls.py), so "catalog" is never read as a metric name.
    path("metrics/catalog/", views.MetricCatalogView.as_view(), name="metric-catalog"),
    path("goals/", views.GoalsView.as_view(), name="goals"),
    path("metrics/<str:metric>/records/", views.MetricRecordsView.as_view(), name="metric-records"),
]
