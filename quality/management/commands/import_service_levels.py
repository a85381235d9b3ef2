"""``import_service_levels FILE``: monthly service-level measurements, all or nothing."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from core.csvinput import CsvProblems
from quality.services.measurements import import_measurements


class Command(BaseCommand):
    help = (
        "Import service-level measurements (gemeente, dienstcode, maand, kpi, waarde); every bad row is "
        "reported as file:row: column: reason and nothing is imported."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = import_measurements(source=path)
        except CsvProblems as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported.") from None
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.file}: {result.rows} value(s): {result.created} new, {result.updated} changed, "
                f"{result.removed} removed, {result.unchanged} unchanged."
            )
        )
