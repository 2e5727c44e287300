"""Who may see what: Keel's one permission check (docs/operations.md#roles).

Three roles:
- **admin**: every number, every engineer, every digest, the admin site. A Django superuser
  (`createsuperuser`, the admin, or the single sign-on group claim).
- **manager**: organisation and team aggregates, plus the engineers of the teams they manage
  (`teams[].managers` in the config, `Team.managers` in the admin).
- **viewer**: organisation and team aggregates only.

A user's role is `admin` when they are a superuser, else the role stored for them (`UserRole`,
set in the admin or by the group claim), else `manager` when they manage a team and `viewer`
otherwise. Staff status alone grants nothing here. Anonymous and inactive users have no role and
see nothing.

The REST API, the dashboard, the digest preview, the records behind a number and the admin's
metric rows all ask these functions; no view decides on its own.
"""

from typing import TypeAlias, TypeGuard

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.models import User as AuthUser
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet, Subquery

from apps.accounts.models import Role, UserRole
from apps.organization.models import Person, Source, Team

User: TypeAlias = AuthUser | AnonymousUser | None


def _active(user: User) -> TypeGuard[AuthUser]:
    return bool(user is not None and user.is_authenticated and user.is_active)


def signed_in(user: User) -> AuthUser:
    """`user` when signed in and active; else PermissionDenied (a 403). Views behind
    login_required or IsAuthenticated only ever see a signed-in user; this says so to the
    type checker and refuses anyone else should a view lose its guard."""
    if not _active(user):
        raise PermissionDenied
    return user


def role_of(user: User) -> Role | None:
    """The role of `user` (module docstring); None for anonymous and inactive users."""
    if not _active(user):
        return None
    if getattr(user, "is_superuser", False):
        return Role.ADMIN
    # One query: the stored role and whether the user manages a team.
    stored, manages = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .annotate(
            stored=Subquery(UserRole.objects.filter(user=OuterRef("pk")).values("role")[:1]),
            manages=Exists(Team.objects.filter(managers=OuterRef("pk"))),
        )
        .values_list("stored", "manages")
        .first()
    ) or (None, False)
    if stored in (Role.VIEWER, Role.MANAGER):
        return Role(stored)
    return Role.MANAGER if manages else Role.VIEWER


def is_admin(user: User) -> bool:
    """Whether `user` is an admin (sees everything and uses the admin site)."""
    return role_of(user) == Role.ADMIN


def _teams(user: User, role: Role | None) -> QuerySet[Team]:
    if role == Role.ADMIN:
        return Team.objects.all()
    if role == Role.MANAGER and isinstance(user, AuthUser):
        return Team.objects.filter(managers=user)
    return Team.objects.none()


def teams_with_engineers_visible(*, user: User) -> QuerySet[Team]:
    """The teams whose engineers `user` may see: every team for an admin, the teams a manager
    manages, none for a viewer."""
    return _teams(user, role_of(user))


def engineer_emails_visible(*, user: User) -> QuerySet | None:
    """The e-mails (a `values("email")` queryset of people, to use as a subquery) of the
    engineers `user` may see, or None when they may see every engineer (an admin). Costs at
    most one query (the role)."""
    role = role_of(user)
    if role == Role.ADMIN:
        return None
    if role != Role.MANAGER:
        return Person.objects.none().values("email")
    return Person.objects.filter(team__in=_teams(user, role)).values("email")


def engineer_visible(*, user: User, email: str) -> bool:
    """Whether `user` may see the numbers and records of the engineer with e-mail `email`."""
    emails = engineer_emails_visible(user=user)
    return emails is None or emails.filter(email=email).exists()


def digest_preview_allowed(*, user: User, recipient: AuthUser) -> bool:
    """Admins may preview anyone's digest; everyone else only their own (matched by user, never
    by e-mail address)."""
    role = role_of(user)
    if role is None:
        return False
    return role == Role.ADMIN or recipient.pk == getattr(user, "pk", None)


def sources_sync_allowed(*, user: User) -> QuerySet[Source]:
    """The sources `user` may sync now: all for an admin; for a manager, the sources with a
    repo, Jira project or PagerDuty service of a team they manage; none for a viewer."""
    role = role_of(user)
    if role == Role.ADMIN:
        return Source.objects.all()
    if role != Role.MANAGER:
        return Source.objects.none()
    teams = _teams(user, role)
    feeds = (
        Q(repos__team__in=teams)
        | Q(jira_projects__team__in=teams)
        | Q(pagerduty_services__team__in=teams)
    )
    return Source.objects.filter(pk__in=Source.objects.filter(feeds).values("pk"))


def source_sync_allowed(*, user: User, source: Source) -> bool:
    """Whether `user` may start a sync of `source` (see `sources_sync_allowed`)."""
    return sources_sync_allowed(user=user).filter(pk=source.pk).exists()


def manager_tools_allowed(*, user: User) -> bool:
    """Whether `user` may use what managers use to map people (unmapped identities): admins and
    managers."""
    return role_of(user) in (Role.ADMIN, Role.MANAGER)
