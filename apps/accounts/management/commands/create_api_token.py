"""`python manage.py create_api_token USERNAME [--name TEXT] [--days N] [--read-write]`: make an
API token and print it (the only time it is shown)."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from apps.accounts.tokens import api_token_create
from apps.core.errors import KeelError


class Command(BaseCommand):
    help = "Make an API token for a user and print it once (Keel stores only its hash)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("username")
        parser.add_argument("--name", default="", help="what the token is for")
        parser.add_argument("--days", type=int, default=None, help="life in days (default 90)")
        parser.add_argument(
            "--read-write", action="store_true", help="allow writes (default: read-only)"
        )

    def handle(self, *args, **options) -> None:
        try:
            user = get_user_model().objects.get_by_natural_key(options["username"])
        except get_user_model().DoesNotExist:
            raise CommandError(f"no user {options['username']!r}") from None
        try:
            new = api_token_create(
                user=user,
                name=options["name"],
                days=options["days"],
                read_only=not options["read_write"],
            )
        except KeelError as exc:
            raise CommandError(str(exc)) from exc
        scope = "read-only" if new.record.read_only else "read and write"
        self.stderr.write(f"{scope}, expires {new.record.expiry:%Y-%m-%d}; shown only now:")
        self.stdout.write(new.token)
