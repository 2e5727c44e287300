"""Celery task of the digests: an interface that decides whether it is due and calls one service.

Schedule (config/celery.py): hourly, every day. Celery beat runs crontabs in one time zone
(CELERY_TIMEZONE = UTC) and the organisation's zone is data, so instead of a per-entry zone the
task itself checks that the organisation's local time is inside the send window — from the 1st
at 08:00 local to the end of the 3rd — and sends the month that just ended. Inside the window
every run is a no-op for digests already sent and retries failed ones (SMTP outages heal
themselves hourly); outside it the task returns after one query.
"""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from celery import shared_task
from django.utils import timezone

from apps.digests.content import previous_month
from apps.digests.services import digests_send, weekly_send
from apps.organization.selectors import organization_get

SEND_HOUR = 8
LAST_SEND_DAY = 3


def digest_month_due(now: datetime, tz: str):
    """The month to send at aware instant `now` in zone `tz`, or None outside the window."""
    local = now.astimezone(ZoneInfo(tz))
    if local.day > LAST_SEND_DAY or (local.day == 1 and local.hour < SEND_HOUR):
        return None
    return previous_month(local.date().replace(day=1))


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700, expires=50 * 60)
def send_monthly_digests() -> dict[str, int] | None:
    """Send last month's digests when the organisation's local time is in the window."""
    month = digest_month_due(timezone.now(), organization_get().timezone)
    if month is None:
        return None
    return digests_send(month=month)


WEEKLY_LAST_DAY = 1  # Tuesday (Monday is 0): the weekly window ends with it


def weekly_week_due(now: datetime, tz: str):
    """The week to send at aware instant `now` in zone `tz` (the Monday it started on), or
    None outside the window: Monday from 08:00 local to the end of Tuesday."""
    local = now.astimezone(ZoneInfo(tz))
    if local.weekday() > WEEKLY_LAST_DAY or (local.weekday() == 0 and local.hour < SEND_HOUR):
        return None
    monday = local.date() - timedelta(days=local.weekday())
    return monday - timedelta(days=7)


@shared_task(acks_late=True, time_limit=1800, soft_time_limit=1700, expires=50 * 60)
def send_weekly_digests() -> dict[str, int] | None:
    """Send last week's weekly digests when the organisation's local time is in the window."""
    week = weekly_week_due(timezone.now(), organization_get().timezone)
    if week is None:
        return None
    return weekly_send(week=week)
