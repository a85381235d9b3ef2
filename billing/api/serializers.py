"""Serializers of invoices, invoice lines and journal entries (read-only: the API exports)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from billing.models import Invoice, InvoiceLine


def _choices_text(choices) -> str:
    return ", ".join(value for value, _label in choices)


# Choice fields are documented as text listing their values: the same field names (kind, status) carry
# other choice sets in other apps, and enum components named after them would collide in the schema.
KIND_TEXT = _choices_text(Invoice.Kind.choices)
STATUS_TEXT = _choices_text(Invoice.Status.choices)


class InvoiceSerializer(serializers.ModelSerializer):
    kind = serializers.CharField(read_only=True, help_text=KIND_TEXT)
    purpose = serializers.CharField(read_only=True, help_text=_choices_text(Invoice.Purpose.choices))
    status = serializers.CharField(read_only=True, help_text=STATUS_TEXT)
    customer = serializers.SlugRelatedField(slug_field="slug", read_only=True, help_text=_("Korte naam."))
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    credited_invoice = serializers.SlugRelatedField(
        slug_field="number",
        read_only=True,
        allow_null=True,
        help_text=_("Nummer van de gecrediteerde factuur."),
    )
    agreement = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)

    class Meta:
        model = Invoice
        fields = [
            "number",
            "kind",
            "purpose",
            "status",
            "customer",
            "customer_name",
            "period",
            "year",
            "period_start",
            "period_end",
            "issue_date",
            "due_date",
            "net_total",
            "vat_total",
            "gross_total",
            "credited_invoice",
            "agreement",
        ]
        read_only_fields = fields


class InvoiceLineSerializer(serializers.ModelSerializer):
    invoice = serializers.CharField(source="invoice.number", read_only=True, allow_null=True)
    invoice_kind = serializers.CharField(source="invoice.kind", read_only=True, help_text=KIND_TEXT)
    invoice_status = serializers.CharField(source="invoice.status", read_only=True, help_text=STATUS_TEXT)
    vat_category = serializers.CharField(
        read_only=True,
        help_text=_("EN 16931-btw-categorie: S (hoog), AA (laag), Z (nul) of E (vrijgesteld)."),
    )
    customer = serializers.CharField(source="invoice.customer.slug", read_only=True)
    period = serializers.CharField(source="invoice.period", read_only=True)
    year = serializers.IntegerField(source="invoice.year", read_only=True)
    service = serializers.CharField(source="service.code", read_only=True)
    domain = serializers.CharField(source="service.domain.code", read_only=True)
    taakveld = serializers.CharField(source="service.taakveld", read_only=True)
    unit_code = serializers.CharField(source="service.unit_code", read_only=True)

    class Meta:
        model = InvoiceLine
        fields = [
            "id",
            "invoice",
            "invoice_kind",
            "invoice_status",
            "customer",
            "period",
            "year",
            "service",
            "domain",
            "taakveld",
            "description",
            "quantity",
            "unit_code",
            "unit_price",
            "periods_per_year",
            "net_amount",
            "vat_category",
            "vat_rate",
        ]
        read_only_fields = fields


class JournalEntrySerializer(serializers.Serializer):
    invoice = serializers.CharField(source="entry_invoice", help_text=_("Factuurnummer."))
    invoice_kind = serializers.CharField(source="entry_invoice_kind", help_text=KIND_TEXT)
    issue_date = serializers.DateField(source="entry_date", allow_null=True)
    customer = serializers.CharField(source="entry_customer")
    cost_centre = serializers.CharField(
        source="entry_cost_centre", help_text=_("Kostenplaats van de afnemer.")
    )
    line = serializers.IntegerField(
        source="entry_line", allow_null=True, help_text=_("Factuurregel; leeg bij de btw-boeking.")
    )
    entry = serializers.CharField(
        source="entry_kind",
        help_text=_("receivable (debiteur), revenue (opbrengst per domein) of vat (af te dragen btw)."),
    )
    domain = serializers.CharField(source="entry_domain")
    taakveld = serializers.CharField(source="entry_taakveld", help_text=_("BBV-taakveld van de dienst."))
    service = serializers.CharField(source="entry_service")
    description = serializers.CharField(source="entry_description")
    debit = serializers.DecimalField(source="entry_debit", max_digits=14, decimal_places=2)
    credit = serializers.DecimalField(source="entry_credit", max_digits=14, decimal_places=2)


class JournalPageSerializer(serializers.Serializer):
    next = serializers.URLField(
        allow_null=True, help_text=_("De volgende pagina; leeg op de laatste. Er is geen totaal aantal.")
    )
    results = JournalEntrySerializer(many=True)
