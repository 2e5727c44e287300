"""`python manage.py send_digests --month YYYY-MM [--dry-run] [--to EMAIL] [--reclaim-stale]`,
and `--week YYYY-MM-DD` (a Monday) for the weekly digests."""

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.digests.render import digest_subject, digest_text
from apps.digests.selectors import digest_build, digest_recipients
from apps.digests.services import digests_preview_send, digests_send, weekly_send
from apps.digests.weekly import weekly_build, weekly_recipients, weekly_subject, weekly_text


def _month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month: expected YYYY-MM, got {value!r}") from None


def _monday(value: str) -> date:
    try:
        day = date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--week: expected YYYY-MM-DD, got {value!r}") from None
    if day.weekday() != 0:
        raise CommandError(f"--week: {value} is a {day:%A}; weeks start on Monday")
    return day


class Command(BaseCommand):
    help = "Send (or print) the monthly digests for one month, each recipient exactly once."

    def add_arguments(self, parser: CommandParser) -> None:
        period = parser.add_mutually_exclusive_group(required=True)
        period.add_argument("--month", help="YYYY-MM, the month the digest covers")
        period.add_argument(
            "--week", help="YYYY-MM-DD, the Monday of the week the weekly digests cover"
        )
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="print the plain-text digests; send and record nothing",
        )
        parser.add_argument(
            "--to",
            metavar="EMAIL",
            help="send a preview copy of every digest to EMAIL; record nothing",
        )
        parser.add_argument(
            "--reclaim-stale",
            action="store_true",
            help="resend deliveries stuck in 'sending' for over 15 minutes "
            "(they may have been sent: at-least-once for those)",
        )

    def handle(
        self,
        *args,
        month: str | None,
        week: str | None,
        dry_run: bool,
        to: str | None,
        reclaim_stale: bool,
        **options,
    ) -> None:
        if week is not None:
            self._weekly(_monday(week), dry_run=dry_run, reclaim_stale=reclaim_stale)
            return
        assert month is not None
        first_day = _month(month)
        if dry_run:
            for recipient in digest_recipients():
                digest = digest_build(recipient=recipient, month=first_day)
                self.stdout.write(f"To: {recipient.email}\nSubject: {digest_subject(digest)}\n")
                self.stdout.write(digest_text(digest) + "\n" + "-" * 72)
            return
        if to:
            count = digests_preview_send(month=first_day, to=to)
            self.stdout.write(f"sent {count} preview digest(s) to {to}")
            return
        outcome = digests_send(month=first_day, reclaim_stale=reclaim_stale)
        self.stdout.write(f"{first_day:%Y-%m}: {outcome}")
        if outcome["failed"]:
            raise CommandError(f"{outcome['failed']} digest(s) failed; run again to retry them")

    def _weekly(self, week: date, *, dry_run: bool, reclaim_stale: bool) -> None:
        if dry_run:
            for recipient in weekly_recipients():
                digest = weekly_build(recipient=recipient, week=week)
                self.stdout.write(f"To: {recipient.email}\nSubject: {weekly_subject(digest)}\n")
                self.stdout.write(weekly_text(digest) + "\n" + "-" * 72)
            return
        outcome = weekly_send(week=week, reclaim_stale=reclaim_stale)
        self.stdout.write(f"week of {week}: {outcome}")
        if outcome["failed"]:
            raise CommandError(f"{outcome['failed']} digest(s) failed; run again to retry them")
