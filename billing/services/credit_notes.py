"""Credit notes: the correction of an issued invoice, for all of it or some of its lines; the original
stays as it was."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from tenants.types import User

from ..models import Invoice, InvoiceLine
from ..selectors import CREDITABLE_STATUSES, credited_line_ids
from .invoices import create_draft
from .issuing import issue_invoice


@transaction.atomic
def create_credit_note(
    *,
    invoice: Invoice,
    lines: Iterable[InvoiceLine | int] | None = None,
    by: User | None = None,
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
    create_draft(invoice=note, lines=credit_lines, by=by, reason=reason.strip())
    if issue:
        note = issue_invoice(invoice=note, by=by)
    return note
