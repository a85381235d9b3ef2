"""Query filters of the invoice endpoints: customer, year, period, status and kind, on invoices and
(through their invoice) on lines and journal entries."""

from __future__ import annotations

from django import forms
from django.db.models import Model
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters

from billing.models import Invoice, InvoiceLine


class YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField


def _invoice_filters(prefix: str = "") -> dict:
    return {
        "customer": filters.CharFilter(
            field_name=f"{prefix}customer__slug", help_text=_("Korte naam van de afnemer, bv. leiderdorp.")
        ),
        "year": YearFilter(field_name=f"{prefix}year", min_value=2000, max_value=2100, help_text=_("Jaar.")),
        "period": filters.CharFilter(
            field_name=f"{prefix}period", help_text=_("Periode: 2024-Q1 of 2024-03.")
        ),
        "status": filters.ChoiceFilter(field_name=f"{prefix}status", choices=Invoice.Status.choices),
        "kind": filters.ChoiceFilter(field_name=f"{prefix}kind", choices=Invoice.Kind.choices),
    }


def _filterset(
    name: str, model: type[Model], prefix: str, **extra: filters.Filter
) -> type[filters.FilterSet]:
    """A FilterSet with the invoice filters (through ``prefix``) and ``extra`` ones."""
    declared = {**_invoice_filters(prefix), **extra}
    meta = type("Meta", (), {"model": model, "fields": list(declared)})
    return type(name, (filters.FilterSet,), {**declared, "Meta": meta})


InvoiceFilter = _filterset("InvoiceFilter", Invoice, "")
InvoiceLineFilter = _filterset(
    "InvoiceLineFilter",
    InvoiceLine,
    "invoice__",
    invoice=filters.CharFilter(field_name="invoice__number", help_text=_("Factuurnummer.")),
    service=filters.CharFilter(field_name="service__code", help_text=_("Dienstcode, bv. ICT-01.")),
)
JournalLineFilter = _filterset(
    "JournalLineFilter", InvoiceLine, "invoice__", invoice=filters.CharFilter(field_name="invoice__number")
)
JournalInvoiceFilter = _filterset(
    "JournalInvoiceFilter", Invoice, "", invoice=filters.CharFilter(field_name="number")
)
