"""Demo billing for ``seed_demo``: every period from 2023 up to the current one billed in advance.

Past periods are issued on their first working day (so numbers run in date order per year) and paid,
except the latest issued one; the current period waits as drafts for Leiden's staff to issue in the
portal. 2023 is settled against realised volumes (a few percent off the agreed volumes), and one
Leiderdorp invoice line of 2024-Q2 is credited. Idempotent: a second seed adds nothing.
"""

from __future__ import annotations

import zlib
from datetime import datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from django.conf import settings
from django.utils import timezone

from agreements.models import Agreement, AgreementLine
from core.periods import Period
from core.texts import render
from services.models import Tariff

from .models import Invoice, RealisedVolume
from .services.credit_notes import create_credit_note
from .services.issuing import issue_drafts, mark_invoice_paid
from .services.runs import run_billing
from .services.settlement import settle_year
from .workdays import first_working_day

FIRST_YEAR = 2023
SETTLED_YEAR = 2023
CREDIT = ("leiderdorp", "2024-Q2")
DEMO_MARK = "[demo]"


def _periods(today) -> list[Period]:
    granularity = settings.BILLING_PERIOD
    current = Period.containing(today, granularity=granularity)
    period = Period.containing(Period(FIRST_YEAR).start, granularity=granularity)
    periods = []
    while period <= current:
        periods.append(period)
        period = period.next()
    return periods


def _seed_realised_volumes(year: int) -> int:
    """Realised volumes a few percent off the agreed ones, stable between seeds."""
    count = 0
    lines = AgreementLine.objects.filter(
        year=year, agreement__status=Agreement.Status.ACTIVE, volume__gt=0
    ).select_related("agreement__customer", "service")
    for line in lines:
        customer = line.agreement.customer
        drift = Decimal(zlib.crc32(f"{customer.slug}|{line.service.code}|{year}".encode()) % 9 - 4)
        volume = (line.volume * (Decimal(100) + drift) / Decimal(100)).quantize(
            Decimal("0.01"), rounding=ROUND_HALF_UP
        )
        RealisedVolume.objects.update_or_create(
            customer=customer,
            service=line.service,
            year=year,
            defaults={"volume": volume, "source": f"demo {DEMO_MARK}"},
        )
        count += 1
    return count


def _settle(year: int, *, issue_date) -> int:
    if not RealisedVolume.objects.filter(year=year).exists():
        _seed_realised_volumes(year)
    result = settle_year(year=year)
    drafts = Invoice.objects.filter(
        year=year, purpose=Invoice.Purpose.SETTLEMENT, status=Invoice.Status.DRAFT
    ).select_related("customer")
    issue_drafts(invoices=drafts, issue_date=issue_date)
    return len(result.created)


def seed(*, password: str, log=print) -> None:
    today = timezone.localdate()
    if not Agreement.objects.filter(status=Agreement.Status.ACTIVE).exists():
        log("billing: no active agreements, nothing billed")
        return
    years_with_tariffs = set(Tariff.objects.values_list("year", flat=True).distinct())
    periods = [p for p in _periods(today) if p.year in years_with_tariffs]
    if not periods:
        log("billing: no tariffs for the demo years, nothing billed")
        return
    current = periods[-1]
    created = issued = settled = 0
    for period in periods:
        if period.year == SETTLED_YEAR + 1 and period.start.month > 3 and not settled:
            # The settlement of the past year goes out in March, before the second quarter's invoices.
            settled = _settle(SETTLED_YEAR, issue_date=first_working_day(Period(period.year, month=3)))
        run = run_billing(period=period)
        if run.status != run.Status.DONE:
            log(f"billing: {period} stopped: {render(run.message)}")
            return
        created += run.invoices_created
        if period != current:
            drafts = Invoice.objects.filter(
                period=str(period), purpose=Invoice.Purpose.PERIODIC, status=Invoice.Status.DRAFT
            ).select_related("customer")
            issued += len(issue_drafts(invoices=drafts, issue_date=first_working_day(period)))
    # Everything issued is paid a week before its due date, except the latest issued period.
    latest_issued = periods[-2] if len(periods) > 1 else None
    unpaid = Invoice.objects.filter(status=Invoice.Status.ISSUED).exclude(kind=Invoice.Kind.CREDIT_NOTE)
    if latest_issued is not None:
        unpaid = unpaid.exclude(period=str(latest_issued))
    paid = 0
    for invoice in unpaid:
        paid_at = timezone.make_aware(datetime.combine(invoice.due_date - timedelta(days=7), time(12)))
        mark_invoice_paid(invoice=invoice, paid_at=paid_at)
        paid += 1
    credited = 0
    original = (
        Invoice.objects.filter(customer__slug=CREDIT[0], period=CREDIT[1], purpose=Invoice.Purpose.PERIODIC)
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .exclude(status=Invoice.Status.DRAFT)
        .first()
    )
    if original is not None and not original.credit_notes.exists():
        line = original.lines.order_by("service__code").first()
        create_credit_note(
            invoice=original,
            lines=[line],
            reason=f"Correctie: {line.service.name} dubbel in rekening gebracht {DEMO_MARK}",
        )
        credited = 1
    log(
        f"billing: {created} invoices created, {issued} issued, {paid} marked paid, "
        f"{settled} settlement documents, {credited} credit notes"
    )
