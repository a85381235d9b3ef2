"""``settle_year 2024 [--issue]``: one settlement invoice or credit note per customer (idempotent)."""

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from billing.services.settlement import settle_year
from core.years import MAX_YEAR, MIN_YEAR, is_valid_year


class Command(BaseCommand):
    help = "Year-end settlement: (realised - billed volume) x tariff per customer."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--issue", action="store_true", help="issue the settlement documents")

    def handle(self, *args, **options):
        if not is_valid_year(options["year"]):
            raise CommandError(f"{options['year']}: a year from {MIN_YEAR} to {MAX_YEAR}.")
        try:
            result = settle_year(year=options["year"], issue=options["issue"])
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        for note in result.notes:
            self.stdout.write(note)
        for invoice in result.created:
            self.stdout.write(
                f"{invoice.customer.name}: {invoice.get_kind_display()} {invoice.number or '(concept)'} "
                f"{invoice.net_total}"
            )
        self.stdout.write(self.style.SUCCESS(f"{len(result.created)} settlement document(s) created."))
