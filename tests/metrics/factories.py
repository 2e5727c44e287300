"""Factories for the metrics tests (users, org objects, sync runs, metric rows)."""

from datetime import date

import factory
from django.contrib.auth import get_user_model

from apps.core.periods import next_period_start
from apps.ingestion.models import SyncRun
from apps.metrics.models import MetricRow
from apps.organization.models import Customer, Identity, Organization, Person, Source, Team


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@acme.test")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = "Acme"
    timezone = "UTC"
    cost_settings = factory.LazyFunction(lambda: {"currency": "EUR"})


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team
        django_get_or_create = ("slug",)

    slug = factory.Sequence(lambda n: f"team{n}")
    name = factory.LazyAttribute(lambda t: t.slug.title())


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    email = factory.Sequence(lambda n: f"person{n}@acme.test")
    name = factory.Sequence(lambda n: f"Person {n}")
    team = factory.SubFactory(TeamFactory)


class IdentityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Identity

    person = factory.SubFactory(PersonFactory)
    provider = "github"
    external_id = factory.Sequence(lambda n: f"gh-{n}")


class SourceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Source

    name = factory.Sequence(lambda n: f"source{n}")
    kind = "github"
    base_url = "https://api.github.com"


class SyncRunFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SyncRun

    source = factory.SubFactory(SourceFactory)
    status = "succeeded"


class CustomerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Customer

    key = factory.Sequence(lambda n: f"customer{n}")
    name = factory.LazyAttribute(lambda c: c.key.title())
    onboarding_start = date(2026, 1, 5)


class MetricRowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MetricRow

    metric = "fake_count"
    scope = "org"
    scope_key = ""
    granularity = "week"
    period_start = date(2026, 1, 5)
    period_end = factory.LazyAttribute(lambda r: next_period_start(r.period_start, r.granularity))
    value = 1.0
    unit = "things"
    sample_size = 1
