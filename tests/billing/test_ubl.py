"""SI-UBL 2.0 e-invoices: every document passes the official validator without a single finding."""

from __future__ import annotations

import sys
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from lxml import etree

from billing.models import Invoice
from billing.ubl import NotAnEInvoice, build_ubl
from core.money import to_cents
from services import demo as demo_catalogue
from services.models import VAT_RATES, VatCategory
from tests.billing.factories import InvoiceFactory, InvoiceLineFactory
from tests.services.factories import ServiceDomainFactory, ServiceFactory, TariffFactory

EINVOICE = Path(__file__).resolve().parents[2].parent / "shared" / "einvoice"
CATEGORIES = [VatCategory.STANDARD, VatCategory.REDUCED, VatCategory.ZERO, VatCategory.EXEMPT]
NS = {
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
}


@pytest.fixture(scope="session")
def validator():
    if not (EINVOICE / "validate.py").exists():
        pytest.fail(f"The SI-UBL 2.0 validator is missing: expected it at {EINVOICE}")
    sys.path.insert(0, str(EINVOICE))
    try:
        import validate
    finally:
        sys.path.remove(str(EINVOICE))
    return validate


def findings(validator, document, tmp_path) -> list[str]:
    path = tmp_path / document.filename
    path.write_bytes(document.content)
    result = validator.validate(str(path), "auto")
    assert result.rule_sets == ["si-ubl"], "the document must declare the NLCIUS customization"
    return [str(f) for f in result.findings]


def issued_invoice(customer, *, categories, number="2024-00017", kind=Invoice.Kind.INVOICE, **extra):
    invoice = InvoiceFactory(customer=customer, kind=kind, **extra)
    for index, category in enumerate(categories):
        service = ServiceFactory(code=f"UBL-{index + 1:02d}", vat_category=category, unit_code="C62")
        InvoiceLineFactory(
            invoice=invoice,
            service=service,
            quantity=Decimal("12.5"),
            unit_price=Decimal("1000.00"),
            net_amount=Decimal("3125.00"),
            vat_category=category,
            vat_rate={"S": Decimal("21.00"), "AA": Decimal("9.00")}.get(category, Decimal("0.00")),
        )
    net = Decimal("3125.00") * len(categories)
    vat = sum(
        ({"S": Decimal("656.25"), "AA": Decimal("281.25")}.get(c, Decimal("0")) for c in categories),
        Decimal("0"),
    )
    invoice.status = Invoice.Status.ISSUED
    invoice.number = number
    invoice.issue_date = date(2024, 1, 2)
    invoice.due_date = date(2024, 2, 1)
    invoice.net_total, invoice.vat_total, invoice.gross_total = net, vat, net + vat
    invoice.save()
    return invoice


@pytest.mark.parametrize("category", CATEGORIES)
def test_an_invoice_of_each_vat_category_passes_si_ubl_without_findings(
    validator, provider, municipality, tmp_path, category
):
    invoice = issued_invoice(municipality, categories=[category])
    assert findings(validator, build_ubl(invoice), tmp_path) == []


@pytest.mark.parametrize("category", CATEGORIES)
def test_a_credit_note_of_each_vat_category_passes_si_ubl_without_findings(
    validator, provider, municipality, tmp_path, category
):
    original = issued_invoice(municipality, categories=[category])
    credit = issued_invoice(
        municipality,
        categories=[category],
        number="2024-00018",
        kind=Invoice.Kind.CREDIT_NOTE,
        purpose=Invoice.Purpose.CORRECTION,
        credited_invoice=original,
    )
    document = build_ubl(credit)
    assert findings(validator, document, tmp_path) == []
    root = etree.fromstring(document.content)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cbc:CreditNoteTypeCode", namespaces=NS) == "381"
    assert root.findtext("cac:BillingReference/cac:InvoiceDocumentReference/cbc:ID", namespaces=NS) == (
        "2024-00017"
    )


