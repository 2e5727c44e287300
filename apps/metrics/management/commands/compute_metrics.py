"""`python manage.py compute_metrics [--since YYYY-MM-DD] [--metric NAME]...`
(docs/metrics.md#when-rows-are-rewritten)."""

from argparse import ArgumentTypeError
from datetime import date

from django.core.management.base import BaseCommand, CommandError, CommandParser

from apps.metrics.services import MetricsComputeError, metrics_compute


def _iso_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from exc


class Command(BaseCommand):
    help = "(Re)compute metric rows; prints the rows written per metric; exits 1 on a failure."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--since",
            type=_iso_date,
            metavar="YYYY-MM-DD",
            help="replace only the periods containing this day and later",
        )
        parser.add_argument(
            "--metric",
            action="append",
            dest="metrics",
            metavar="NAME",
            help="only the families of these metrics (repeatable)",
        )

    def handle(self, *args, **options) -> None:
        try:
            written = metrics_compute(since=options["since"], metrics=options["metrics"])
        except MetricsComputeError as exc:
            self._print(exc.written)
            raise CommandError(str(exc)) from exc
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        self._print(written)

    def _print(self, written: dict[str, int]) -> None:
        width = max((len(name) for name in written), default=0)
        for name, rows in sorted(written.items()):
            self.stdout.write(f"{name:<{width}}  {rows} rows")
        self.stdout.write(f"total: {sum(written.values())} rows")
