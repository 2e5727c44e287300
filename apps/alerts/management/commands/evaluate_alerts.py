"""`manage.py evaluate_alerts [--dry-run] [--reclaim-stale]` (docs/alerts.md): the code path
the Celery task runs after every recompute."""

from django.core.management.base import BaseCommand

from apps.alerts.services import alerts_evaluate


class Command(BaseCommand):
    help = "Evaluate the alert rules on the stored metric rows and send what is due, once."

    def add_arguments(self, parser) -> None:
        parser.add_argument(
            "--dry-run", action="store_true", help="print the messages due; record and send nothing"
        )
        parser.add_argument(
            "--reclaim-stale",
            action="store_true",
            help="resend messages whose sender was killed mid-send (may duplicate those few)",
        )

    def handle(self, *args, **options) -> None:
        counts = alerts_evaluate(
            dry_run=options["dry_run"],
            reclaim_stale=options["reclaim_stale"],
            report=self.stdout.write,
        )
        if options["dry_run"]:
            self.stdout.write(f"{counts['owed']} message(s) judged due; nothing sent (dry run)")
            return
        summary = ", ".join(f"{counts[k]} {k}" for k in ("sent", "failed", "skipped", "snoozed"))
        self.stdout.write(f"alerts: {summary}")
        if counts["failed"]:
            self.stderr.write("some alerts could not be sent: see the admin (Alert rules)")
            raise SystemExit(1)
