"""``index_tariffs --from 2025 --to 2026 --percent 3.1``: next year's tariffs from this year's."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from core.csvinput import parse_decimal
from core.money import format_eur
from services.services import index_tariffs


def percent_argument(value: str) -> Decimal:
    """``3,1`` or ``3.1``, read as the CSV input reads decimals."""
    percent = parse_decimal(value)
    if percent is None:
        raise ValueError(value)
    return percent


class Command(BaseCommand):
    help = (
        "Create the tariffs of --to from those of --from, raised by --percent (rounded half-up to cents). "
        "Refuses when --to already has tariffs."
    )

    def add_arguments(self, parser):
        parser.add_argument("--from", dest="from_year", type=int, required=True, help="base year, e.g. 2025")
        parser.add_argument("--to", dest="to_year", type=int, required=True, help="target year, e.g. 2026")
        parser.add_argument(
            "--percent", type=percent_argument, required=True, help="e.g. 3.1 (or 3,1) for +3.1%%"
        )

    def handle(self, *args, from_year, to_year, percent, **options):
        try:
            created = index_tariffs(from_year=from_year, to_year=to_year, percent=percent)
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        total = sum((t.unit_price for t in created), Decimal(0))
        for tariff in created[:5]:
            self.stdout.write(f"  {tariff.service.code}: {format_eur(tariff.unit_price)}")
        if len(created) > 5:
            self.stdout.write(f"  … ({len(created) - 5} more)")
        self.stdout.write(
            self.style.SUCCESS(
                f"{len(created)} tariffs for {to_year} created from {from_year} at {percent}% "
                f"(sum of unit prices {format_eur(total)})."
            )
        )
