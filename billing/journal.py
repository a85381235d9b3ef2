"""Journal entries: what a municipality's (or Leiden's) finance system imports from an issued invoice.

Per invoice line a **receivable** debit (the customer owes the line's net amount) and a **revenue** credit
booked by the service's domain, both carrying the customer's cost centre (``Organisation.cost_centre``)
and the service's BBV taakveld; per invoice with VAT one more pair: the receivable debit of the VAT and
its credit to **vat** payable. Every invoice therefore balances: its debits equal its credits, and the
receivable debits add up to the invoice's gross total.

A credit note reverses the sides. Credit notes may be stored with negative amounts or with positive
amounts and ``kind = credit_note``; both give the same entries.

The entries are one SQL query (a ``UNION ALL`` of three parts), so the CSV export streams them from the
database like every other list. The JSON list pages by invoice (:func:`journal_page`): a page is the
entries of the next invoices by number after a cursor, so neither the whole union is sorted nor counted.
"""

from __future__ import annotations

from django.db.models import (
    Case,
    CharField,
    Count,
    DecimalField,
    F,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Cast, Greatest

from .models import Invoice, InvoiceLine

RECEIVABLE, REVENUE, VAT = "receivable", "revenue", "vat"
ENTRY_KINDS = (RECEIVABLE, REVENUE, VAT)

# The columns of one entry, in this order in every part of the union (names do not clash with fields).
FIELDS = (
    "entry_invoice",
    "entry_invoice_kind",
    "entry_date",
    "entry_customer",
    "entry_cost_centre",
    "entry_line",
    "entry_kind",
    "entry_domain",
    "entry_taakveld",
    "entry_service",
    "entry_description",
    "entry_debit",
    "entry_credit",
)
ORDERING = ("entry_invoice", "entry_line", "entry_kind")

_MONEY = DecimalField(max_digits=14, decimal_places=2)
_ZERO = Value(0, output_field=_MONEY)


def _signed(amount: str, invoice_prefix: str) -> Case:
    """The amount as the customer owes it: a credit note stored with positive amounts turns negative."""
    return Case(
        When(
            **{f"{invoice_prefix}kind": Invoice.Kind.CREDIT_NOTE, f"{invoice_prefix}net_total__gt": 0},
            then=-F(amount),
        ),
        default=F(amount),
        output_field=_MONEY,
    )


def _debit(signed) -> Greatest:
    return Greatest(signed, _ZERO, output_field=_MONEY)


def _credit(signed) -> Greatest:
    return Greatest(-signed, _ZERO, output_field=_MONEY)


def _text(value: str) -> Value:
    return Value(value, output_field=CharField())


def _line_part(lines: QuerySet[InvoiceLine], kind: str) -> QuerySet:
    signed = _signed("net_amount", "invoice__")
    debit, credit = (
        (_debit(signed), _credit(signed)) if kind == RECEIVABLE else (_credit(signed), _debit(signed))
    )
    return lines.annotate(
        entry_invoice=F("invoice__number"),
        entry_invoice_kind=F("invoice__kind"),
        entry_date=F("invoice__issue_date"),
        entry_customer=F("invoice__customer__slug"),
        entry_cost_centre=F("invoice__customer__cost_centre"),
        entry_line=F("pk"),
        entry_kind=_text(kind),
        entry_domain=F("service__domain__code"),
        entry_taakveld=F("service__taakveld"),
        entry_service=F("service__code"),
        entry_description=F("description"),
        entry_debit=debit,
        entry_credit=credit,
    ).values(*FIELDS)


def _vat_part(invoices: QuerySet[Invoice], kind: str) -> QuerySet:
    signed = _signed("vat_total", "")
    debit, credit = (
        (_debit(signed), _credit(signed)) if kind == RECEIVABLE else (_credit(signed), _debit(signed))
    )
    return (
        invoices.exclude(vat_total=0)
        .annotate(
            entry_invoice=F("number"),
            entry_invoice_kind=F("kind"),
            entry_date=F("issue_date"),
            entry_customer=F("customer__slug"),
            entry_cost_centre=F("customer__cost_centre"),
            entry_line=Cast(Value(None), IntegerField()),
            entry_kind=_text(kind),
            entry_domain=_text(""),
            entry_taakveld=_text(""),
            entry_service=_text(""),
            entry_description=_text("btw"),
            entry_debit=debit,
            entry_credit=credit,
        )
        .values(*FIELDS)
    )


def journal_entries(*, lines: QuerySet[InvoiceLine], invoices: QuerySet[Invoice]) -> QuerySet:
    """The journal of ``lines`` and, for their VAT, of ``invoices`` (both already scoped and filtered).

    Only issued invoices (issued, paid, credited) have a journal: a draft is no booking yet. The VAT pair
    of an invoice is booked as a receivable debit and a ``vat`` credit (ordered after the lines).
    """
    lines = lines.exclude(invoice__status=Invoice.Status.DRAFT).order_by()
    invoices = invoices.exclude(status=Invoice.Status.DRAFT).order_by()
    parts = [
        _line_part(lines, RECEIVABLE),
        _line_part(lines, REVENUE),
        _vat_part(invoices, RECEIVABLE),
        _vat_part(invoices, VAT),
    ]
    return parts[0].union(*parts[1:], all=True).order_by(*ORDERING)


def journal_page(
    *, lines: QuerySet[InvoiceLine], invoices: QuerySet[Invoice], after: str | None, entries: int
) -> tuple[QuerySet, str | None]:
    """One page of the journal: the entries of the invoices numbered after ``after``, whole invoices,
    until the page holds at least ``entries`` entries; and the number to continue after (``None`` on the
    last page). Two queries that read only the page's invoices (the invoice numbers' index, then their
    lines), whatever the size of the journal."""
    issued = invoices.exclude(status=Invoice.Status.DRAFT).order_by("number")
    if after:
        issued = issued.filter(number__gt=after)
    line_count = (
        InvoiceLine.objects.filter(invoice=OuterRef("pk"))
        .order_by()
        .values("invoice")
        .annotate(n=Count("pk"))
        .values("n")
    )
    candidates = list(
        issued.annotate(line_count=Subquery(line_count, output_field=IntegerField())).values_list(
            "pk", "number", "line_count", "vat_total"
        )[: entries + 1]
    )
    chosen: list[int] = []
    total = 0
    for pk, _number, count, vat_total in candidates:
        if total >= entries:
            break
        chosen.append(pk)
        total += 2 * (count or 0) + (2 if vat_total else 0)
    more = len(chosen) < len(candidates)
    cursor = candidates[len(chosen) - 1][1] if more and chosen else None
    page = journal_entries(lines=lines.filter(invoice_id__in=chosen), invoices=invoices.filter(pk__in=chosen))
    return page, cursor
