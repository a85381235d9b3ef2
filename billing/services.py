"""Every write of billing: runs, issuing with gapless numbers, credit notes and the year-end settlement.

The rules (DESIGN.md rule 5): one periodic invoice per customer per period, whatever runs at the same
time (a per-customer lock plus the database's unique constraint); numbers assigned when issued from a
counter row per series and year, locked in the same transaction (a PostgreSQL sequence would leave gaps
after a rollback); issued invoices never change (corrections are credit notes); every run and every
issue checks that each line carries the one tariff of its service and year (rule 1).
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agreements.models import Agreement
from agreements.selectors import agreement_in_force as active_agreement_for
from agreements.selectors import volumes_on
from agreements.services import ensure_lines_for_year, record_billed_period
from core.csvinput import CsvProblems, read_csv
from core.money import format_eur
from core.periods import Period
from services.models import VAT_RATES, Service, Tariff, VatCategory
from services.selectors import tariffs_for_year
from services.services import lock_tariffs
from tenants.models import Organisation
from tenants.roles import Role
from tenants.services import grant_object_permissions

from .calculations import QUANTITY, line_amount, periods_per_year, totals
from .models import BillingRun, Invoice, InvoiceLine, NumberSeries, RealisedVolume
from .selectors import customers_to_bill, price_equality
from .workdays import first_working_day

logger = logging.getLogger(__name__)

PAYMENT_TERM_DAYS = 30
# First key of the PostgreSQL advisory lock that serialises billing per customer ("71" + issue 5).
BILLING_LOCK_CLASS = 7105
INVOICE_PERMISSIONS = {
    Role.CONTRACT_MANAGER: ["view_invoice"],
    Role.FINANCE: ["view_invoice"],
    Role.PROVIDER_STAFF: ["view_invoice", "change_invoice"],
    Role.PROVIDER_FINANCE: ["view_invoice"],
}


# --- Helpers over the lower apps -------------------------------------------------------------------


def active_agreement(customer: Organisation, period: Period) -> Agreement | None:
    """The customer's agreement in force in ``period`` (on its first day, else on its last)."""
    return active_agreement_for(customer=customer, on=period.start) or active_agreement_for(
        customer=customer, on=period.end
    )


