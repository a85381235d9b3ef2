"""``price_equality_report --year 2024``: the same-price proof; exits non-zero on any deviation."""

from django.core.management.base import BaseCommand, CommandError

from billing.selectors import price_equality
from core.years import MAX_YEAR, MIN_YEAR, is_valid_year


class Command(BaseCommand):
    help = "Per service the tariff and the unit prices billed to each customer; fails on any deviation."

    def add_arguments(self, parser):
        parser.add_argument("--year", type=int, required=True)

    def handle(self, *args, **options):
        if not is_valid_year(options["year"]):
            raise CommandError(f"--year {options['year']}: a year from {MIN_YEAR} to {MAX_YEAR}.")
        report = price_equality(options["year"])
        for row in report.rows:
            billed = "; ".join(
                f"{name}: {', '.join(str(p) for p in prices)}" for name, prices in row.prices.items()
            )
            verdict = "OK" if row.is_equal else "DEVIATION"
            self.stdout.write(f"{row.service.code}\ttariff {row.tariff}\t{billed or '-'}\t{verdict}")
        if not report.is_equal:
            raise CommandError(
                f"Price equality {report.year}: {len(report.deviations)} service(s) deviate: "
                + ", ".join(row.service.code for row in report.deviations)
            )
        self.stdout.write(
            self.style.SUCCESS(
                f"Price equality {report.year}: every customer paid the tariff for every service."
            )
        )
