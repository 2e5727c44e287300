"""`python manage.py apply_config PATH [--prune]` (docs/configuration.md)."""

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from apps.core.errors import ConfigError
from apps.organization.services import config_apply_file


class InvalidConfig(CommandError):
    """Django prints a failed command as `<exception class name>: <message>` and exits with
    `returncode`; this class is named so that the line reads `error: <path>: <message>`."""


InvalidConfig.__name__ = "error"


class Command(BaseCommand):
    help = (
        "Apply the organisation config file (teams, people, sources, customers, settings). "
        "Idempotent; objects absent from the file are kept unless --prune."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", help="the YAML config file")
        parser.add_argument(
            "--prune",
            action="store_true",
            help="delete teams, people, sources, repos, ... absent from the file "
            "(deleting a repo or source also deletes the data synced for it)",
        )

    def handle(self, *args: Any, path: str, prune: bool, **options: Any) -> None:
        try:
            result = config_apply_file(path=path, prune=prune)
        except ConfigError as exc:
            raise InvalidConfig(str(exc), returncode=1) from exc
        for line in result.lines():
            self.stdout.write(f"  {line}")
        total = result.total
        if result.changed:
            self.stdout.write(self.style.SUCCESS(f"applied {path}: {total}"))
        else:
            self.stdout.write(f"applied {path}: no changes")
