"""Digest routes (mounted at /digests/)."""

from django.urls import path

from apps.digests.views import digest_preview

app_name = "digests"
urlpatterns = [path("preview/", digest_preview, name="preview")]
