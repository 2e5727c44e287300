"""Cost API routes (under /api/v1/)."""

from rest_framework.routers import DefaultRouter

from apps.costs.api import CostImportViewSet

router = DefaultRouter()
router.register("cost-imports", CostImportViewSet, basename="cost-import")

urlpatterns = router.urls
