"""Admin building blocks shared by the apps."""

from django.contrib import admin
from django.db import models
from django.http import HttpRequest


class ReadOnlyAdmin(admin.ModelAdmin):
    """Records synced or computed by Keel: browsable, never edited by hand (the next sync or
    compute would overwrite the edit, and a hand edit would break traceability).

    `deletable = True` keeps the delete action, for records whose deletion is a deliberate
    operation (a cost import with its lines; a digest delivery, to send it again)."""

    deletable = False
    # Records carry provider links (`html_url`); Django 6 will assume https for a URL typed
    # without a scheme, and saying so now keeps the change view from warning about it.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: object = None) -> bool:
        return self.deletable and super().has_delete_permission(request, obj)
