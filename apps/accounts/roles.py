"""Setting a user's role (docs/operations.md#roles), from the admin or the single sign-on group
claim."""

from typing import Any, Literal

from django.conf import settings
from django.contrib.auth.models import User as AuthUser
from django.db import transaction

from apps.accounts.access import role_of
from apps.accounts.models import Role, UserRole
from apps.core.audit import audit_record
from apps.core.models import AuditEvent


def _groups(claims: dict[str, Any]) -> set[str]:
    value = claims.get(settings.KEEL_OIDC_GROUPS_CLAIM)
    if isinstance(value, str):
        return {value}
    if isinstance(value, list | tuple):
        return {str(group) for group in value}
    return set()


def role_from_groups(claims: dict[str, Any]) -> Role | None | Literal[False]:
    """The role the groups claim gives: admin if any group is in KEEL_OIDC_ADMIN_GROUPS, else
    manager (KEEL_OIDC_MANAGER_GROUPS), else viewer (KEEL_OIDC_VIEWER_GROUPS). None when no
    role group is configured (roles then follow the config and the admin); False when groups are
    configured, none matches and KEEL_OIDC_REQUIRE_GROUP is set (the user may not sign in)."""
    by_role = (
        (Role.ADMIN, settings.KEEL_OIDC_ADMIN_GROUPS),
        (Role.MANAGER, settings.KEEL_OIDC_MANAGER_GROUPS),
        (Role.VIEWER, settings.KEEL_OIDC_VIEWER_GROUPS),
    )
    if not any(groups for _, groups in by_role):
        return None
    groups = _groups(claims)
    for role, wanted in by_role:
        if groups & set(wanted):
            return role
    return False if settings.KEEL_OIDC_REQUIRE_GROUP else None


def user_role_set(*, user: AuthUser, role: Role, by: str) -> bool:
    """Give `user` the role `role`: an admin is a superuser (and staff, for the admin site);
    a manager or viewer is neither, with the role stored. Records an audit event when the role
    changed; returns whether it did."""
    before = role_of(user)
    admin = role == Role.ADMIN
    with transaction.atomic():
        if (user.is_superuser, user.is_staff) != (admin, admin):
            user.is_superuser = user.is_staff = admin
            user.save(update_fields=["is_superuser", "is_staff"])
        if admin:
            UserRole.objects.filter(user=user).delete()
        else:
            UserRole.objects.update_or_create(user=user, defaults={"role": role})
    if before == role:
        return False
    audit_record(
        actor=user,
        action=AuditEvent.Action.ROLE_CHANGED,
        target=user.get_username(),
        detail={"from": str(before or ""), "to": str(role), "by": by},
    )
    return True
