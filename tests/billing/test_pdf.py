import shutil
import subprocess

import pytest

from billing.models import Invoice
from billing.pdf import render_invoice_pdf
from billing.services import create_credit_note, issue_drafts, run_billing

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
    assert "Creditnota" in text and alfa_invoice.number in text and "Verkeerde afname" in text


def test_leidens_internal_settlement_says_it_carries_no_vat(world, q1, tmp_path):
    run_billing(period=q1)
    text = _text(render_invoice_pdf(Invoice.objects.get(customer=world.provider)), tmp_path)
    assert "Interne verrekening" in text and "zonder btw" in text


def test_the_pdf_renders_to_one_a4_page(alfa_invoice, tmp_path):
    path = tmp_path / "factuur.pdf"
    path.write_bytes(render_invoice_pdf(alfa_invoice))
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True)
    assert len(list(tmp_path.glob("page*.png"))) == 1
