import shutil
import subprocess
from datetime import date
from decimal import Decimal

import pytest

from billing.models import Invoice
from billing.pdf import render_invoice_pdf
from billing.services.credit_notes import create_credit_note
from billing.services.issuing import issue_drafts, issue_invoice
from billing.services.runs import run_billing

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(shutil.which("pdftotext") is None, reason="poppler-utils is not installed"),
]


@pytest.fixture
def alfa_invoice(world, q1):
    run = run_billing(period=q1)
    issue_drafts(invoices=run.invoices.select_related("customer"))
    return Invoice.objects.get(customer=world.alfa)


def _text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "factuur.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftotext", "-layout", str(path), str(tmp_path / "factuur.txt")], check=True)
    return (tmp_path / "factuur.txt").read_text()


def test_the_pdf_holds_every_legally_required_element(alfa_invoice, world, tmp_path):
    pdf = render_invoice_pdf(alfa_invoice)
    assert pdf.startswith(b"%PDF")
    text = _text(pdf, tmp_path)
    for expected in [
        "Factuur",
        alfa_invoice.number,  # unique number
        "Gemeente Leiden",  # supplier name and address
        world.provider.street,
        world.provider.kvk,
        world.provider.vat_number,
        world.provider.iban,
        "Gemeente Alfa",  # customer name, address and VAT number
        world.alfa.street,
        world.alfa.vat_number,
        "2024-Q1",  # period
        "Werkplek",  # description
        "€ 1.234,50",  # unit price
        "€ 3.086,25",  # line amount
        "Btw 21%",  # amounts per VAT rate
        "Totaal btw",
        "€ 779,36",  # VAT total
        "Betaaltermijn 30 dagen",
        "Factuurdatum",
    ]:
        assert expected in text, expected


def test_a_credit_note_pdf_names_the_invoice_it_credits(alfa_invoice, tmp_path):
    note = create_credit_note(invoice=alfa_invoice, reason="Verkeerde afname")
    text = _text(render_invoice_pdf(note), tmp_path)
    assert "Creditnota" in text
    assert alfa_invoice.number in text
    assert "Verkeerde afname" in text


def test_leidens_internal_settlement_says_it_carries_no_vat(world, q1, tmp_path):
    run_billing(period=q1)
    text = _text(render_invoice_pdf(Invoice.objects.get(customer=world.provider)), tmp_path)
    assert "Interne verrekening" in text
    assert "zonder btw" in text


def test_the_pdf_renders_to_one_a4_page(alfa_invoice, tmp_path):
    path = tmp_path / "factuur.pdf"
    path.write_bytes(render_invoice_pdf(alfa_invoice))
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page*.png"))) == 1


UNITS = ["abonnement", "bezwaarschrift", "aanbesteding", "strekkende meter", "vierkante meter", "medewerker"]


@pytest.fixture
def long_credit_note(world, q1):
    """A credit note of 36 lines with the catalogue's longest units and descriptions that wrap, so the
    table runs over several pages."""
    from tests.services.factories import ServiceFactory, TariffFactory

    from .factories import InvoiceFactory, InvoiceLineFactory

    invoice = InvoiceFactory(customer=world.alfa)
    for n in range(36):
        service = ServiceFactory(code=f"LNG-{n:02d}", unit=UNITS[n % len(UNITS)], vat_category="S")
        TariffFactory(service=service, year=2024, unit_price=Decimal("1234.50"))
        InvoiceLineFactory(
            invoice=invoice,
            service=service,
            description=f"Post en documentaire informatievoorziening met toelichting slotwoord{n:02d}",
            quantity=Decimal("12345.5"),
            unit_price=Decimal("1234.50"),
            net_amount=Decimal("3810135.94"),
        )
    issued = issue_invoice(invoice=invoice, issue_date=date(2024, 1, 2))
    return create_credit_note(invoice=issued, reason="Dubbel gefactureerd")


def _pages(pdf: bytes, tmp_path) -> list[str]:
    path = tmp_path / "lang.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftotext", "-layout", str(path), str(tmp_path / "lang.txt")], check=True)
    return (tmp_path / "lang.txt").read_text().split("\f")


def test_units_stay_whole_and_no_row_splits_across_pages(long_credit_note, tmp_path):
    pages = [page for page in _pages(render_invoice_pdf(long_credit_note), tmp_path) if page.strip()]
    assert len(pages) > 1, "the fixture must run over more than one page"
    text = "\n".join(pages)
    for unit in UNITS:
        # A unit is never broken mid-word ("abonnemen" / "t"), and a two-word unit stays on one line.
        assert unit in text, unit
    for n in range(36):
        code, last_word = f"LNG-{n:02d}", f"slotwoord{n:02d}"
        holding = [index for index, page in enumerate(pages) if code in page]
        # The row's first line (its code) and its last wrapped line are on the same page.
        assert len(holding) == 1, code
        assert last_word in pages[holding[0]], code
