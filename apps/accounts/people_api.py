"""The people of the v1 API, by role."""

from apps.accounts.access import engineer_emails_visible
from apps.organization.api import PersonViewSet


class VisiblePeopleViewSet(PersonViewSet):
    """People with their identities: every person for an admin, the members of their teams for
    a manager, nobody for a viewer (`apps.accounts.access`). Routed in config/api_router.py in
    place of the organisation app's, which cannot know roles (it sits below accounts)."""

    def get_queryset(self):
        people = super().get_queryset()
        emails = engineer_emails_visible(user=self.request.user)
        return people if emails is None else people.filter(email__in=emails)
