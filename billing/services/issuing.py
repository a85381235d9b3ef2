"""Issuing: a draft gets its gapless number, date and payment term in one transaction; paying; and the
original that credit notes fully cover becomes credited."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from agreements.services import lock_agreement, record_billed_period
from core.history import save_with_history
from core.periods import Period
from services.models import Tariff
from services.selectors import tariffs_for_year
from services.services import lock_tariffs
from tenants.types import User

from ..models import Invoice, InvoiceLine, NumberSeries
from ..selectors import can_be_issued, can_be_marked_paid, is_internal_customer, period_drafts
from .invoices import apply_totals, check_price_equality, missing_tariffs_error, periodic_lines

PAYMENT_TERM_DAYS = 30


def _next_number(*, series: str, year: int) -> str:
    """The next number of a series, from its counter row locked until the transaction ends."""
    NumberSeries.objects.get_or_create(series=series, year=year)
    counter = NumberSeries.objects.select_for_update().get(series=series, year=year)
    counter.last_number += 1
    counter.save(update_fields=["last_number"])
    return counter.format(counter.last_number)


def _check_lines_carry_the_tariff(
    invoice: Invoice, lines: list[InvoiceLine], tariffs: dict[int, Tariff]
) -> list[Tariff]:
    """Every line's unit price is the tariff of its service and year (``tariffs``: that year's, by
    service id); returns the tariffs the lines use."""
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
    return [tariffs[sid] for sid in sorted({line.service_id for line in lines})]


def _lock_used_tariffs(used: list[Tariff]) -> None:
    """Lock the tariffs not locked yet; the run's tariff dictionary remembers it, so the next invoice
    of the run does not ask again."""
    unlocked = [t for t in used if t.locked_at is None]
    if not unlocked:
        return
    lock_tariffs(tariff_ids=[t.pk for t in unlocked])
    now = timezone.now()
    for tariff in unlocked:
        tariff.locked_at = now


def _is_recalculated_when_issued(invoice: Invoice) -> bool:
    return (
        invoice.purpose == Invoice.Purpose.PERIODIC
        and not invoice.is_credit_note
        and invoice.agreement_id is not None
    )


def _same_lines(old: list[InvoiceLine], new: list[InvoiceLine]) -> bool:
    def key(line: InvoiceLine) -> tuple:
        return (
            line.service_id,
            line.quantity,
            line.unit_price,
            line.periods_per_year,
            line.net_amount,
            line.vat_category,
            line.vat_rate,
            line.description,
        )

    return sorted(map(key, old)) == sorted(map(key, new))


def _recalculate_periodic_draft(
    invoice: Invoice, lines: list[InvoiceLine], tariffs: dict[int, Tariff]
) -> list[InvoiceLine]:
    """Rebuild a periodic draft's lines from the volumes in force on its period's first day, so a change
    approved after the draft was made is billed (the draft is locked by the caller's transaction).
    Returns the lines to issue: the draft's own when nothing changed (nothing is rewritten then)."""
    period = Period.parse(invoice.period)
    missing: set[str] = set()
    assert invoice.agreement is not None  # a periodic draft always has its agreement
    rebuilt = periodic_lines(
        agreement=invoice.agreement,
        period=period,
        internal=is_internal_customer(invoice.customer),
        tariffs=tariffs,
        missing=missing,
    )
    if missing:
        raise missing_tariffs_error(period.year, missing)
    if _same_lines(lines, rebuilt):
        return lines
    invoice.lines.all().delete()
    for line in rebuilt:
        line.invoice = invoice
    InvoiceLine.objects.bulk_create(rebuilt)
    return list(invoice.lines.select_related("service"))


def _mark_credited_when_complete(original_id: int, *, by: User | None) -> None:
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
        save_with_history(original, by=by)


@transaction.atomic
def issue_invoice(
    *,
    invoice: Invoice,
    by: User | None = None,
    issue_date: date | None = None,
    tariffs: dict[int, Tariff] | None = None,
) -> Invoice:
    """Issue a draft: its gapless number, date and payment term, in one transaction; locks the tariffs
    used and records the billed period on the agreement. A periodic draft is first recalculated from
    the volumes in force on its period's first day (its lines and totals rebuilt); the tariff check
    runs on the rebuilt lines. ``tariffs`` are the invoice year's (``tariffs_for_year``), read once by
    a caller that issues several invoices; read here otherwise."""
    # Lock order (docs/rules.md): the agreement first, then the invoice and its lines, then the number
    # series and the tariffs. Approving a change request takes the agreement first too, so the two
    # cannot deadlock.
    agreement_id = Invoice.objects.filter(pk=invoice.pk).values_list("agreement_id", flat=True).first()
    if agreement_id is not None:
        lock_agreement(agreement_id=agreement_id)
    invoice = (
        Invoice.objects.select_for_update(of=("self",))
        .select_related("customer", "agreement")
        .get(pk=invoice.pk)
    )
    if not can_be_issued(invoice):
        raise ValidationError(_("Alleen een concept kan worden verzonden; deze factuur is al verzonden."))
    tariffs = tariffs_for_year(invoice.year) if tariffs is None else tariffs
    lines = list(invoice.lines.select_related("service"))
    if _is_recalculated_when_issued(invoice):
        # A draft that deviates from the tariff is refused as it stands, before it is recalculated.
        _check_lines_carry_the_tariff(invoice, lines, tariffs)
        lines = _recalculate_periodic_draft(invoice, lines, tariffs)
    if not lines:
        raise ValidationError(_("Een factuur zonder regels kan niet worden verzonden."))
    used = _check_lines_carry_the_tariff(invoice, lines, tariffs)
    issue_date = issue_date or timezone.localdate()
    internal = is_internal_customer(invoice.customer)
    series = NumberSeries.Series.INTERNAL if internal else NumberSeries.Series.INVOICE
    apply_totals(invoice, lines)
    invoice.number = _next_number(series=series, year=issue_date.year)
    invoice.status = Invoice.Status.ISSUED
    invoice.issue_date = issue_date
    invoice.due_date = issue_date + timedelta(days=PAYMENT_TERM_DAYS)
    invoice.issued_at = timezone.now()
    invoice.issued_by = by
    save_with_history(invoice, by=by)
    _lock_used_tariffs(used)
    if invoice.purpose == Invoice.Purpose.PERIODIC and not invoice.is_credit_note and invoice.agreement:
        record_billed_period(agreement=invoice.agreement, period_end=invoice.period_end)
    if invoice.is_credit_note and invoice.credited_invoice_id:
        _mark_credited_when_complete(invoice.credited_invoice_id, by=by)
    return invoice


def issue_drafts(
    *, invoices: Iterable[Invoice], by: User | None = None, issue_date: date | None = None
) -> list[Invoice]:
    """Issue several drafts in order, after checking the price equality of their years; each year's
    tariffs are read once for all of them."""
    drafts = sorted(
        (i for i in invoices if i.status == Invoice.Status.DRAFT), key=lambda i: (i.customer.name, i.pk)
    )
    tariffs: dict[int, dict[int, Tariff]] = {}
    for year in sorted({i.year for i in drafts}):
        check_price_equality(year=year)
        tariffs[year] = tariffs_for_year(year)
    return [issue_invoice(invoice=i, by=by, issue_date=issue_date, tariffs=tariffs[i.year]) for i in drafts]


@transaction.atomic
def mark_invoice_paid(
    *, invoice: Invoice, by: User | None = None, paid_at: datetime | None = None
) -> Invoice:
    invoice = Invoice.objects.select_for_update().get(pk=invoice.pk)
    if invoice.status == Invoice.Status.PAID:
        return invoice
    if not can_be_marked_paid(invoice):
        raise ValidationError(_("Alleen een verzonden factuur kan als betaald worden gemarkeerd."))
    invoice.status = Invoice.Status.PAID
    invoice.paid_at = paid_at or timezone.now()
    save_with_history(invoice, by=by)
    return invoice


@dataclass
class PeriodIssue:
    """What issuing a period's drafts did: the invoices issued and the drafts left, each with why."""

    period: Period
    issued: list[Invoice] = field(default_factory=list)
    left: list[tuple[Invoice, str]] = field(default_factory=list)

    def notes(self) -> list[str]:
        notes = [
            ngettext(
                "%(count)d factuur van %(period)s verzonden.",
                "%(count)d facturen van %(period)s verzonden.",
                len(self.issued),
            )
            % {"count": len(self.issued), "period": self.period}
        ]
        if self.left:
            notes.append(
                ngettext(
                    "%(count)d concept niet verzonden:",
                    "%(count)d concepten niet verzonden:",
                    len(self.left),
                )
                % {"count": len(self.left)}
            )
            notes.extend(f"- {invoice.customer.name}: {reason}" for invoice, reason in self.left)
        return notes


def issue_period_drafts(
    *, period: Period, by: User | None = None, issue_date: date | None = None
) -> PeriodIssue:
    """Issue every periodic draft of ``period``, whichever run made it, after the price-equality check
    of its year. A draft that cannot be issued stays a draft, with the reason in the result."""
    result = PeriodIssue(period=period)
    drafts = list(period_drafts(period).select_related("customer").order_by("customer__name", "pk"))
    if not drafts:
        return result
    check_price_equality(year=period.year)
    for draft in drafts:
        try:
            result.issued.append(issue_invoice(invoice=draft, by=by, issue_date=issue_date))
        except ValidationError as exc:
            result.left.append((draft, " ".join(exc.messages)))
    return result
