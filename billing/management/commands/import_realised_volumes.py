"""``import_realised_volumes FILE --year 2024``: the realised volumes for the year-end settlement."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from billing.services.settlement import import_realised_volumes
from core.csvinput import CsvProblems


class Command(BaseCommand):
    help = "Import realised volumes (gemeente, dienstcode, volume) for a year; all or nothing."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, **options):
        path: Path = options["file"]
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            count = import_realised_volumes(source=path, year=options["year"])
        except CsvProblems as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported.") from None
        self.stdout.write(self.style.SUCCESS(f"{count} realised volume(s) for {options['year']} imported."))
