"""``generate_budget_letters --year 2027 [--provisional-percent 3.0]``: draft letters for every municipality."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.money import format_eur

from ...services.letters import MAX_YEAR, MIN_YEAR, generate_budget_letters


def _year(value: str) -> int:
    try:
        year = int(value)
    except ValueError as exc:
        raise CommandError(f"--year: '{value}' is geen jaar") from exc
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise CommandError(f"--year: {year} ligt niet tussen {MIN_YEAR} en {MAX_YEAR}")
    return year


class Command(BaseCommand):
    help = (
        "Draft budget letters (begrotingsbrieven) for every municipality and Leiden itself. Without the "
        "year's tariffs, give --provisional-percent: the current tariffs raised by it, marked provisional."
    )

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, help="The budget year, e.g. 2027.")
        parser.add_argument(
            "--provisional-percent",
            dest="percent",
            default=None,
            help="Provisional indexation when the year's tariffs are not set yet, e.g. 3.0 or 3,0.",
        )

    def handle(self, *args, **options):
        year = _year(options["year"])
        try:
            result = generate_budget_letters(year=year, provisional_percent=options["percent"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        for note in result.skipped:
            self.stdout.write(self.style.WARNING(note))
        if not result.letters:
            raise CommandError(f"Geen begrotingsbrieven voor {year}: geen overeenkomsten die dan lopen.")
        for letter in result.letters:
            mark = " (voorlopig)" if letter.is_provisional else ""
            replaces = f", vervangt {letter.replaces.number}" if letter.replaces_id else ""
            self.stdout.write(
                f"{letter.customer.name}: concept versie {letter.version}{replaces}: verwacht "
                f"{format_eur(letter.net_total)} excl. btw (laag {format_eur(letter.low_total)}, hoog "
                f"{format_eur(letter.high_total)}){mark}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(result.letters)} concepten voor {year}."))
