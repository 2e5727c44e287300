"""URL routes: admin, REST API v1, OpenAPI schema and docs."""

from django.contrib import admin
from django.urls import include, path

from apps.accounts.api_views import TokenCreateView, TokenRevokeView
from apps.accounts.oidc import CallbackView, SignInView
from apps.quality.api import UnmappedView

# JSON under /api/ (and /webhooks/ for 400s; apps.metrics.api.errors), Django's page elsewhere.
handler400 = "apps.metrics.api.errors.bad_request"
handler404 = "apps.metrics.api.errors.page_not_found"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/auth/token/", TokenCreateView.as_view(), name="api-token"),
    path("api/v1/auth/token/revoke/", TokenRevokeView.as_view(), name="api-token-revoke"),
    path("api/v1/", include("apps.metrics.urls")),
    path("api/v1/", include("config.api_router")),
    path("api/v1/", include("apps.costs.urls")),
    path("api/v1/", include("apps.economics.urls")),
    path("api/v1/quality/unmapped/", UnmappedView.as_view(), name="quality-unmapped"),
    path("webhooks/", include("apps.ingestion.webhook_urls")),
    path("digests/", include("apps.digests.urls")),
    path("account/", include("apps.accounts.urls")),
    path("oidc/authenticate/", SignInView.as_view(), name="oidc-authenticate"),
    path("oidc/callback/", CallbackView.as_view(), name="oidc-callback"),
    path("", include("apps.dashboard.urls")),
]
