"""Dashboard routes (mounted at /). The digests link to these paths: keep them stable."""

from django.urls import path

from . import assets, views

app_name = "dashboard"

urlpatterns = [
    path("", views.organization_page, name="organization"),
    path("login/", views.login, name="login"),
    path("logout/", views.logout, name="logout"),
    path("teams/<slug:slug>/", views.team_page, name="team"),
    path("services/<str:service_id>/", views.service_page, name="service"),
    path("metrics/<str:metric>/", views.metric_page, name="metric"),
    path("engineers/<str:email>/", views.engineer_page, name="engineer"),
    path("economics/", views.economics_page, name="economics"),
    path("customers/", views.customers_page, name="customers"),
    path("sources/", views.sources_page, name="sources"),
    path("data-quality/", views.data_quality_page, name="data-quality"),
    path("compare/", views.compare_page, name="compare"),
    path("flow/", views.flow_page, name="flow"),
    path("sources/<slug:name>/sync/", views.source_sync_now, name="source-sync"),
    path("assets/<str:version>/<str:name>", assets.asset_serve, name="asset"),
]
