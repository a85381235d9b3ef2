"""``run_billing --period 2024-Q1 [--dry-run] [--issue]``: bill one period (idempotent)."""

from django.core.management.base import BaseCommand, CommandError

from billing.models import BillingRun
from billing.selectors import period_drafts, stranded_by_period
from billing.services.runs import run_billing
from core.periods import Period
from core.texts import render


class Command(BaseCommand):
    help = (
        "Bill a period (2024-Q1 or 2024-03): one draft invoice per customer; --issue then issues every "
        "draft of the period, whichever run made it."
    )

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True, help="2024-Q1 for a quarter, 2024-03 for a month")
        parser.add_argument("--dry-run", action="store_true", help="show what would be billed, write nothing")
        parser.add_argument("--issue", action="store_true", help="issue every draft of the period")
        parser.add_argument(
            "--force",
            action="store_true",
            help="issue even when open change requests take effect by the period's end (they are left behind)",
        )

    def handle(self, *args, **options):
        try:
            period = Period.parse(options["period"])
        except ValueError as exc:
            raise CommandError(str(exc)) from None
        if period.kind == "year":
            raise CommandError(f"{period}: bill a quarter or a month; a whole year is settled (settle_year).")
        if options["issue"] and not options["dry_run"] and not options["force"]:
            stranded = list(stranded_by_period(period))
            if stranded:
                names = "\n".join(
                    f"  {r.pk}: {r.agreement.customer.name}, {r.service.code}, "
                    f"{r.get_kind_display().lower()} per {r.effective_from.isoformat()}"
                    for r in stranded
                )
                raise CommandError(
                    f"{len(stranded)} open change request(s) take effect by {period.end.isoformat()}; issuing "
                    f"{period} would leave them behind. Decide on them first, or pass --force:\n{names}"
                )
        run = run_billing(period=period, dry_run=options["dry_run"], issue=options["issue"])
        if run.message:
            self.stdout.write(render(run.message))
        if run.status != BillingRun.Status.DONE:
            raise CommandError(f"Billing run for {period} failed.")
        verb = "would bill" if run.is_dry_run else "created"
        count = run.progress_total if run.is_dry_run else run.invoices_created
        self.stdout.write(self.style.SUCCESS(f"{period}: {verb} {count} invoice(s)."))
        if options["issue"] and not run.is_dry_run:
            left = period_drafts(period).count()
            if left:
                raise CommandError(f"{period}: {left} draft(s) could not be issued (see above).")
