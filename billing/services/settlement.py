"""The year-end settlement: realised volumes (imported) against billed volumes give one settlement
invoice, or a credit note, per customer."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from core.csvinput import CsvProblems, read_csv
from core.history import save_with_history
from core.periods import Period
from services.models import Service
from services.selectors import tariffs_for_year
from tenants.models import Organisation
from tenants.types import User

from ..calculations import QUANTITY, line_amount, totals
from ..models import Invoice, InvoiceLine, RealisedVolume
from ..selectors import active_agreement, billed_volumes, customers_by_name_or_code, is_internal_customer
from .invoices import check_price_equality, create_draft, lock_customer, vat_rate
from .issuing import issue_invoice

REALISED_COLUMNS = ("gemeente", "dienstcode", "volume")


@transaction.atomic
def import_realised_volumes(
    *, source: bytes | str | Path, year: int, name: str | None = None, by: User | None = None
) -> int:
    """Read ``gemeente, dienstcode, volume`` for ``year``; every bad row reported, all or nothing.

    A second import of the same customer and service replaces its volume. Returns the rows read.
    """
    customers = customers_by_name_or_code()
    services = {s.code.upper(): s for s in Service.objects.all()}
    problems = []
    parsed: dict[tuple[int, int], tuple[Organisation, Service, Decimal]] = {}
    first_row: dict[tuple[int, int], int] = {}
    file_name = name
    for row in read_csv(source, name=name, columns=REALISED_COLUMNS):
        file_name = row.file
        gemeente = row.text("gemeente")
        code = row.text("dienstcode")
        volume = row.decimal("volume", places=4, minimum=Decimal(0))
        customer = customers.get(gemeente.lower()) if gemeente else None
        if gemeente and customer is None:
            row.problem(
                "gemeente", _("'%(value)s' is geen bekende gemeente (naam of CBS-code)") % {"value": gemeente}
            )
        service = services.get(code.upper()) if code else None
        if code and service is None:
            row.problem("dienstcode", _("'%(code)s' staat niet in de catalogus") % {"code": code})
        if customer is not None and service is not None:
            key = (customer.pk, service.pk)
            if key in first_row:
                row.problem(
                    "dienstcode",
                    _("'%(code)s' voor '%(gemeente)s' staat al op rij %(row)s")
                    % {"code": code, "gemeente": gemeente, "row": first_row[key]},
                )
            else:
                first_row[key] = row.number
        if row.problems:
            problems.extend(row.problems)
        elif customer is not None and service is not None and volume is not None:
            parsed[(customer.pk, service.pk)] = (customer, service, volume)
    if problems:
        raise CsvProblems(problems)
    source_name = (file_name or "")[:200]
    for customer, service, volume in parsed.values():
        realised = RealisedVolume.objects.select_for_update().filter(
            customer=customer, service=service, year=year
        ).first() or RealisedVolume(customer=customer, service=service, year=year)
        realised.volume, realised.source = volume, source_name
        save_with_history(realised, by=by, reason=source_name)
    return len(parsed)


@dataclass
class SettlementResult:
    created: list[Invoice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _settlement_lines(
    *, volumes: list[RealisedVolume], billed: dict[int, Decimal], tariffs: dict, year: int, internal: bool
) -> list[InvoiceLine]:
    """(realised - billed volume) x tariff per service; services without a difference or tariff skipped."""
    lines = []
    for realised in volumes:
        tariff = tariffs.get(realised.service_id)
        difference = (realised.volume - billed.get(realised.service_id, Decimal(0))).quantize(QUANTITY)
        if tariff is None or difference == 0:
            continue
        lines.append(
            InvoiceLine(
                service=realised.service,
                description=_("Nacalculatie %(year)s: %(service)s")
                % {"year": year, "service": realised.service.name},
                quantity=difference,
                unit_price=tariff.unit_price,
                periods_per_year=1,
                net_amount=line_amount(quantity=difference, unit_price=tariff.unit_price, periods=1),
                vat_category=realised.service.vat_category,
                vat_rate=vat_rate(realised.service, internal=internal),
            )
        )
    return lines


def settle_year(*, year: int, by: User | None = None, issue: bool = False) -> SettlementResult:
    """Per customer: (realised - billed volume) x tariff gives one settlement invoice, or a credit note
    when the gross total (what the customer pays or receives) is negative. Running it again adds
    nothing (and the unique constraint holds)."""
    realised_rows = list(
        RealisedVolume.objects.filter(year=year)
        .select_related("customer", "service")
        .order_by("customer__name", "service__code")
    )
    if not realised_rows:
        raise ValidationError(
            _("Er zijn voor %(year)s geen gerealiseerde afnames ingelezen.") % {"year": year}
        )
    check_price_equality(year=year)
    tariffs = tariffs_for_year(year)
    per_customer: dict[int, list[RealisedVolume]] = defaultdict(list)
    for realised in realised_rows:
        per_customer[realised.customer_id].append(realised)
    result = SettlementResult()
    for volumes in per_customer.values():
        customer = volumes[0].customer
        with transaction.atomic():
            lock_customer(customer.pk)
            existing = Invoice.objects.filter(
                customer=customer, year=year, purpose=Invoice.Purpose.SETTLEMENT
            ).first()
            if existing is not None:
                result.notes.append(
                    _("%(customer)s: %(year)s is al afgerekend (%(invoice)s).")
                    % {"customer": customer.name, "year": year, "invoice": existing}
                )
                continue
            billed, covered = billed_volumes(customer_id=customer.pk, year=year)
            if covered != 1:
                result.notes.append(
                    _("%(customer)s: nog niet elke periode van %(year)s is gefactureerd; geen nacalculatie.")
                    % {"customer": customer.name, "year": year}
                )
                continue
            internal = is_internal_customer(customer)
            lines = _settlement_lines(
                volumes=volumes, billed=billed, tariffs=tariffs, year=year, internal=internal
            )
            if not lines:
                result.notes.append(
                    _("%(customer)s: de gerealiseerde afname is gelijk aan de gefactureerde.")
                    % {"customer": customer.name}
                )
                continue
            # What the customer pays or receives decides: a negative net with positive VAT (less of an
            # exempt service, more of a taxed one) is still an invoice the customer pays.
            if totals(lines).gross < 0:
                kind = Invoice.Kind.CREDIT_NOTE
            else:
                kind = Invoice.Kind.INTERNAL if internal else Invoice.Kind.INVOICE
            invoice = Invoice(
                kind=kind,
                purpose=Invoice.Purpose.SETTLEMENT,
                customer=customer,
                agreement=active_agreement(customer, Period(year)),
                year=year,
                period=str(year),
                period_start=date(year, 1, 1),
                period_end=date(year, 12, 31),
                note=_("Nacalculatie %(year)s: gerealiseerde tegen gefactureerde afname.") % {"year": year},
            )
            create_draft(invoice=invoice, lines=lines, by=by)
            if issue:
                invoice = issue_invoice(invoice=invoice, by=by)
            result.created.append(invoice)
    return result
