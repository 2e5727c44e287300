"""`python manage.py demo`: build the demo organisation and serve Keel."""

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from apps.demo.services import demo_build


class Command(BaseCommand):
    help = (
        "Build the demo organisation through the real sync code from a local simulator, then serve."
    )

    def add_arguments(self, parser) -> None:
        parser.add_argument("--no-serve", action="store_true", help="build the demo and exit")
        parser.add_argument("--addr", default="127.0.0.1:8000", help="address:port to serve on")

    def handle(self, *args, **options) -> None:
        self.stdout.write("Building the demo organisation from the local upstream simulator…")
        result = demo_build(echo=lambda line: self.stdout.write(f"  {line}"))
        failed = [r for r in result.runs if r.status != "succeeded"]
        if failed:
            raise CommandError("; ".join(f"{r.source.name}: {r.status} {r.error}" for r in failed))
        rows = sum(sum(r.counts.values()) for r in result.runs)
        self.stdout.write(
            self.style.SUCCESS(
                f"Synced {rows} rows in {sum(r.requests_made for r in result.runs)} requests; "
                f"computed {result.metric_rows} metric rows."
            )
        )
        self.stdout.write(
            f"Digests of last month: {result.digests.get('sent', 0)} sent now "
            f"({settings.EMAIL_BACKEND.rsplit('.', 2)[-2]} backend"
            + (
                f", files in {settings.EMAIL_FILE_PATH}"
                if hasattr(settings, "EMAIL_FILE_PATH")
                else ""
            )
            + "); preview at /digests/preview/"
        )
        self.stdout.write(
            f"Alerts: {result.alerts.get('sent', 0)} sent of {result.alerts.get('owed', 0)} due "
            "(rules and channels in the admin; docs/alerts.md)"
        )
        host = options["addr"]
        self.stdout.write(
            f"\nKeel: http://{host}/   admin: http://{host}/admin/   "
            f"API: http://{host}/api/v1/metrics/   docs: http://{host}/api/v1/docs/\n"
            f"Login: user '{result.username}', password '{result.password}'\n"
            f"API token: {result.api_token}  (Authorization: Token …)\n"
        )
        if options["no_serve"]:
            result.simulator.stop()
            return
        call_command("runserver", host, use_reloader=False)
