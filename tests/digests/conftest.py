"""Digest fixtures: a real SMTP server on loopback (aiosmtpd) and a two-team organisation."""

import email
import email.policy
import socket
from datetime import date

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

from apps.organization.models import PagerDutyService
from tests.metrics.factories import (
    MetricRowFactory,
    OrganizationFactory,
    PersonFactory,
    SourceFactory,
    TeamFactory,
    UserFactory,
)

OCT, SEP = date(2026, 10, 1), date(2026, 9, 1)


class Inbox:
    """Keeps what the server accepted; `refuse` names recipients answered with 451."""

    def __init__(self) -> None:
        self.messages: list[tuple[list[str], email.message.EmailMessage]] = []
        self.refuse: set[str] = set()

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        if set(envelope.rcpt_tos) & self.refuse:
            return "451 Requested action aborted: local error in processing"
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append((list(envelope.rcpt_tos), message))
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[email.message.EmailMessage]:
        return [m for rcpt, m in self.messages if address in rcpt]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp(settings):
    """An SMTP server on 127.0.0.1 (free port) that Django's smtp backend sends to."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", controller.port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    settings.KEEL_BASE_URL = "https://keel.example"
    yield inbox
    controller.stop()


def org_build() -> None:
    """Teams alpha (manager ann, engineers a1, a2) and beta (manager bob, engineer b1), a
    superuser root, a user without e-mail; month rows for Sep and Oct 2026."""
    OrganizationFactory(name="Acme", cost_settings={"currency": "EUR"})
    alpha, beta = TeamFactory(slug="alpha", name="Alpha"), TeamFactory(slug="beta", name="Beta")
    UserFactory(username="ann", email="ann@acme.test").managed_teams.add(alpha)
    UserFactory(username="bob", email="bob@acme.test").managed_teams.add(beta)
    UserFactory(username="root", email="root@acme.test", is_superuser=True, is_staff=True)
    UserFactory(username="nomail", email="", is_superuser=True)
    PersonFactory(email="a1@acme.test", name="Ada One", team=alpha)
    PersonFactory(email="a2@acme.test", name="Al Two", team=alpha)
    PersonFactory(email="b1@acme.test", name="Bea Secret", team=beta)
    source = SourceFactory(name="pd", kind="pagerduty")
    PagerDutyService.objects.create(
        source=source, service_id="PA", team=alpha, slo=0.999, name="alpha-api"
    )
    PagerDutyService.objects.create(
        source=source, service_id="PB", team=beta, slo=0.99, name="beta-web"
    )
    rows = [
        # metric, scope, key, month, value, smoothed, anomaly, unit
        ("release_frequency", "team", "alpha", SEP, 3.0, 3.5, False, "releases"),
        ("release_frequency", "team", "alpha", OCT, 9.0, 5.0, True, "releases"),
        ("release_frequency", "team", "beta", OCT, 2.0, 2.0, False, "releases"),
        ("release_frequency", "org", "", SEP, 6.0, 6.0, False, "releases"),
        ("release_frequency", "org", "", OCT, 11.0, 8.0, False, "releases"),
        ("cost", "org", "", OCT, 12500.0, 12000.0, False, "currency"),
        ("churn_risk", "engineer", "a1@acme.test", OCT, 0.72, 0.6, False, "score"),
        ("churn_risk", "engineer", "a2@acme.test", OCT, 0.31, 0.3, False, "score"),
        ("churn_risk", "engineer", "b1@acme.test", OCT, 0.93, 0.8, True, "score"),
        ("uptime", "service", "PA", OCT, 0.9995, 0.999, False, "ratio"),
        ("uptime", "service", "PB", OCT, 0.98, 0.99, False, "ratio"),
    ]
    for metric, scope, key, month, value, smoothed, anomaly, unit in rows:
        MetricRowFactory(
            metric=metric,
            scope=scope,
            scope_key=key,
            granularity="month",
            period_start=month,
            value=value,
            smoothed=smoothed,
            anomaly=anomaly,
            unit=unit,
        )


@pytest.fixture
def org(db):
    org_build()
