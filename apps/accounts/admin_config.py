"""The admin app with Keel's admin site (`apps.accounts.admin_site.KeelAdminSite`); listed in
INSTALLED_APPS instead of `django.contrib.admin`. Kept apart from the site so that loading the
app registry imports no model."""

from django.contrib.admin.apps import AdminConfig


class KeelAdminConfig(AdminConfig):
    default_site = "apps.accounts.admin_site.KeelAdminSite"
