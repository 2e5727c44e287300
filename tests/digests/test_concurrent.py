"""Two senders at once against PostgreSQL: every recipient still gets exactly one message."""

import threading

import pytest
from django.db import connection, connections

from apps.digests.models import DigestDelivery
from apps.digests.services import digests_send
from tests.digests.conftest import OCT, org_build

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="needs real row locks between connections: run with DATABASE_URL=postgres://…",
)


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_senders_send_each_digest_once(smtp):
    org_build()
    start, outcomes, errors = threading.Barrier(2), [], []

    def sender() -> None:
        try:
            start.wait()  # both create rows and race for the same claims
            outcomes.append(digests_send(month=OCT))
        except Exception as exc:  # surfaced below; a thread must not swallow it
            errors.append(exc)
        finally:
            connections.close_all()  # each thread has its own connection

    threads = [threading.Thread(target=sender) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)

    assert errors == []
    # 3 recipients: together the two senders sent 3 and failed none, whoever won each claim.
    assert sum(o["sent"] for o in outcomes) == 3 and sum(o["failed"] for o in outcomes) == 0
    assert sorted(r for rcpt, _ in smtp.messages for r in rcpt) == [
        "ann@acme.test",
        "bob@acme.test",
        "root@acme.test",
    ]
    assert list(DigestDelivery.objects.order_by().values_list("status", "attempts").distinct()) == [
        ("sent", 1)
    ]
