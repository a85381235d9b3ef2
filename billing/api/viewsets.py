"""The finance exports: invoices, invoice lines and journal entries; e-invoices (SI-UBL 2.0) and PDFs.

Every list answers JSON (paginated), ``?format=csv`` (streamed by the database, every row) and
``?format=xlsx``, with stable column names, amounts with a decimal point and two decimals and ISO dates.
A municipality's finance user (or its token) sees its own organisation's invoices only, and never a
draft; provider roles see every invoice. Another tenant's invoice answers 404.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import renderers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response
from rest_framework.utils.urls import replace_query_param

from billing.journal import journal_entries, journal_page
from billing.models import Invoice, InvoiceLine
from billing.pdf import render_invoice_pdf
from billing.selectors import invoice_lines_for, invoices_for
from billing.ubl import CONTENT_TYPE as UBL_CONTENT_TYPE
from billing.ubl import NotAnEInvoice, build_ubl
from core.api import ExportListMixin
from core.exports import DATE, DECIMAL, INTEGER, MONEY, Column
from tenants.mixins import ScopedViewSetMixin
from tenants.roles import PROVIDER_ROLES, Role

from .filters import InvoiceFilter, InvoiceLineFilter, JournalInvoiceFilter, JournalLineFilter
from .renderers import PDFDocumentRenderer, XMLDocumentRenderer, document_response
from .serializers import (
    InvoiceLineSerializer,
    InvoiceSerializer,
    JournalEntrySerializer,
    JournalPageSerializer,
)

FINANCE_ROLES = frozenset({Role.FINANCE}) | PROVIDER_ROLES
# Invoice numbers are digits, letters and dashes (``2024-00017``, ``INT-2024-00003``).
NUMBER_PATTERN = r"[A-Za-z0-9-]+"

INVOICE_NOT_FOUND = OpenApiResponse(description=_("Geen factuur van uw organisatie met dit nummer."))


@extend_schema_view(
    list=extend_schema(
        summary="Invoices and credit notes",
        description=(
            "The invoices of the user's own organisation (issued, paid and credited ones); provider roles "
            "see every organisation's, drafts included. Columns of the CSV/XLSX export: number, kind, "
            "purpose, status, customer, customer_name, period, year, period_start, period_end, issue_date, "
            "due_date, net_total, vat_total, gross_total, credited_invoice, agreement."
        ),
    ),
    retrieve=extend_schema(summary="One invoice", responses={200: InvoiceSerializer, 404: INVOICE_NOT_FOUND}),
)
class InvoiceViewSet(ScopedViewSetMixin, ExportListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InvoiceSerializer
    filterset_class = InvoiceFilter
    object_permission = "billing.view_invoice"  # the second layer, behind the scoped selector
    lookup_field = "number"
    lookup_value_regex = NUMBER_PATTERN
    export_filename = "facturen"
    export_columns = [
        Column("number", "number"),
        Column("kind", "kind"),
        Column("purpose", "purpose"),
        Column("status", "status"),
        Column("customer", "customer__slug"),
        Column("customer_name", "customer__name"),
        Column("period", "period"),
        Column("year", "year", INTEGER),
        Column("period_start", "period_start", DATE),
        Column("period_end", "period_end", DATE),
        Column("issue_date", "issue_date", DATE),
        Column("due_date", "due_date", DATE),
        Column("net_total", "net_total", MONEY),
        Column("vat_total", "vat_total", MONEY),
        Column("gross_total", "gross_total", MONEY),
        Column("credited_invoice", "credited_invoice__number"),
        Column("agreement", "agreement__number"),
    ]

    def get_queryset(self):
        queryset = invoices_for(self.request.user).select_related("agreement")
        return queryset.order_by("-year", "-period", "customer__name", "number", "pk")

    @extend_schema(
        summary="E-invoice (SI-UBL 2.0)",
        description=(
            "The invoice as SI-UBL 2.0 (NLCIUS) UBL 2.1 XML: an Invoice (380), or for a credit note a "
            "CreditNote (381) referring to the original. Leiden's internal settlements are no e-invoice: 404."
        ),
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, UBL_CONTENT_TYPE): OpenApiResponse(OpenApiTypes.BINARY, description="SI-UBL 2.0 XML"),
            404: INVOICE_NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="ubl",
        renderer_classes=[renderers.JSONRenderer, XMLDocumentRenderer],
    )
    def ubl(self, request, number=None):
        invoice = self.get_object()
        try:
            document = build_ubl(invoice)
        except NotAnEInvoice as exc:
            raise NotFound(str(exc)) from exc
        return document_response(document.content, UBL_CONTENT_TYPE, document.filename)

    @extend_schema(
        summary="Invoice PDF",
        description="The same PDF as the portal offers.",
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            404: INVOICE_NOT_FOUND,
        },
    )
    @action(
        detail=True,
        methods=["get"],
        url_path="pdf",
        renderer_classes=[renderers.JSONRenderer, PDFDocumentRenderer],
    )
    def pdf(self, request, number=None):
        invoice = self.get_object()
        return document_response(render_invoice_pdf(invoice), "application/pdf", f"{invoice.number}.pdf")


@extend_schema_view(
    list=extend_schema(
        summary="Invoice lines",
        description=(
            "The lines of the invoices the user may see (no drafts for customer roles). Columns of the "
            "CSV/XLSX export: id, invoice, invoice_kind, invoice_status, customer, period, year, service, "
            "domain, taakveld, description, quantity, unit_code, unit_price (per unit per year), "
            "periods_per_year, net_amount, vat_category, vat_rate."
        ),
    ),
    retrieve=extend_schema(summary="One invoice line"),
)
class InvoiceLineViewSet(ScopedViewSetMixin, ExportListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InvoiceLineSerializer
    filterset_class = InvoiceLineFilter
    export_filename = "factuurregels"
    list_from_columns = True
    export_columns = [
        Column("id", "id", INTEGER),
        Column("invoice", "invoice__number"),
        Column("invoice_kind", "invoice__kind"),
        Column("invoice_status", "invoice__status"),
        Column("customer", "invoice__customer__slug"),
        Column("period", "invoice__period"),
        Column("year", "invoice__year", INTEGER),
        Column("service", "service__code"),
        Column("domain", "service__domain__code"),
        Column("taakveld", "service__taakveld"),
        Column("description", "description"),
        Column("quantity", "quantity", DECIMAL),
        Column("unit_code", "service__unit_code"),
        Column("unit_price", "unit_price", MONEY),
        Column("periods_per_year", "periods_per_year", INTEGER),
        Column("net_amount", "net_amount", MONEY),
        Column("vat_category", "vat_category"),
        Column("vat_rate", "vat_rate", DECIMAL),
    ]

    def get_object(self):
        line = super().get_object()
        if not self.request.user.has_perm("billing.view_invoice", line.invoice):
            raise NotFound
        return line

    def get_queryset(self):
        queryset = invoice_lines_for(self.request.user).select_related("service__domain")
        # Invoice, then line: the order the lines were made in, and an index scan without a sort.
        return queryset.order_by("invoice_id", "pk")


DEFAULT_JOURNAL_PAGE_SIZE = 50
MAX_JOURNAL_PAGE_SIZE = 1000
JOURNAL_PARAMETERS = [
    OpenApiParameter("invoice", OpenApiTypes.STR, description="Factuurnummer."),
    OpenApiParameter("customer", OpenApiTypes.STR, description="Korte naam van de afnemer, bv. leiderdorp."),
    OpenApiParameter("year", OpenApiTypes.INT, description="Jaar."),
    OpenApiParameter("period", OpenApiTypes.STR, description="Periode: 2024-Q1 of 2024-03."),
    OpenApiParameter(
        "status", OpenApiTypes.STR, enum=[s for s, _label in Invoice.Status.choices if s != "draft"]
    ),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Invoice.Kind.values),
    OpenApiParameter(
        "after",
        OpenApiTypes.STR,
        description="Cursor: the page starts after this invoice number (take it from `next`).",
    ),
    OpenApiParameter(
        "page_size",
        OpenApiTypes.INT,
        description="At least this many entries per page (whole invoices), 1 to 1000; default 50.",
    ),
]


@extend_schema_view(
    list=extend_schema(
        summary="Journal entries",
        description=(
            "Per invoice line a receivable debit and a revenue credit (by the service's domain), with the "
            "customer's cost centre and the service's BBV taakveld; per invoice with VAT a receivable debit "
            "and a vat credit. Debits equal credits per invoice. Issued, paid and credited invoices only. "
            "Columns of the CSV/XLSX export: invoice, invoice_kind, issue_date, customer, cost_centre, line, "
            "entry, domain, taakveld, service, description, debit, credit. JSON pages by invoice number: "
            "a page holds whole invoices, `next` continues after the last one (no total count)."
        ),
        parameters=JOURNAL_PARAMETERS,
        responses=JournalPageSerializer,
    )
)
class JournalEntryViewSet(ScopedViewSetMixin, ExportListMixin, viewsets.GenericViewSet):
    """The journal is finance's: the finance role of a municipality and the provider roles."""

    serializer_class = JournalEntrySerializer
    allowed_roles = FINANCE_ROLES
    filter_backends: list = []  # filters apply to each part of the union, in get_queryset
    pagination_class = None  # JSON pages by invoice (journal_page), without counting the union
    export_filename = "journaalposten"
    export_columns = [
        Column("invoice", "entry_invoice"),
        Column("invoice_kind", "entry_invoice_kind"),
        Column("issue_date", "entry_date", DATE),
        Column("customer", "entry_customer"),
        Column("cost_centre", "entry_cost_centre"),
        Column("line", "entry_line", INTEGER),
        Column("entry", "entry_kind"),
        Column("domain", "entry_domain"),
        Column("taakveld", "entry_taakveld"),
        Column("service", "entry_service"),
        Column("description", "entry_description"),
        Column("debit", "entry_debit", MONEY),
        Column("credit", "entry_credit", MONEY),
    ]

    def _filtered(self, filterset_class, queryset):
        filterset = filterset_class(self.request.query_params, queryset=queryset, request=self.request)
        if not filterset.is_valid():
            raise ValidationError(filterset.errors)
        return filterset.qs

    def get_queryset(self):
        user = self.request.user
        if getattr(self, "swagger_fake_view", False):
            return InvoiceLine.objects.none()
        lines = self._filtered(JournalLineFilter, invoice_lines_for(user))
        invoices = self._filtered(JournalInvoiceFilter, invoices_for(user))
        return journal_entries(lines=lines, invoices=invoices)

    def list(self, request, *args, **kwargs):
        # ExportListMixin answers csv/xlsx; JSON pages through the same union, by invoice.
        export_format = request.query_params.get("format")
        if export_format in ("csv", "xlsx"):
            return super().list(request, *args, **kwargs)
        size = self._page_size(request)
        user = request.user
        lines = self._filtered(JournalLineFilter, invoice_lines_for(user))
        invoices = self._filtered(JournalInvoiceFilter, invoices_for(user))
        page, cursor = journal_page(
            lines=lines, invoices=invoices, after=request.query_params.get("after") or None, entries=size
        )
        next_url = None
        if cursor is not None:
            next_url = replace_query_param(request.build_absolute_uri(), "after", cursor)
        results = self.get_serializer(list(page), many=True).data
        return Response({"next": next_url, "results": results})

    @staticmethod
    def _page_size(request) -> int:
        raw = request.query_params.get("page_size")
        if raw in (None, ""):
            return DEFAULT_JOURNAL_PAGE_SIZE
        try:
            size = int(raw)
        except ValueError as exc:
            raise ValidationError({"page_size": [_("Geef een geheel getal.")]}) from exc
        if not 1 <= size <= MAX_JOURNAL_PAGE_SIZE:
            raise ValidationError({"page_size": [_("Tussen 1 en %(max)s.") % {"max": MAX_JOURNAL_PAGE_SIZE}]})
        return size
