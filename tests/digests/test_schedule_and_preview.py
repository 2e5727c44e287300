"""The beat task's send window in the organisation's zone, and the preview page's access rule."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from apps.digests.models import DigestDelivery
from apps.digests.tasks import digest_month_due, send_monthly_digests
from tests.digests.conftest import OCT

UTC = ZoneInfo("UTC")


@pytest.mark.parametrize(
    ("instant", "tz", "due"),
    [
        # Tokyo is UTC+9: 2026-10-31 23:30 UTC is 1 Nov 08:30 local → October is due.
        (datetime(2026, 10, 31, 23, 30, tzinfo=UTC), "Asia/Tokyo", date(2026, 10, 1)),
        # New York: EDT ends 1 Nov 2026 06:00 UTC, then EST (UTC−5): 11:30 UTC = 06:30 local → not
        # due yet; 13:00 UTC = 08:00 local → due.
        (datetime(2026, 11, 1, 11, 30, tzinfo=UTC), "America/New_York", None),
        (datetime(2026, 11, 1, 13, 0, tzinfo=UTC), "America/New_York", date(2026, 10, 1)),
        (datetime(2026, 11, 3, 23, 0, tzinfo=UTC), "UTC", date(2026, 10, 1)),  # last day of window
        (datetime(2026, 11, 4, 0, 0, tzinfo=UTC), "UTC", None),
        (datetime(2027, 1, 1, 8, 0, tzinfo=UTC), "UTC", date(2026, 12, 1)),  # across the year
    ],
)
def test_send_window_is_local_first_0800_to_third(instant, tz, due):
    assert digest_month_due(instant, tz) == due


def test_task_sends_last_month_once_when_due(org, smtp):
    from unittest import mock

    with mock.patch(
        "apps.digests.tasks.timezone.now", return_value=datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
    ):
        assert send_monthly_digests.delay().get() == {"sent": 3, "failed": 0, "skipped": 0}
        assert send_monthly_digests.delay().get() == {"sent": 0, "failed": 0, "skipped": 0}
    assert set(DigestDelivery.objects.values_list("month", flat=True)) == {OCT}
    assert len(smtp.messages) == 3


def test_preview_page_is_for_staff_and_own_manager_digest(org, settings):
    from django.contrib.auth import get_user_model

    users = get_user_model().objects
    ann, root = Client(), Client()
    ann.force_login(users.get(username="ann"))
    root.force_login(users.get(username="root"))
    own = ann.get("/digests/preview/?month=2026-10")
    assert own.status_code == 200 and b"Ada One" in own.content
    assert b'src="data:image/png;base64,' in own.content
    assert ann.get("/digests/preview/?month=2026-10&recipient=bob@acme.test").status_code == 403
    bob = root.get("/digests/preview/?month=2026-10&recipient=bob@acme.test")
    assert bob.status_code == 200 and b"Bea Secret" in bob.content
    assert Client().get("/digests/preview/").status_code == 302  # anonymous → login
    assert not DigestDelivery.objects.exists()  # previews record nothing


def test_staff_who_are_not_admins_never_preview_another_managers_digest(org) -> None:
    from django.contrib.auth import get_user_model

    staff = Client()
    staff.force_login(
        get_user_model().objects.create_user("ops", "ops@acme.test", "pw", is_staff=True)
    )
    response = staff.get("/digests/preview/?month=2026-10&recipient=bob@acme.test")
    assert response.status_code == 403 and b"Bea Secret" not in response.content
    assert staff.get("/digests/preview/?month=2026-10").status_code == 404  # no digest of own


def test_a_user_sharing_a_managers_address_does_not_get_their_digest(org) -> None:
    from django.contrib.auth import get_user_model

    twin = Client()
    twin.force_login(get_user_model().objects.create_user("twin", "BOB@acme.test", "pw"))
    for url in ("/digests/preview/?month=2026-10", "/digests/preview/?recipient=bob@acme.test"):
        response = twin.get(url)
        assert response.status_code in (403, 404) and b"Bea Secret" not in response.content


def test_an_admin_previews_by_username_too(org) -> None:
    from django.contrib.auth import get_user_model

    root = Client()
    root.force_login(get_user_model().objects.get(username="root"))
    bob = root.get("/digests/preview/?month=2026-10&recipient=bob")
    assert bob.status_code == 200 and b"Bea Secret" in bob.content
    assert root.get("/digests/preview/?recipient=nobody").status_code == 404
