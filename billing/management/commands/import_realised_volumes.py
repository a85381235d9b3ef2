"""``import_realised_volumes FILE --year 2024``: the realised volumes for the year-end settlement."""

from pathlib import Path

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.services.settlement import import_realised_volumes
from core.csvinput import CsvProblems
from core.years import MAX_YEAR, MIN_YEAR, is_valid_year


class Command(BaseCommand):
    help = (
        "Import realised volumes (gemeente, dienstcode, volume) for a year; all or nothing. The file "
        "replaces the year's whole set: rows it no longer has are removed."
    )

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, **options):
        path: Path = options["file"]
        year = options["year"]
        if not is_valid_year(year):
            raise CommandError(f"--year {year}: a year from {MIN_YEAR} to {MAX_YEAR}.")
        if not path.is_file():
            raise CommandError(f"{path}: no such file")
        try:
            result = import_realised_volumes(source=path, year=year)
        except CsvProblems as exc:
            for problem in exc.problems:
                self.stderr.write(str(problem))
            raise CommandError(f"{len(exc.problems)} problem(s); nothing was imported.") from None
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for removed in result.removed:
            self.stdout.write(f"removed (no longer in the file): {removed}")
        self.stdout.write(
            self.style.SUCCESS(
                f"{result.rows} realised volume(s) for {year} imported: {result.created} new, "
                f"{result.updated} changed, {result.unchanged} unchanged, {len(result.removed)} removed."
            )
        )
