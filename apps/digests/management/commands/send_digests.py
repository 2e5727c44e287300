"""`python manage.py send_digests --month YYYY-MM [--dry-run] [--to EMAIL] [--reclaim-stale]`."""

from datetime import date, datetime

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.digests.render import digest_subject, digest_text
from apps.digests.selectors import digest_build, digest_recipients
from apps.digests.services import digests_preview_send, digests_send


def _month(value: str) -> date:
    try:
        return datetime.strptime(value, "%Y-%m").date()
    except ValueError:
        raise CommandError(f"--month: expected YYYY-MM, got {value!r}") from None


class Command(BaseCommand):
    help = "Send (or print) the monthly digests for one month, each recipient exactly once."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--month", required=True, help="YYYY-MM, the month the digest covers")
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
        self, *args, month: str, dry_run: bool, to: str | None, reclaim_stale: bool, **options
    ) -> None:
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
