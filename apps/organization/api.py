"""Organisation objects of the v1 API (read-only): teams, people with their identities,
customers. Routed in config/api_router.py; no secret is ever a field (docs/api.md)."""

from django.contrib.auth.models import User
from rest_framework import serializers, viewsets

from apps.organization import selectors
from apps.organization.models import Customer, Identity, Person, Team

# Slug lookups (SlugField) match only slugs, so the schema states the pattern the route accepts.
SLUG_PATTERN = "[-a-zA-Z0-9_]+"


class TeamSerializer(serializers.ModelSerializer):
    managers: "serializers.SlugRelatedField[User]" = serializers.SlugRelatedField(
        many=True, read_only=True, slug_field="email"
    )

    class Meta:
        model = Team
        fields = ("slug", "name", "managers")


class IdentitySerializer(serializers.ModelSerializer):
    # A plain string in the schema: as an enum it would duplicate Source.kind's choice set
    # (drf-spectacular warns about one choice set under two names).
    provider = serializers.CharField(
        help_text="an identity kind of the registered sources (github, gitlab, jira, pagerduty, "
        "...: apps.organization.sources)"
    )

    class Meta:
        model = Identity
        fields = ("provider", "external_id")


class PersonSerializer(serializers.ModelSerializer):
    team: "serializers.SlugRelatedField[Team]" = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", allow_null=True
    )
    identities = IdentitySerializer(many=True, read_only=True)

    class Meta:
        model = Person
        fields = ("email", "name", "team", "identities")


class CustomerSerializer(serializers.ModelSerializer):
    team: "serializers.SlugRelatedField[Team]" = serializers.SlugRelatedField(
        read_only=True, slug_field="slug", allow_null=True
    )

    class Meta:
        model = Customer
        fields = ("key", "name", "team", "onboarding_start", "environment", "jira_issue")


class TeamViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = TeamSerializer
    queryset = selectors.teams_list()
    lookup_field = "slug"
    lookup_value_regex = SLUG_PATTERN


class PersonViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = PersonSerializer
    queryset = selectors.people_list()
    lookup_field = "email"
    lookup_value_regex = "[^/]+"


class CustomerViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = CustomerSerializer
    queryset = selectors.customers_list()
    lookup_field = "key"
    lookup_value_regex = SLUG_PATTERN