def _lock_customer(customer_id: int) -> None:
    """Serialise billing writes per customer until the transaction ends (PostgreSQL only; elsewhere
    the unique constraint alone stops a duplicate)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [BILLING_LOCK_CLASS, customer_id])


def is_internal_customer(customer: Organisation) -> bool:
    return customer.kind == Organisation.Kind.PROVIDER


def grant_invoice_permissions(invoice: Invoice) -> None:
    grant_object_permissions(obj=invoice, organisation=invoice.customer, perms=INVOICE_PERMISSIONS)


def _apply_totals(invoice: Invoice, lines: Iterable[InvoiceLine]) -> None:
    result = totals(lines)
    invoice.net_total, invoice.vat_total, invoice.gross_total = result.net, result.vat, result.gross


def _vat_rate(service: Service, *, internal: bool) -> Decimal:
    return Decimal("0.00") if internal else VAT_RATES[VatCategory(service.vat_category)]


def check_price_equality(*, year: int) -> None:
    """Refuse when any invoice line of ``year`` carries another unit price than the tariff."""
    report = price_equality(year)
    if not report.is_equal:
        names = ", ".join(f"{row.service.code} ({', '.join(row.deviations)})" for row in report.deviations)
        raise ValidationError(
            _("Prijsgelijkheid geschonden in %(year)s: %(services)s. Er wordt niets gefactureerd.")
            % {"year": year, "services": names}
        )


# --- Billing runs ----------------------------------------------------------------------------------


@dataclass
class InvoicePlan:
    """What one customer would be billed for a period, before anything is written."""

    customer: Organisation
    agreement: Agreement
    lines: list[InvoiceLine] = field(default_factory=list)

    @property
    def is_internal(self) -> bool:
        return is_internal_customer(self.customer)

    @property
    def net_total(self) -> Decimal:
        return totals(self.lines).net


def _volumes_date(agreement: Agreement, period: Period) -> date:
    """The day whose volumes a period bills: its first day, or the agreement's first day when the
    agreement starts within the period."""
    return max(period.start, agreement.start_date)


def _periodic_lines(
    *, agreement: Agreement, period: Period, internal: bool, tariffs: dict, missing: set[str]
) -> list[InvoiceLine]:
    """The lines of one period: the volumes in force on the period's first day at the year's tariff.

    A change approved from a later date within the year does not count yet; a year without lines of
    its own renews the latest earlier year's volumes (``agreements.selectors.volumes_on``). Services
    without a tariff are added to ``missing``.
    """
    periods = periods_per_year(period)
    volumes = {
        service_id: volume
        for service_id, volume in volumes_on(agreement=agreement, on=_volumes_date(agreement, period)).items()
        if volume and volume > 0
    }
    lines = []
    for service in Service.objects.filter(pk__in=volumes).order_by("code"):
        volume = volumes[service.pk]
        tariff = tariffs.get(service.pk)
        if tariff is None:
            missing.add(service.code)
            continue
        lines.append(
            InvoiceLine(
                service=service,
                description=service.name,
                quantity=volume,
                unit_price=tariff.unit_price,
                periods_per_year=periods,
                net_amount=line_amount(quantity=volume, unit_price=tariff.unit_price, periods=periods),
                vat_category=service.vat_category,
                vat_rate=_vat_rate(service, internal=internal),
            )
        )
    return lines


def _missing_tariffs_error(year: int, missing: set[str]) -> ValidationError:
    return ValidationError(
        _("Geen tarief voor %(year)s voor: %(codes)s. Er wordt niets gefactureerd.")
        % {"year": year, "codes": ", ".join(sorted(missing))}
    )


def plan_period(period: Period, *, renew: bool = False, by=None) -> list[InvoicePlan]:
    """Per customer with an agreement in force: the volumes in force on the period's first day at the
    year's tariff.

    ``renew`` first gives an agreement in force its lines for the period's year when it has none
    (``agreements.services.ensure_lines_for_year``: it renews with the latest earlier year's volumes);
    a dry run leaves it off and plans the same volumes without writing them.
    Raises ValidationError (naming every service) when a billed service has no tariff for the year.
    """
    if period.kind == "year":
        raise ValidationError(_("Factureer per kwartaal of per maand, niet per jaar."))
    tariffs = tariffs_for_year(period.year)
    plans = []
    missing: set[str] = set()
    for customer in customers_to_bill():
        agreement = active_agreement(customer, period)
        if agreement is None:
            continue
        if renew:
            ensure_lines_for_year(agreement=agreement, year=period.year, by=by)
        plan = InvoicePlan(customer=customer, agreement=agreement)
        plan.lines = _periodic_lines(
            agreement=agreement, period=period, internal=plan.is_internal, tariffs=tariffs, missing=missing
        )
        if plan.lines:
            plans.append(plan)
    if missing:
        raise _missing_tariffs_error(period.year, missing)
    return plans


def _existing_periodic_invoice(customer_id: int, period: Period) -> Invoice | None:
    """A periodic invoice of the customer that covers any day of ``period`` (the same period, or an
    overlapping month or quarter when the billing period setting changed)."""
    return (
        Invoice.objects.filter(
            customer_id=customer_id,
            purpose=Invoice.Purpose.PERIODIC,
            period_start__lte=period.end,
            period_end__gte=period.start,
        )
        .exclude(kind=Invoice.Kind.CREDIT_NOTE)
        .first()
    )


def _bill_customer(plan: InvoicePlan, period: Period, run: BillingRun | None) -> tuple[Invoice | None, str]:
    """Create the draft invoice of one plan; returns (invoice or None, a note when nothing was made)."""
    try:
        with transaction.atomic():
            _lock_customer(plan.customer.pk)
            existing = _existing_periodic_invoice(plan.customer.pk, period)
            if existing is not None and existing.status == Invoice.Status.DRAFT:
                return None, _(
                    "%(customer)s: voor %(period)s is al een concept aanwezig; het wordt bij verzenden "
                    "herberekend."
                ) % {"customer": plan.customer.name, "period": existing.period}
            if existing is not None:
                return None, _("%(customer)s: %(period)s is al gefactureerd (%(invoice)s).") % {
                    "customer": plan.customer.name,
                    "period": existing.period,
                    "invoice": existing,
                }
            invoice = Invoice(
                kind=Invoice.Kind.INTERNAL if plan.is_internal else Invoice.Kind.INVOICE,
                purpose=Invoice.Purpose.PERIODIC,
                customer=plan.customer,
                agreement=plan.agreement,
                billing_run=run,
                year=period.year,
                period=str(period),
                period_start=period.start,
                period_end=period.end,
            )
            _apply_totals(invoice, plan.lines)
            invoice.save()
            for line in plan.lines:
                line.invoice = invoice
            InvoiceLine.objects.bulk_create(plan.lines)
            grant_invoice_permissions(invoice)
            return invoice, ""
    except IntegrityError:
        # Another run made this customer's invoice for the period between our check and our insert.
        return None, _("%(customer)s: %(period)s is al gefactureerd.") % {
            "customer": plan.customer.name,
            "period": period,
        }


def _unbilled_earlier_periods(plans: list[InvoicePlan], period: Period) -> list[str]:
    """Warnings for earlier periods of the year without an invoice, so no period is skipped unseen."""
    warnings = []
    for plan in plans:
        earlier = Period.containing(date(period.year, 1, 1), granularity=period.kind)
        while earlier < period:
            if earlier.end >= plan.agreement.start_date and not _existing_periodic_invoice(
                plan.customer.pk, earlier
            ):
                warnings.append(
                    _("Let op: %(customer)s is voor %(period)s nog niet gefactureerd.")
                    % {"customer": plan.customer.name, "period": earlier}
                )
            earlier = earlier.next()
    return warnings


def _update_run(run: BillingRun, **changes) -> None:
    for name, value in changes.items():
        setattr(run, name, value)
    run.save(update_fields=list(changes))


def start_billing_run(*, period: Period, by=None, dry_run: bool = False) -> BillingRun:
    """Queue a run for ``period``; a Celery worker does the work (progress shows on the run)."""
    from .tasks import execute_billing_run

    run = BillingRun.objects.create(period=str(period), is_dry_run=dry_run, started_by=by)
    transaction.on_commit(lambda: execute_billing_run.delay(run_id=run.pk))
    return run


def run_billing(
    *,
    period: Period,
    by=None,
    dry_run: bool = False,
    issue: bool = False,
    run: BillingRun | None = None,
) -> BillingRun:
    """Bill ``period``: one draft invoice per customer from its active agreement; ``issue`` issues them.

    Idempotent: a customer already billed for the period (or an overlapping one) gets nothing new. The
    price equality of the year is checked first; a deviation stops the run before anything is written.
    The run's status, progress and message say what happened; failures are recorded, not raised.
    """
    if run is None:
        run = BillingRun.objects.create(period=str(period), is_dry_run=dry_run, started_by=by)
    _update_run(
        run,
        status=BillingRun.Status.RUNNING,
        started_at=timezone.now(),
        progress_done=0,
        invoices_created=0,
        message="",
    )
    notes: list[str] = []
    try:
        check_price_equality(year=period.year)
        plans = plan_period(period, renew=not dry_run, by=by)
        _update_run(run, progress_total=len(plans))
        if dry_run:
            for plan in plans:
                existing = _existing_periodic_invoice(plan.customer.pk, period)
                if existing is None:
                    state = _("nieuw")
                elif existing.status == Invoice.Status.DRAFT:
                    state = _("concept aanwezig, wordt bij verzenden herberekend")
                else:
                    state = _("al gefactureerd")
                notes.append(
                    f"{plan.customer.name}: {len(plan.lines)} "
                    f"{_('regels')}, {format_eur(plan.net_total)} {_('exclusief btw')} ({state})"
                )
            _update_run(run, progress_done=len(plans))
        else:
            created = []
            for done, plan in enumerate(plans, start=1):
                invoice, note = _bill_customer(plan, period, run)
                if invoice is not None:
                    created.append(invoice)
                if note:
                    notes.append(note)
                _update_run(run, progress_done=done, invoices_created=len(created))
            notes.extend(_unbilled_earlier_periods(plans, period))
            if issue:
                issue_drafts(invoices=created, by=by)
        if not plans:
            notes.append(_("Geen actieve overeenkomsten met regels voor %(period)s.") % {"period": period})
        _update_run(run, status=BillingRun.Status.DONE, finished_at=timezone.now(), message="\n".join(notes))
    except ValidationError as exc:
        logger.warning("Billing run %s for %s stopped: %s", run.pk, period, exc)
        _update_run(
            run,
            status=BillingRun.Status.FAILED,
            finished_at=timezone.now(),
            message="\n".join([*notes, *exc.messages]),
        )
    return run


def bill_due_period(*, day: date) -> BillingRun | None:
    """From the first working day of a period on, bill that period in advance (drafts to review)
    unless it already has a finished run, so a day the worker was down delays the run by a day
    instead of skipping the period. None when there is nothing to do."""
    period = Period.containing(day, granularity=settings.BILLING_PERIOD)
    if day < first_working_day(period):
        return None
    if BillingRun.objects.filter(
        period=str(period), is_dry_run=False, status=BillingRun.Status.DONE
    ).exists():
        return None
    return run_billing(period=period)


# --- Issuing ---------------------------------------------------------------------------------------


def _next_number(*, series: str, year: int) -> str:
    """The next number of a series, from its counter row locked until the transaction ends."""
    NumberSeries.objects.get_or_create(series=series, year=year)
    counter = NumberSeries.objects.select_for_update().get(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.format(counter.last_number)


def _check_lines_carry_the_tariff(invoice: Invoice, lines: list[InvoiceLine]) -> list[int]:
    """Every line's unit price is the tariff of its service and year; returns the tariffs' ids."""
    tariffs = {
        t.service_id: t
        for t in Tariff.objects.filter(year=invoice.year, service_id__in={line.service_id for line in lines})
    }
    wrong = sorted(
        line.service.code
        for line in lines
        if line.service_id not in tariffs or tariffs[line.service_id].unit_price != line.unit_price
    )
    if wrong:
        raise ValidationError(
            _("Deze factuur wijkt af van het tarief van %(year)s voor: %(codes)s. Zij wordt niet verzonden.")
            % {"year": invoice.year, "codes": ", ".join(wrong)}
        )
    return [t.pk for t in tariffs.values()]


def _is_recalculated_when_issued(invoice: Invoice) -> bool:
    return (
        invoice.purpose == Invoice.Purpose.PERIODIC
        and not invoice.is_credit_note
        and invoice.agreement_id is not None
    )


def _recalculate_periodic_draft(invoice: Invoice) -> None:
    """Rebuild a periodic draft's lines from the volumes in force on its period's first day, so a change
    approved after the draft was made is billed (the draft is locked by the caller's transaction)."""
    period = Period.parse(invoice.period)
    missing: set[str] = set()
    lines = _periodic_lines(
        agreement=invoice.agreement,
        period=period,
        internal=is_internal_customer(invoice.customer),
        tariffs=tariffs_for_year(period.year),
        missing=missing,
    )
    if missing:
        raise _missing_tariffs_error(period.year, missing)
    invoice.lines.all().delete()
    for line in lines:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(lines)


# What may happen to an invoice next: the services below refuse anything else, and the pages offer
# only these actions.
CREDITABLE_STATUSES = (Invoice.Status.ISSUED, Invoice.Status.PAID)


def can_be_issued(invoice: Invoice) -> bool:
    return invoice.status == Invoice.Status.DRAFT


def can_be_marked_paid(invoice: Invoice) -> bool:
    return invoice.status == Invoice.Status.ISSUED and not invoice.is_credit_note


def can_be_credited(invoice: Invoice, *, line_count: int, credited_line_ids: set[int]) -> bool:
    """An issued or paid invoice (not a credit note itself) with a line not credited yet."""
    return (
        invoice.status in CREDITABLE_STATUSES
        and not invoice.is_credit_note
        and len(credited_line_ids) < line_count
    )


@transaction.atomic
def issue_invoice(*, invoice: Invoice, by=None, issue_date: date | None = None) -> Invoice:
    """Issue a draft: its gapless number, date and payment term, in one transaction; locks the tariffs
    used and records the billed period on the agreement. A periodic draft is first recalculated from
    the volumes in force on its period's first day (its lines and totals rebuilt); the tariff check
    runs on the rebuilt lines."""
    invoice = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
    if not can_be_issued(invoice):
        raise ValidationError(_("Alleen een concept kan worden verzonden; deze factuur is al verzonden."))
    if _is_recalculated_when_issued(invoice):
        # A draft that deviates from the tariff is refused as it stands, before it is recalculated.
        _check_lines_carry_the_tariff(invoice, list(invoice.lines.select_related("service")))
        _recalculate_periodic_draft(invoice)
    lines = list(invoice.lines.select_related("service"))
    if not lines:
        raise ValidationError(_("Een factuur zonder regels kan niet worden verzonden."))
    tariff_ids = _check_lines_carry_the_tariff(invoice, lines)
    issue_date = issue_date or timezone.localdate()
    internal = is_internal_customer(invoice.customer)
    series = NumberSeries.Series.INTERNAL if internal else NumberSeries.Series.INVOICE
    _apply_totals(invoice, lines)
    invoice.number = _next_number(series=series, year=issue_date.year)
    invoice.status = Invoice.Status.ISSUED
    invoice.issue_date = issue_date
    invoice.due_date = issue_date + timedelta(days=PAYMENT_TERM_DAYS)
    invoice.issued_at = timezone.now()
    invoice.issued_by = by
    invoice.save()
    lock_tariffs(tariff_ids=tariff_ids)
    if invoice.purpose == Invoice.Purpose.PERIODIC and not invoice.is_credit_note and invoice.agreement_id:
        record_billed_period(agreement=invoice.agreement, period_end=invoice.period_end)
    if invoice.is_credit_note and invoice.credited_invoice_id:
        _mark_credited_when_complete(invoice.credited_invoice_id)
    return invoice


def issue_drafts(*, invoices: Iterable[Invoice], by=None, issue_date: date | None = None) -> list[Invoice]:
    """Issue several drafts in order, after checking the price equality of their years."""
    drafts = sorted(
        (i for i in invoices if i.status == Invoice.Status.DRAFT), key=lambda i: (i.customer.name, i.pk)
    )
    for year in sorted({i.year for i in drafts}):
        check_price_equality(year=year)
    return [issue_invoice(invoice=i, by=by, issue_date=issue_date) for i in drafts]


@transaction.atomic
def mark_invoice_paid(*, invoice: Invoice, paid_at=None) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.PAID:
        return invoice
    if not can_be_marked_paid(invoice):
        raise ValidationError(_("Alleen een verzonden factuur kan als betaald worden gemarkeerd."))
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = paid_at or timezone.now()
    invoice.save()
    return invoice


# --- Credit notes ----------------------------------------------------------------------------------


def credited_line_ids(original_id: int) -> set[int]:
    return set(
        InvoiceLine.objects.filter(credited_line__invoice_id=original_id).values_list(
            "credited_line_id", flat=True
        )
    )


def _mark_credited_when_complete(original_id: int) -> None:
    """The original becomes 'credited' once issued credit notes cover every one of its lines."""
    original = Invoice.objects.select_for_update().get(pk=original_id)
    line_ids = set(original.lines.values_list("pk", flat=True))
    covered = set(
        InvoiceLine.objects.filter(credited_line__invoice_id=original_id)
        .exclude(invoice__status=Invoice.Status.DRAFT)
        .values_list("credited_line_id", flat=True)
    )
    if line_ids and line_ids <= covered and original.status != Invoice.Status.CREDITED:
        original.status = Invoice.Status.CREDITED
        original.save()


@transaction.atomic
def create_credit_note(
    *,
    invoice: Invoice,
    lines: Iterable[InvoiceLine | int] | None = None,
    by=None,
    reason: str,
    issue: bool = True,
) -> Invoice:
    """A credit note for the whole invoice (``lines=None``) or for some of its lines, referencing the
    original, which stays untouched. Lines carry the negative quantity and amount. Issued at once
    unless ``issue=False``."""
    original = Invoice.objects.select_for_update().select_related("customer").get(pk=invoice.pk)
    if not (reason or "").strip():
        raise ValidationError(_("Geef de reden van de creditering."))
    if original.is_credit_note:
        raise ValidationError(_("Een creditnota kan zelf niet worden gecrediteerd."))
    if original.status not in CREDITABLE_STATUSES:
        raise ValidationError(_("Alleen een verzonden of betaalde factuur kan worden gecrediteerd."))
    original_lines = {line.pk: line for line in original.lines.select_related("service")}
    already = credited_line_ids(original.pk)
    if lines is None:
        chosen = [line for pk, line in original_lines.items() if pk not in already]
    else:
        ids = [line if isinstance(line, int) else line.pk for line in lines]
        foreign = [pk for pk in ids if pk not in original_lines]
        if foreign:
            raise ValidationError(_("Alleen regels van deze factuur kunnen worden gecrediteerd."))
        if any(pk in already for pk in ids):
            raise ValidationError(_("Een regel van deze factuur is al gecrediteerd."))
        chosen = [original_lines[pk] for pk in dict.fromkeys(ids)]
    if not chosen:
        raise ValidationError(_("Alle regels van deze factuur zijn al gecrediteerd."))
    note = Invoice(
        kind=Invoice.Kind.CREDIT_NOTE,
        purpose=Invoice.Purpose.CORRECTION,
        customer=original.customer,
        agreement=original.agreement,
        credited_invoice=original,
        year=original.year,
        period=original.period,
        period_start=original.period_start,
        period_end=original.period_end,
        note=reason.strip(),
    )
    credit_lines = [
        InvoiceLine(
            service=line.service,
            description=line.description,
            quantity=-line.quantity,
            unit_price=line.unit_price,
            periods_per_year=line.periods_per_year,
            net_amount=-line.net_amount,
            vat_category=line.vat_category,
            vat_rate=line.vat_rate,
            credited_line=line,
        )
        for line in chosen
    ]
    _apply_totals(note, credit_lines)
    note.save()
    for line in credit_lines:
        line.invoice = note
    InvoiceLine.objects.bulk_create(credit_lines)
    grant_invoice_permissions(note)
    if issue:
        note = issue_invoice(invoice=note, by=by)
    return note


# --- Year-end settlement ---------------------------------------------------------------------------

REALISED_COLUMNS = ("gemeente", "dienstcode", "volume")


def _customer_lookup() -> dict[str, Organisation]:
    lookup = {}
    for org in customers_to_bill():
        for key in (org.name, org.name.removeprefix("Gemeente "), org.slug, org.cbs_code):
            if key:
                lookup[key.strip().lower()] = org
    return lookup


@transaction.atomic
def import_realised_volumes(*, source: bytes | str | Path, year: int, name: str | None = None) -> int:
    """Read ``gemeente, dienstcode, volume`` for ``year``; every bad row reported, all or nothing.

    A second import of the same customer and service replaces its volume. Returns the rows read.
    """
    customers = _customer_lookup()
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
    for customer, service, volume in parsed.values():
        RealisedVolume.objects.update_or_create(
            customer=customer,
            service=service,
            year=year,
            defaults={"volume": volume, "source": (file_name or "")[:200]},
        )
    return len(parsed)


@dataclass
class SettlementResult:
    created: list[Invoice] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def _billed_volumes(customer_id: int, year: int) -> tuple[dict[int, Decimal], Decimal]:
    """Per service the volume billed over the year (quantity x period fraction, credit notes
    subtracted), and the fraction of the year the issued periodic invoices cover."""
    billed: dict[int, Decimal] = defaultdict(Decimal)
    lines = InvoiceLine.objects.filter(
        invoice__customer_id=customer_id,
        invoice__year=year,
        invoice__purpose__in=[Invoice.Purpose.PERIODIC, Invoice.Purpose.CORRECTION],
    ).exclude(invoice__status=Invoice.Status.DRAFT)
    for service_id, quantity, periods in lines.values_list("service_id", "quantity", "periods_per_year"):
        billed[service_id] += Decimal(quantity) / Decimal(periods)
    covered = sum(
        (
            Decimal(1) / Decimal(periods_per_year(Period.parse(p)))
            for p in Invoice.objects.filter(
                customer_id=customer_id, year=year, purpose=Invoice.Purpose.PERIODIC
            )
            .exclude(kind=Invoice.Kind.CREDIT_NOTE)
            .exclude(status=Invoice.Status.DRAFT)
            .values_list("period", flat=True)
        ),
        Decimal(0),
    )
    return billed, covered


def settle_year(*, year: int, by=None, issue: bool = False) -> SettlementResult:
    """Per customer: (realised - billed volume) x tariff gives one settlement invoice, or a credit note
    when the gross total (what the customer pays or receives) is negative. Running it again adds nothing (and the unique constraint holds)."""
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
            _lock_customer(customer.pk)
            existing = Invoice.objects.filter(
                customer=customer, year=year, purpose=Invoice.Purpose.SETTLEMENT
            ).first()
            if existing is not None:
                result.notes.append(
                    _("%(customer)s: %(year)s is al afgerekend (%(invoice)s).")
                    % {"customer": customer.name, "year": year, "invoice": existing}
                )
                continue
            billed, covered = _billed_volumes(customer.pk, year)
            if covered != 1:
                result.notes.append(
                    _("%(customer)s: nog niet elke periode van %(year)s is gefactureerd; geen nacalculatie.")
                    % {"customer": customer.name, "year": year}
                )
                continue
            internal = is_internal_customer(customer)
            lines = []
            for realised in volumes:
                tariff = tariffs.get(realised.service_id)
                difference = (realised.volume - billed.get(realised.service_id, Decimal(0))).quantize(
                    QUANTITY
                )
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
                        vat_rate=_vat_rate(realised.service, internal=internal),
                    )
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
            _apply_totals(invoice, lines)
            invoice.save()
            for line in lines:
                line.invoice = invoice
            InvoiceLine.objects.bulk_create(lines)
            grant_invoice_permissions(invoice)
            if issue:
                invoice = issue_invoice(invoice=invoice, by=by)
            result.created.append(invoice)
    return result