def test_a_credit_note_stored_with_negative_amounts_states_them_positive(
    validator, provider, municipality, tmp_path
):
    original = issued_invoice(municipality, categories=["S"])
    credit = InvoiceFactory(
        customer=municipality,
        kind=Invoice.Kind.CREDIT_NOTE,
        purpose=Invoice.Purpose.CORRECTION,
        credited_invoice=original,
    )
    InvoiceLineFactory(
        invoice=credit,
        service=original.lines.get().service,
        quantity=Decimal("-2"),
        net_amount=Decimal("-50.00"),
    )
    Invoice.objects.filter(pk=credit.pk).update(
        status="issued",
        number="2024-00019",
        issue_date=date(2024, 3, 1),
        net_total=Decimal("-50.00"),
        vat_total=Decimal("-10.50"),
        gross_total=Decimal("-60.50"),
    )
    credit.refresh_from_db()
    document = build_ubl(credit)
    assert findings(validator, document, tmp_path) == []
    root = etree.fromstring(document.content)
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "60.50"
    assert root.findtext("cac:CreditNoteLine/cbc:CreditedQuantity", namespaces=NS) == "2"


def test_an_invoice_mixing_every_vat_category_passes_si_ubl_without_findings(
    validator, provider, municipality, tmp_path
):
    invoice = issued_invoice(municipality, categories=CATEGORIES)
    assert findings(validator, build_ubl(invoice), tmp_path) == []


def test_the_e_invoice_names_oin_kvk_leidens_iban_and_the_units(provider, municipality):
    invoice = issued_invoice(municipality, categories=["S", "E"])
    root = etree.fromstring(build_ubl(invoice).content)
    supplier = root.find("cac:AccountingSupplierParty/cac:Party", NS)
    customer = root.find("cac:AccountingCustomerParty/cac:Party", NS)
    assert supplier.find("cbc:EndpointID", NS).get("schemeID") == "0190"
    assert supplier.findtext("cbc:EndpointID", namespaces=NS) == provider.oin
    assert customer.findtext("cbc:EndpointID", namespaces=NS) == municipality.oin
    assert customer.find("cac:PartyLegalEntity/cbc:CompanyID", NS).get("schemeID") == "0106"
    assert customer.findtext("cac:PartyLegalEntity/cbc:CompanyID", namespaces=NS) == municipality.kvk
    assert root.findtext("cac:PaymentMeans/cbc:PaymentMeansCode", namespaces=NS) == "58"
    assert root.findtext("cac:PaymentMeans/cac:PayeeFinancialAccount/cbc:ID", namespaces=NS) == provider.iban
    assert root.findtext("cbc:InvoiceTypeCode", namespaces=NS) == "380"
    assert root.findtext("cbc:BuyerReference", namespaces=NS) == municipality.cost_centre
    assert root.find("cac:InvoiceLine/cbc:InvoicedQuantity", NS).get("unitCode") == "C62"
    exempt = root.find("cac:TaxTotal/cac:TaxSubtotal/cac:TaxCategory[cbc:ID='E']", NS)
    assert exempt.findtext("cbc:TaxExemptionReason", namespaces=NS)


def test_an_internal_settlement_is_no_e_invoice(provider):
    invoice = issued_invoice(provider, categories=["S"], kind=Invoice.Kind.INTERNAL, number="INT-2024-00001")
    with pytest.raises(NotAnEInvoice):
        build_ubl(invoice)


# --- the real path: the demo catalogue, issued and credited by the billing services -------------------

CATALOGUE_CATEGORIES = sorted({service.vat_category for service in demo_catalogue.SERVICES})


def _catalogue_service(category: str):
    demo = next(s for s in demo_catalogue.SERVICES if s.vat_category == category)
    domain = ServiceDomainFactory(code=demo.domain)
    service = ServiceFactory(
        code=demo.code,
        name=demo.name,
        domain=domain,
        unit=demo.unit,
        unit_code=demo.unit_code,
        vat_category=demo.vat_category,
        taakveld=demo.taakveld,
        description=demo.description,
    )
    TariffFactory(service=service, year=2024, unit_price=Decimal(demo.price_2023))
    return service


