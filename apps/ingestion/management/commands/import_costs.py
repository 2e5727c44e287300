"""`python manage.py import_costs PATH --format focus|aws-cur|aws-cur2|gcp|azure [--export NAME]`
imports a cost export file or folder, then recomputes the cost metrics."""

from django.core.management.base import BaseCommand, CommandError

from apps.costs.models import CostImport
from apps.ingestion.cost_files import cost_metrics_refresh, cost_path_import
from apps.organization.models import CostExport
from integrations.cost_exports import FORMATS


class Command(BaseCommand):
    help = "Import a cost export file or folder (CSV, CSV.gz, Parquet, JSON Lines)."

    def add_arguments(self, parser) -> None:
        parser.add_argument("path")
        parser.add_argument("--format", required=True, choices=sorted(FORMATS))
        parser.add_argument("--export", metavar="NAME", help="a configured costs.exports name")
        parser.add_argument("--no-compute", action="store_true")

    def handle(self, *args, **options) -> None:
        export = None
        if options["export"]:
            export = CostExport.objects.filter(name=options["export"]).first()
            if export is None:
                raise CommandError(f"no cost export named {options['export']!r} in the config")
        imports = cost_path_import(path=options["path"], format=options["format"], export=export)
        if not imports:
            raise CommandError(f"{options['path']}: no cost export files found")
        for record in imports:
            line = f"{record.path}: {record.status}, {record.rows} rows"
            self.stdout.write(line + (f"\n  error: {record.error}" if record.error else ""))
        if not options["no_compute"]:
            written = cost_metrics_refresh(imports=imports)
            self.stdout.write(f"metrics recomputed: {sum(written.values())} rows")
        failed = [r for r in imports if r.status == CostImport.Status.FAILED]
        if failed:
            raise CommandError(f"{len(failed)} of {len(imports)} file(s) failed")
