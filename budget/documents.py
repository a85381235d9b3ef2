"""A budget letter as PDF (WeasyPrint) and as XLSX (openpyxl, write-only): the same figures as the page.

WeasyPrint is imported inside the function (it is heavy and not needed by the rest of the app), and it
may fetch nothing but the portal's own static files.
"""

from __future__ import annotations

import logging

from django.template.loader import render_to_string
from django.utils import translation

from core.exports import DECIMAL, MONEY, TEXT, Column, write_xlsx
from core.pdf import render_pdf

from .models import BudgetLetter

logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


def letter_filename(letter: BudgetLetter, extension: str) -> str:
    name = letter.number or f"concept-{letter.customer.slug}-{letter.year}-v{letter.version}"
    return f"begrotingsbrief-{name}.{extension}"


def render_letter_pdf(letter: BudgetLetter, *, user) -> bytes:
    """The letter as PDF, in Dutch whatever the user's language (it is addressed to a municipality)."""
    from tenants.selectors import provider_organisation

    from .views import letter_context

    with translation.override("nl"):
        context = letter_context(user, letter)
        context["supplier"] = provider_organisation()
        html = render_to_string("budget/letter_pdf.html", context)
    return render_pdf(html)


XLSX_COLUMNS = [
    Column("service", "service"),
    Column("service_name", "service_name"),
    Column("domain", "domain"),
    Column("taakveld", "taakveld"),
    Column("unit", "unit"),
    Column("volume", "volume", DECIMAL),
    Column("unit_price", "unit_price", MONEY),
    Column("amount", "amount", MONEY),
    Column("low_amount", "low_amount", MONEY),
    Column("high_amount", "high_amount", MONEY),
    Column("vat_rate", "vat_rate", DECIMAL),
    Column("provisional", "provisional", TEXT),
]


def letter_xlsx(letter: BudgetLetter, *, user):
    """Every line, then the totals per domain and taakveld, excl. VAT, VAT and incl. VAT."""
    from .views import letter_context

    with translation.override("nl"):
        context = letter_context(user, letter)
    provisional = "voorlopig" if letter.is_provisional else ""

    def rows():
        for line in context["lines"]:
            yield [
                line.service.code,
                line.service.name,
                line.domain.name,
                line.taakveld,
                line.service.unit,
                line.volume,
                line.unit_price,
                line.amount,
                line.low_amount,
                line.high_amount,
                line.vat_rate,
                "voorlopig" if line.is_provisional_price else "",
            ]
        empty = [None] * 5
        for group in context["domains"]:
            yield [
                "",
                f"Subtotaal domein {group.label}",
                "",
                "",
                "",
                None,
                None,
                group.amount,
                group.low,
                group.high,
                None,
                provisional,
            ]
        for group in context["taakvelden"]:
            yield [
                "",
                f"Subtotaal taakveld {group.label}",
                "",
                group.key,
                "",
                None,
                None,
                group.amount,
                group.low,
                group.high,
                None,
                provisional,
            ]
        yield [
            "",
            "Totaal exclusief btw",
            "",
            "",
            "",
            None,
            None,
            letter.net_total,
            letter.low_total,
            letter.high_total,
            None,
            provisional,
        ]
        yield ["", "Btw", "", "", "", None, None, letter.vat_total, None, None, None, provisional]
        yield [
            "",
            "Totaal inclusief btw",
            "",
            "",
            "",
            None,
            None,
            letter.gross_total,
            None,
            None,
            None,
            provisional,
        ]
        yield [
            "",
            f"Kenmerk {letter.number or 'concept'}, versie {letter.version}, jaar {letter.year}",
            *empty,
            None,
            None,
            None,
            None,
            provisional,
        ][:12]

    return write_xlsx(rows(), XLSX_COLUMNS, title=f"begroting-{letter.year}")
