"""The invoice as PDF (WeasyPrint), in the Dutch layout with every element the law requires.

Article 35a of the Dutch VAT act asks for: date and unique number, the supplier's and customer's names
and addresses and VAT numbers, the period, a description with quantity and unit price, the amounts per
VAT rate and the VAT total; and, as every Dutch invoice, the KvK number, the payment term and the IBAN.
Leiden's own invoice is an internal settlement without VAT and says so.
"""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils import translation

from core.pdf import render_pdf
from tenants.selectors import provider_organisation

from .calculations import totals
from .models import Invoice
from .services.issuing import PAYMENT_TERM_DAYS

# WeasyPrint logs every rendering step at INFO; the portal's logs only need its warnings.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def invoice_context(invoice: Invoice) -> dict:
    lines = list(invoice.lines.select_related("service").order_by("service__code", "pk"))
    return {
        "invoice": invoice,
        "supplier": provider_organisation(),
        "customer": invoice.customer,
        "lines": lines,
        "totals": totals(lines),
        "credited": invoice.credited_invoice,
        "payment_term_days": PAYMENT_TERM_DAYS,
    }


def render_invoice_pdf(invoice: Invoice) -> bytes:
    """The PDF of one invoice or credit note, in Dutch whatever the user's language (it is a legal
    document addressed to a Dutch municipality)."""
    with translation.override("nl"):
        html = render_to_string("billing/invoice_pdf.html", invoice_context(invoice))
    return render_pdf(html)


def invoice_pdf_filename(invoice: Invoice) -> str:
    return f"factuur-{invoice.number or f'concept-{invoice.pk}'}.pdf"