def test_the_demo_catalogue_uses_only_vat_categories_the_e_invoice_knows():
    assert set(CATALOGUE_CATEGORIES) <= set(CATEGORIES)


@pytest.mark.parametrize("category", CATALOGUE_CATEGORIES)
def test_an_issued_invoice_and_its_credit_note_from_the_catalogue_pass_si_ubl_without_findings(
    validator, provider, municipality, tmp_path, category
):
    from billing.services.credit_notes import create_credit_note
    from billing.services.issuing import issue_invoice

    service = _catalogue_service(category)
    tariff = service.tariffs.get(year=2024).unit_price
    draft = InvoiceFactory(customer=municipality)
    quantity = Decimal("37.5")
    InvoiceLineFactory(
        invoice=draft,
        service=service,
        quantity=quantity,
        unit_price=tariff,
        net_amount=to_cents(quantity * tariff / 4),
        vat_category=category,
        vat_rate=VAT_RATES[VatCategory(category)],
    )
    invoice = issue_invoice(invoice=draft, issue_date=date(2024, 4, 2))
    credit_note = create_credit_note(invoice=invoice, reason="Volume te hoog ingeschat")
    assert findings(validator, build_ubl(invoice), tmp_path) == []
    assert findings(validator, build_ubl(credit_note), tmp_path) == []
    root = etree.fromstring(build_ubl(credit_note).content)
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == (
        f"{invoice.gross_total:.2f}"
    )


# --- settlements whose lines mix signs across VAT categories -----------------------------------------


@pytest.fixture
def settled_mixed(world):
    from billing.services.issuing import issue_drafts
    from billing.services.runs import run_billing
    from billing.services.settlement import import_realised_volumes, settle_year
    from core.periods import Period

    for quarter in range(1, 5):
        run = run_billing(period=Period(2024, quarter=quarter))
        issue_drafts(invoices=run.invoices.select_related("customer"))
    # Alfa: less of the exempt salary administration, more of the taxed workstation: the net is
    # negative but the VAT outweighs it, so Alfa pays. Bravo: the other way round, so Bravo receives.
    import_realised_volumes(
        source=b"gemeente;dienstcode;volume\nAlfa;ICT-01;10.75\nAlfa;HRM-01;0\nBravo;ICT-01;2.9\nBravo;HRM-01;4.3\n",
        year=2024,
    )
    result = settle_year(year=2024, issue=True)
    return {invoice.customer.slug: invoice for invoice in result.created}


def test_a_settlement_with_negative_net_but_positive_gross_is_an_invoice_passing_si_ubl(
    validator, settled_mixed, tmp_path
):
    alfa = settled_mixed["alfa"]
    assert (alfa.net_total, alfa.vat_total, alfa.gross_total) == (
        Decimal("-74.02"),
        Decimal("194.43"),
        Decimal("120.41"),
    )
    assert alfa.kind == Invoice.Kind.INVOICE
    document = build_ubl(alfa)
    assert findings(validator, document, tmp_path) == []
    root = etree.fromstring(document.content)
    assert etree.QName(root).localname == "Invoice"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "120.41"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", namespaces=NS) == "-74.02"


def test_a_settlement_with_positive_net_but_negative_gross_is_a_credit_note_passing_si_ubl(
    validator, settled_mixed, tmp_path
):
    bravo = settled_mixed["bravo"]
    assert (bravo.net_total, bravo.vat_total, bravo.gross_total) == (
        Decimal("6.54"),
        Decimal("-25.92"),
        Decimal("-19.38"),
    )
    assert bravo.kind == Invoice.Kind.CREDIT_NOTE
    document = build_ubl(bravo)
    assert findings(validator, document, tmp_path) == []
    root = etree.fromstring(document.content)
    assert etree.QName(root).localname == "CreditNote"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:PayableAmount", namespaces=NS) == "19.38"
    assert root.findtext("cac:LegalMonetaryTotal/cbc:TaxExclusiveAmount", namespaces=NS) == "-6.54"
