"""Admin: a user's role (docs/operations.md#roles), edited on the user's page."""

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from apps.accounts.access import role_of
from apps.accounts.models import ApiToken, Role, UserRole


class UserRoleForm(forms.ModelForm):
    role = forms.ChoiceField(
        choices=[(Role.VIEWER, Role.VIEWER.label), (Role.MANAGER, Role.MANAGER.label)],
        help_text=(
            "Leave empty to follow the config: a team's managers are managers, everyone else a "
            "viewer. Admins are superusers: tick 'Superuser status' above."
        ),
    )

    class Meta:
        model = UserRole
        fields = ("role",)


class UserRoleInline(admin.StackedInline):
    model = UserRole
    form = UserRoleForm
    can_delete = True
    max_num = 1
    verbose_name = verbose_name_plural = "role set by hand"


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class KeelUserAdmin(UserAdmin):
    inlines = (UserRoleInline,)
    list_display = ("username", "email", "role", "is_active", "last_login")

    @admin.display(description="role")
    def role(self, user) -> str:
        role = role_of(user)
        return role.value if role else "none (inactive)"


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens are listed and revoked (deleted) here, never shown: only their hash is stored.
    Users make their own on the API tokens page (or `manage.py create_api_token`)."""

    list_display = ("token_key", "user", "name", "read_only", "created", "expiry", "last_used_at")
    list_filter = ("read_only",)
    search_fields = ("token_key", "name", "user__username", "user__email")
    fields = ("token_key", "user", "name", "read_only", "created", "expiry", "last_used_at")
    readonly_fields = fields

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
