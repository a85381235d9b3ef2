"""E-invoices: an issued invoice as SI-UBL 2.0 (NLCIUS, the Dutch CIUS of EN 16931) in UBL 2.1.

An invoice becomes a UBL ``Invoice`` (type 380), a credit note a UBL ``CreditNote`` (type 381) that
refers to the original in ``BillingReference``. Both parties are identified by OIN (endpoint, scheme
0190) and KvK (legal entity, scheme 0106); payment is SEPA credit transfer (58) to Leiden's IBAN. Leiden's
internal settlements carry no VAT and are no e-invoice: :func:`build_ubl` refuses them.

Only elements that SI-UBL 2.0 recommends are written, so the official validator reports no finding at
all (not even a warning): no tax point date, no exemption reason code, no preceding invoice date.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _
from lxml import etree

from core.money import to_cents
from services.models import VatCategory
from tenants.models import Organisation
from tenants.selectors import provider_organisation

from .models import Invoice, InvoiceLine

CUSTOMIZATION_ID = "urn:cen.eu:en16931:2017#compliant#urn:fdc:nen.nl:nlcius:v1.0"
PROFILE_ID = "urn:fdc:peppol.eu:2017:poacc:billing:01:1.0"
NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"
SCHEME_OIN = "0190"
SCHEME_KVK = "0106"
PAYMENT_SEPA_CREDIT_TRANSFER = "58"
CURRENCY = "EUR"
INVOICE_TYPE = "380"
CREDIT_NOTE_TYPE = "381"
CONTENT_TYPE = "application/xml"

# EN 16931 knows no separate "reduced" category: the Dutch 9 % is category S at its own rate.
UBL_CATEGORY = {
    VatCategory.STANDARD: "S",
    VatCategory.REDUCED: "S",
    VatCategory.ZERO: "Z",
    VatCategory.EXEMPT: "E",
}
# Municipalities sharing services: the cost-sharing exemption (art. 11 lid 1 onder v Wet OB 1968).
EXEMPTION_REASON = "Vrijgesteld van btw: kostendelingsvrijstelling (art. 11 lid 1 onder v Wet OB 1968)"


class NotAnEInvoice(Exception):
    """The invoice cannot be an e-invoice (a draft or an internal settlement)."""


@dataclass(frozen=True)
class UblDocument:
    filename: str
    content: bytes


def _cbc(parent, name: str, text=None, **attributes):
    element = etree.SubElement(parent, f"{{{CBC}}}{name}", {k: str(v) for k, v in attributes.items()})
    if text is not None:
        element.text = str(text)
    return element


def _cac(parent, name: str):
    return etree.SubElement(parent, f"{{{CAC}}}{name}")


def _amount(value: Decimal) -> str:
    return f"{to_cents(value):.2f}"


def _quantity(value: Decimal) -> str:
    return f"{Decimal(value).normalize():f}"


def _money(parent, name: str, value: Decimal):
    return _cbc(parent, name, _amount(value), currencyID=CURRENCY)


def _party(parent, organisation: Organisation, *, with_endpoint: bool = True) -> None:
    party = _cac(parent, "Party")
    if with_endpoint:
        if organisation.oin:
            _cbc(party, "EndpointID", organisation.oin, schemeID=SCHEME_OIN)
        elif organisation.kvk:
            _cbc(party, "EndpointID", organisation.kvk, schemeID=SCHEME_KVK)
    if organisation.oin:
        identification = _cac(party, "PartyIdentification")
        _cbc(identification, "ID", organisation.oin, schemeID=SCHEME_OIN)
    name = _cac(party, "PartyName")
    _cbc(name, "Name", organisation.name)
    address = _cac(party, "PostalAddress")
    _cbc(address, "StreetName", organisation.street or "-")
    _cbc(address, "CityName", organisation.city or "-")
    _cbc(address, "PostalZone", organisation.postal_code or "-")
    country = _cac(address, "Country")
    _cbc(country, "IdentificationCode", "NL")
    if organisation.vat_number:
        tax_scheme = _cac(party, "PartyTaxScheme")
        _cbc(tax_scheme, "CompanyID", organisation.vat_number)
        _cbc(_cac(tax_scheme, "TaxScheme"), "ID", "VAT")
    legal = _cac(party, "PartyLegalEntity")
    _cbc(legal, "RegistrationName", organisation.name)
    if organisation.kvk:
        _cbc(legal, "CompanyID", organisation.kvk, schemeID=SCHEME_KVK)
    elif organisation.oin:
        _cbc(legal, "CompanyID", organisation.oin, schemeID=SCHEME_OIN)


def _tax_category(parent, name: str, category: str, rate: Decimal, *, with_reason: bool) -> None:
    element = _cac(parent, name)
    ubl_category = UBL_CATEGORY[VatCategory(category)]
    _cbc(element, "ID", ubl_category)
    _cbc(element, "Percent", _quantity(rate))
    if with_reason and ubl_category == "E":
        _cbc(element, "TaxExemptionReason", EXEMPTION_REASON)
    _cbc(_cac(element, "TaxScheme"), "ID", "VAT")


def _sign(invoice: Invoice) -> int:
    """Credit notes may be stored with negative amounts; a UBL CreditNote states them positive. The
    gross total decides (what the customer receives), so a credit note whose lines mix signs across VAT
    categories still states a positive payable amount."""
    if invoice.kind == Invoice.Kind.CREDIT_NOTE and invoice.gross_total < 0:
        return -1
    return 1


def _buyer_reference(invoice: Invoice) -> str:
    customer = invoice.customer
    if customer.cost_centre:
        return customer.cost_centre
    if invoice.agreement_id:
        return invoice.agreement.number
    return customer.slug


def _period_note(line: InvoiceLine) -> str:
    if line.periods_per_year == 1:
        return _("Jaartarief %(price)s per eenheid.") % {"price": _amount(line.unit_price)}
    return _("Jaartarief %(price)s per eenheid, 1/%(periods)s per periode.") % {
        "price": _amount(line.unit_price),
        "periods": line.periods_per_year,
    }


def build_ubl(invoice: Invoice, lines: list[InvoiceLine] | None = None) -> UblDocument:
    """The SI-UBL 2.0 document of an issued invoice or credit note."""
    if not invoice.is_e_invoice:
        raise NotAnEInvoice(
            _("Een interne verrekening van Leiden is geen e-factuur; gebruik de PDF of de export.")
        )
    if invoice.status == Invoice.Status.DRAFT or not invoice.number:
        raise NotAnEInvoice(_("Een conceptfactuur heeft nog geen e-factuur."))
    supplier = provider_organisation()
    if supplier is None:
        raise NotAnEInvoice(_("Er is geen aanbieder vastgelegd."))
    if lines is None:
        lines = list(invoice.lines.select_related("service").order_by("service__code", "pk"))
    is_credit_note = invoice.kind == Invoice.Kind.CREDIT_NOTE
    sign = _sign(invoice)
    root_ns = NS_CREDIT_NOTE if is_credit_note else NS_INVOICE
    root = etree.Element(
        f"{{{root_ns}}}{'CreditNote' if is_credit_note else 'Invoice'}",
        nsmap={None: root_ns, "cac": CAC, "cbc": CBC},
    )
    _cbc(root, "CustomizationID", CUSTOMIZATION_ID)
    _cbc(root, "ProfileID", PROFILE_ID)
    _cbc(root, "ID", invoice.number)
    _cbc(root, "IssueDate", (invoice.issue_date or invoice.issued_at.date()).isoformat())
    if is_credit_note:
        _cbc(root, "CreditNoteTypeCode", CREDIT_NOTE_TYPE)
    else:
        if invoice.due_date:
            _cbc(root, "DueDate", invoice.due_date.isoformat())
        _cbc(root, "InvoiceTypeCode", INVOICE_TYPE)
    note = invoice.note or _("Dienstverlening bedrijfsvoering %(period)s") % {"period": invoice.period}
    _cbc(root, "Note", note)
    _cbc(root, "DocumentCurrencyCode", CURRENCY)
    _cbc(root, "BuyerReference", _buyer_reference(invoice))
    period = _cac(root, "InvoicePeriod")
    _cbc(period, "StartDate", invoice.period_start.isoformat())
    _cbc(period, "EndDate", invoice.period_end.isoformat())
    if is_credit_note and invoice.credited_invoice_id:
        reference = _cac(_cac(root, "BillingReference"), "InvoiceDocumentReference")
        _cbc(reference, "ID", invoice.credited_invoice.number)
    if invoice.agreement_id:
        _cbc(_cac(root, "ContractDocumentReference"), "ID", invoice.agreement.number)
    _party(_cac(root, "AccountingSupplierParty"), supplier)
    _party(_cac(root, "AccountingCustomerParty"), invoice.customer)

    means = _cac(root, "PaymentMeans")
    _cbc(means, "PaymentMeansCode", PAYMENT_SEPA_CREDIT_TRANSFER)
    if is_credit_note and invoice.due_date:
        _cbc(means, "PaymentDueDate", invoice.due_date.isoformat())
    _cbc(means, "PaymentID", invoice.number)
    account = _cac(means, "PayeeFinancialAccount")
    _cbc(account, "ID", supplier.iban)
    terms = _cac(root, "PaymentTerms")
    if invoice.due_date and invoice.issue_date:
        days = (invoice.due_date - invoice.issue_date).days
        _cbc(
            terms,
            "Note",
            _("Betaling binnen %(days)s dagen onder vermelding van %(number)s.")
            % {
                "days": days,
                "number": invoice.number,
            },
        )
    else:
        _cbc(terms, "Note", _("Onder vermelding van %(number)s.") % {"number": invoice.number})

    taxable: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for line in lines:
        key = (UBL_CATEGORY[VatCategory(line.vat_category)], Decimal(line.vat_rate), line.vat_category)
        taxable[key] += sign * line.net_amount
    breakdown = []
    for (ubl_category, rate, category), amount in sorted(taxable.items()):
        tax = Decimal("0.00") if ubl_category in ("E", "Z") else to_cents(amount * rate / 100)
        breakdown.append((category, rate, amount, tax))
    line_total = sum((amount for _c, _r, amount, _t in breakdown), Decimal("0"))
    tax_total = sum((tax for _c, _r, _a, tax in breakdown), Decimal("0"))

    tax_total_element = _cac(root, "TaxTotal")
    _money(tax_total_element, "TaxAmount", tax_total)
    for category, rate, amount, tax in breakdown:
        subtotal = _cac(tax_total_element, "TaxSubtotal")
        _money(subtotal, "TaxableAmount", amount)
        _money(subtotal, "TaxAmount", tax)
        _tax_category(subtotal, "TaxCategory", category, rate, with_reason=True)

    totals = _cac(root, "LegalMonetaryTotal")
    _money(totals, "LineExtensionAmount", line_total)
    _money(totals, "TaxExclusiveAmount", line_total)
    _money(totals, "TaxInclusiveAmount", line_total + tax_total)
    _money(totals, "PayableAmount", line_total + tax_total)

    line_name = "CreditNoteLine" if is_credit_note else "InvoiceLine"
    quantity_name = "CreditedQuantity" if is_credit_note else "InvoicedQuantity"
    for number, line in enumerate(lines, start=1):
        element = _cac(root, line_name)
        _cbc(element, "ID", number)
        _cbc(element, "Note", _period_note(line))
        quantity = sign * line.quantity
        net = sign * line.net_amount
        _cbc(element, quantity_name, _quantity(quantity), unitCode=line.service.unit_code)
        _money(element, "LineExtensionAmount", net)
        item = _cac(element, "Item")
        if line.service.description:
            _cbc(item, "Description", line.service.description)
        _cbc(item, "Name", line.description or line.service.name)
        _cbc(_cac(item, "SellersItemIdentification"), "ID", line.service.code)
        _tax_category(item, "ClassifiedTaxCategory", line.vat_category, line.vat_rate, with_reason=False)
        price = _cac(element, "Price")
        # The tariff is per unit per year; a line covers 1/periods_per_year of it. Stating the annual
        # price per ``periods_per_year`` units keeps quantity x price / base quantity exact.
        _money(price, "PriceAmount", line.unit_price)
        _cbc(price, "BaseQuantity", line.periods_per_year, unitCode=line.service.unit_code)

    content = etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)
    return UblDocument(filename=f"{invoice.number}.xml", content=content)
