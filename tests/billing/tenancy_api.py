"""Cross-tenant entries for the finance exports: every API route of billing with parameters, and each
tenant's typical invoices (with the organisation's name in the text, so a leak shows)."""

from __future__ import annotations

import itertools
from datetime import date
from decimal import Decimal

from billing.models import Invoice
from billing.services.invoices import grant_invoice_permissions
from tests.billing.factories import InvoiceFactory, InvoiceLineFactory
from tests.services.factories import ServiceFactory
from tests.tenancy import detail_route, populator

_numbers = itertools.count(1)


def issued_invoice(
    customer,
    *,
    number: str | None = None,
    kind: str = Invoice.Kind.INVOICE,
    purpose: str = Invoice.Purpose.CORRECTION,
    status: str = Invoice.Status.ISSUED,
    lines: int = 1,
    service=None,
    **extra,
) -> Invoice:
    """An invoice of ``customer`` with ``lines`` lines of 250.00 net (21 % VAT), issued unless
    ``status`` says draft, with the object permissions the billing services grant. Corrections by
    default, so several per customer and period may exist."""
    invoice = InvoiceFactory(
        customer=customer, kind=kind, purpose=purpose, note=f"Factuur voor {customer.name}", **extra
    )
    service = service or ServiceFactory()
    for _ in range(lines):
        InvoiceLineFactory(
            invoice=invoice,
            service=service,
            description=f"{service.name} voor {customer.name}",
            vat_rate=Decimal("0.00") if kind == Invoice.Kind.INTERNAL else Decimal("21.00"),
        )
    net = Decimal("250.00") * lines
    vat = Decimal("0.00") if kind == Invoice.Kind.INTERNAL else Decimal("52.50") * lines
    invoice.net_total, invoice.vat_total, invoice.gross_total = net, vat, net + vat
    if status != Invoice.Status.DRAFT:
        prefix = "INT-" if kind == Invoice.Kind.INTERNAL else ""
        invoice.number = number or f"{prefix}2024-{next(_numbers):05d}"
        invoice.status = status
        invoice.issue_date = date(2024, 1, 2)
        invoice.due_date = date(2024, 2, 1)
    invoice.save()
    grant_invoice_permissions(invoice)
    return invoice


def _kind_for(org) -> str:
    return Invoice.Kind.INTERNAL if org.is_provider else Invoice.Kind.INVOICE


@populator
def invoices(org):
    issued_invoice(org, kind=_kind_for(org), purpose=Invoice.Purpose.PERIODIC, lines=2)
    issued_invoice(org, kind=_kind_for(org), status=Invoice.Status.DRAFT, period="2024-Q2")


@detail_route("api:invoice-detail")
def invoice(org):
    return {"number": issued_invoice(org).number}


@detail_route("api:invoice-ubl")
def invoice_ubl(org):
    return {"number": issued_invoice(org).number}


@detail_route("api:invoice-pdf")
def invoice_pdf(org):
    return {"number": issued_invoice(org).number}


@detail_route("api:invoice-line-detail")
def invoice_line(org):
    return {"pk": issued_invoice(org).lines.first().pk}
