"""`python manage.py sync [--source NAME]... [--full]` (docs/operations.md#syncs-and-failures)."""

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import KeelError
from apps.ingestion.models import SyncRun
from apps.ingestion.selectors import runs_changed_from
from apps.ingestion.services import sources_sync


class Command(BaseCommand):
    help = "Pull from the configured sources now, with progress; exits 1 when a source failed."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--source", action="append", dest="sources", metavar="NAME")
        parser.add_argument("--full", action="store_true", help="forget cursors and ETags first")
        parser.add_argument(
            "--no-compute", action="store_true", help="do not recompute metrics afterwards"
        )

    def handle(self, *args, **options) -> None:
        try:
            runs = sources_sync(
                names=options["sources"],
                full=options["full"],
                echo=lambda line: self.stdout.write(f"  {line}"),
            )
        except KeelError as exc:
            raise CommandError(str(exc)) from exc
        for run in runs:
            self.stdout.write(self._summary(run))
        if not options["no_compute"]:
            self._recompute(runs, full=options["full"])
        bad = [r for r in runs if r.status in (SyncRun.Status.FAILED, SyncRun.Status.PARTIAL)]
        if bad:
            raise CommandError("; ".join(f"{r.source.name}: {r.status}" for r in bad))

    def _recompute(self, runs: list[SyncRun], *, full: bool) -> None:
        """As the sync task: everything after a full sync (it may have removed records), else
        from the first day the runs' changes can affect, and nothing when they changed
        nothing."""
        from apps.metrics import services

        since = runs_changed_from(runs)
        if full and runs:
            written = services.metrics_compute()
            self.stdout.write(f"metrics recomputed: {sum(written.values())} rows")
        elif since is not None:
            written = services.metrics_compute(since=since)
            self.stdout.write(f"metrics recomputed from {since}: {sum(written.values())} rows")

    def _summary(self, run: SyncRun) -> str:
        line = (
            f"{run.source.name}: {run.status} — {sum(run.counts.values())} rows, "
            f"{run.requests_made} requests ({run.not_modified} not modified), "
            f"{run.rate_limit_waits} rate-limit waits"
        )
        if run.error:
            line += f"\n  error: {run.error}"
        for scope, message in run.scope_errors.items():
            line += f"\n  {scope}: {message}"
        return line
