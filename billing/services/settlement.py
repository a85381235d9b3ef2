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
from django.utils import timezone
from django.utils.translation import gettext as _

from core.csvinput import CsvProblems, read_csv
from core.history import delete_with_history, save_with_history
from core.periods import Period
from core.years import MAX_YEAR, MIN_YEAR, is_valid_year
from services.models import Service
from services.selectors import tariffs_for_year
from tenants.models import Organisation
from tenants.types import User

from ..calculations import QUANTITY, line_amount, totals
from ..models import BillingRun, Invoice, InvoiceLine, RealisedVolume
from ..selectors import active_agreement, billed_volumes, customers_by_name_or_code, is_internal_customer
from .invoices import check_price_equality, create_draft, lock_customer, vat_rate
from .issuing import issue_invoice
from .runs import begin_run, fail_run

REALISED_COLUMNS = ("gemeente", "dienstcode", "volume")


@dataclass
class RealisedImport:
    """What an import of realised volumes did: the rows read, and the year's set it replaced."""

    year: int
    rows: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    removed: list[str] = field(default_factory=list)


def check_year(year: int) -> None:
    if not is_valid_year(year):
        raise ValidationError(
            _("Het jaar %(year)s ligt niet tussen %(min)s en %(max)s.")
            % {"year": year, "min": MIN_YEAR, "max": MAX_YEAR}
        )


def settled_customers(year: int) -> list[str]:
    """The customers whose settlement of ``year`` stands (made and not fully credited)."""
    return list(
        Invoice.objects.filter(year=year, purpose=Invoice.Purpose.SETTLEMENT)
        .exclude(status=Invoice.Status.CREDITED)
        .order_by("customer__name")
        .values_list("customer__name", flat=True)
        .distinct()
    )


@transaction.atomic
def import_realised_volumes(
    *, source: bytes | str | Path, year: int, name: str | None = None, by: User | None = None
) -> RealisedImport:
    """Read ``gemeente, dienstcode, volume`` for ``year``; every bad row reported, all or nothing.

    The file is the year's whole set: it replaces what an earlier import of the year held, and a row
    the file no longer has is removed (each change with history). A year whose settlement stands is
    refused: credit that settlement first, then import and settle again.
    """
    check_year(year)
    customers = customers_by_name_or_code()
    services = {s.code.upper(): s for s in Service.objects.all()}
    problems = []
    parsed: dict[tuple[int, int], tuple[Organisation, Service, Decimal]] = {}
    first_row: dict[tuple[int, int], int] = {}
    file_name = name
    volume_field = RealisedVolume._meta.get_field("volume")
    for row in read_csv(source, name=name, columns=REALISED_COLUMNS):
        file_name = row.file
        gemeente = row.text("gemeente", max_length=200)
        code = row.text("dienstcode", max_length=Service._meta.get_field("code").max_length)
        volume = row.decimal("volume", minimum=Decimal(0), field=volume_field)
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
    # Serialise with settling (the same per-customer locks), then refuse a year already settled.
    for customer_id in sorted({c.pk for c in customers.values()}):
        lock_customer(customer_id)
    if settled := settled_customers(year):
        raise ValidationError(
            _(
                "%(year)s is al afgerekend voor %(customers)s; een nieuwe import verandert daar niets meer. "
                "Crediteer eerst die nacalculatie."
            )
            % {"year": year, "customers": ", ".join(settled)}
        )
    source_name = (file_name or "")[:200]
    result = RealisedImport(year=year, rows=len(parsed))
    existing = {
        (r.customer_id, r.service_id): r
        for r in RealisedVolume.objects.select_for_update()
        .filter(year=year)
        .select_related("customer", "service")
    }
    for key, (customer, service, volume) in parsed.items():
        realised = existing.pop(key, None)
        if realised is None:
            realised = RealisedVolume(customer=customer, service=service, year=year)
            result.created += 1
        elif realised.volume == volume:
            result.unchanged += 1
        else:
            result.updated += 1
        realised.volume, realised.source = volume, source_name
        save_with_history(realised, by=by, reason=source_name)
    for stale in sorted(existing.values(), key=lambda r: (r.customer.name, r.service.code)):
        result.removed.append(f"{stale.customer.name} {stale.service.code}")
        delete_with_history(stale, by=by, reason=_("niet meer in %(file)s") % {"file": source_name})
    return result


@dataclass
class SettlementResult:
    created: list[Invoice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    run: BillingRun | None = None


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


def settle_year(
    *, year: int, by: User | None = None, issue: bool = False, run: BillingRun | None = None
) -> SettlementResult:
    """Per customer: (realised - billed volume) x tariff gives one settlement invoice, or a credit note
    when the gross total (what the customer pays or receives) is negative. Running it again adds
    nothing (and the unique constraint holds); a settlement fully credited since is made again.

    The work is recorded as a run of the whole year (``BillingRun`` with period ``2024``): its
    heartbeat per customer, how it ended and why. A refusal raises ValidationError after it is
    recorded; any other failure is recorded on a connection of its own and raised again.
    """
    check_year(year)
    run = begin_run(run, period=str(year), by=by)
    result = SettlementResult(run=run)
    try:
        _settle(year=year, by=by, issue=issue, result=result)
    except ValidationError as exc:
        run_done(run, status=BillingRun.Status.FAILED, notes=[*result.notes, *exc.messages], created=result)
        raise
    except Exception as exc:
        fail_run(run, exc, notes=result.notes)
        raise
    run_done(run, status=BillingRun.Status.DONE, notes=result.notes, created=result)
    return result


def run_done(run: BillingRun, *, status: str, notes: list[str], created: SettlementResult) -> None:
    run.status, run.finished_at, run.message = status, timezone.now(), "\n".join(notes)
    run.invoices_created = len(created.created)
    run.heartbeat_at = run.finished_at
    run.save(update_fields=["status", "finished_at", "message", "invoices_created", "heartbeat_at"])


def _settle(*, year: int, by: User | None, issue: bool, result: SettlementResult) -> None:
    run = result.run
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
    assert run is not None
    run.progress_total = len(per_customer)
    for done, volumes in enumerate(per_customer.values(), start=1):
        customer = volumes[0].customer
        run.progress_done, run.heartbeat_at = done - 1, timezone.now()
        run.save(update_fields=["progress_done", "progress_total", "heartbeat_at"])
        with transaction.atomic():
            lock_customer(customer.pk)
            # A settlement that credit notes fully cover no longer stands: the year may be settled again.
            existing = (
                Invoice.objects.filter(customer=customer, year=year, purpose=Invoice.Purpose.SETTLEMENT)
                .exclude(status=Invoice.Status.CREDITED)
                .first()
            )
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
                billing_run=run,
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
    run.progress_done = len(per_customer)
