"""Unit economics API routes (under /api/v1/)."""

from django.urls import path

from apps.economics import api

urlpatterns = [
    path("economics/cost-model/", api.CostModelView.as_view(), name="economics-cost-model"),
    path(
        "economics/release-costs/", api.ReleaseCostsView.as_view(), name="economics-release-costs"
    ),
    path("economics/onboarding/", api.OnboardingView.as_view(), name="economics-onboarding"),
]
