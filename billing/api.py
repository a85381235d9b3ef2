"""The finance exports: invoices, invoice lines and journal entries; e-invoices (SI-UBL 2.0) and PDFs;
and the price-equality proof per year (provider roles only).

Every list answers JSON (paginated), ``?format=csv`` (streamed by the database, every row) and
``?format=xlsx``, with stable column names, amounts with a decimal point and two decimals and ISO dates.
A municipality's finance user (or its token) sees its own organisation's invoices only, and never a
draft; provider roles see every invoice. Another tenant's invoice answers 404.
"""

from __future__ import annotations

import csv
import io
import queue
import threading
from collections.abc import Iterator

from django import forms
from django.db import connections
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.response import Response

from core.api import ExportListMixin
from core.exports import (
    DATE,
    DECIMAL,
    INTEGER,
    MONEY,
    TEXT,
    XLSX_CONTENT_TYPE,
    Column,
    csv_response,
    format_value,
    write_xlsx,
)
from core.schema import FORMAT_PARAMETER, PortalAutoSchema
from tenants.mixins import HasPortalRole, ScopedViewSetMixin
from tenants.models import Organisation
from tenants.roles import PROVIDER_ROLES, Role

from .journal import journal_entries
from .models import Invoice, InvoiceLine
from .selectors import invoice_lines_for, invoices_for, price_equality
from .ubl import CONTENT_TYPE as UBL_CONTENT_TYPE
from .ubl import NotAnEInvoice, build_ubl

FINANCE_ROLES = frozenset({Role.FINANCE}) | PROVIDER_ROLES
# Invoice numbers are digits, letters and dashes (``2024-00017``, ``INT-2024-00003``).
NUMBER_PATTERN = r"[A-Za-z0-9-]+"


# --- Filters ---------------------------------------------------------------------------------------


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


def _filterset(name: str, model, prefix: str, **extra) -> type[filters.FilterSet]:
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


# --- Serializers -----------------------------------------------------------------------------------


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


# --- Renderers for the documents -------------------------------------------------------------------


class XMLDocumentRenderer(renderers.BaseRenderer):
    """Lets clients ask for ``application/xml``; an error then comes as a small XML document."""

    media_type = UBL_CONTENT_TYPE
    format = "xml"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        from xml.sax.saxutils import escape

        if isinstance(data, bytes):
            return data
        detail = data.get("detail", "") if isinstance(data, dict) else data
        return f"<error>{escape(str(detail))}</error>".encode()


class PDFDocumentRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


def _document_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- CSV straight from PostgreSQL's COPY -----------------------------------------------------------

COPY_CHUNK_BYTES = 256 * 1024
COPY_QUEUE_CHUNKS = 8  # at most this many chunks wait between the database and the client


def _copy_expression(column_ref: str, kind: str) -> str:
    """What COPY writes for a column is already the machine format (ISO dates, numeric with its scale);
    text that is empty becomes NULL so it is written bare, as csv.writer writes it, not as ``""``."""
    if kind == MONEY:
        return f"round({column_ref}, 2)"
    if kind == TEXT:
        return f"nullif({column_ref}::text, '')"
    return column_ref


def copy_sql(queryset, columns) -> str | None:
    """``COPY (the export query) TO STDOUT WITH CSV``, or ``None`` when the query can match nothing."""
    from django.core.exceptions import EmptyResultSet

    try:
        inner_sql, params = queryset.values_list(*[c.source for c in columns]).query.sql_with_params()
    except EmptyResultSet:
        return None
    connection = connections[queryset.db]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        inner = cursor.mogrify(inner_sql, params).decode()
    aliases = [f"c{i}" for i in range(len(columns))]
    select = ", ".join(_copy_expression(a, c.kind) for a, c in zip(aliases, columns, strict=True))
    return (
        f"COPY (SELECT {select} FROM ({inner}) AS export_rows({', '.join(aliases)})) "  # noqa: S608
        "TO STDOUT WITH (FORMAT csv)"
    )


class _ChunkWriter:
    """The file COPY writes into: gathers rows into chunks of about 256 kB and hands them over. Once the
    client has gone (``stop``), what still arrives is dropped."""

    def __init__(self, chunks: queue.Queue, stop: threading.Event):
        self.chunks, self.stop = chunks, stop
        self.parts: list = []
        self.size = 0

    def write(self, data) -> None:
        if self.stop.is_set():
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size >= COPY_CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        chunk = b"".join(p if isinstance(p, bytes) else p.encode() for p in self.parts)
        self.parts, self.size = [], 0
        _hand_over(self.chunks, chunk, self.stop)


def _hand_over(chunks: queue.Queue, item, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.2)
            return
        except queue.Full:
            continue


def iter_copy_csv(queryset, columns) -> Iterator[bytes]:
    """The CSV export of ``queryset``: the header, then PostgreSQL's own ``COPY ... TO STDOUT`` output.

    COPY runs in a helper thread on the request's connection (the request thread does not touch it
    meanwhile) and hands chunks over a small bounded queue, so memory stays flat whatever the size.
    When the client goes away the generator is closed: the query is cancelled (inside a transaction,
    in a savepoint that is rolled back), and the connection stays usable.
    """
    from psycopg2.extensions import QueryCanceledError

    yield (",".join(c.name for c in columns) + "\n").encode()
    sql = copy_sql(queryset, columns)
    if sql is None:
        return
    connection = connections[queryset.db]
    raw = connection.connection
    in_transaction = connection.in_atomic_block
    chunks: queue.Queue = queue.Queue(maxsize=COPY_QUEUE_CHUNKS)
    stop = threading.Event()
    # ``copying`` changes under ``state``; a cancel is sent under it too, so it can only reach COPY,
    # never a statement after it (a cancel that arrives while the backend is idle is ignored).
    state = threading.Lock()
    copying = [False]
    done = object()
    failure: list[BaseException] = []

    def copy(cursor) -> None:
        with state:
            if stop.is_set():
                return
            copying[0] = True
        try:
            writer = _ChunkWriter(chunks, stop)
            cursor.copy_expert(sql, writer)
            writer.flush()
        finally:
            with state:
                copying[0] = False

    def produce():
        try:
            with raw.cursor() as cursor:
                if not in_transaction:
                    copy(cursor)
                    return
                cursor.execute("SAVEPOINT csv_export")
                try:
                    copy(cursor)
                except BaseException:
                    cursor.execute("ROLLBACK TO SAVEPOINT csv_export")
                    raise
                finally:
                    cursor.execute("RELEASE SAVEPOINT csv_export")
        except QueryCanceledError:
            if not stop.is_set():
                failure.append(RuntimeError("the CSV export was cancelled"))
        except BaseException as exc:  # handed to the request thread, which raises it
            failure.append(exc)
        finally:
            _hand_over(chunks, done, stop)

    producer = threading.Thread(target=produce, name="csv-copy", daemon=True)
    producer.start()
    try:
        while (chunk := chunks.get()) is not done:
            yield chunk
    finally:
        with state:
            stop.set()
            if copying[0]:
                raw.cancel()
        producer.join()
    if failure:
        raise failure[0]


def csv_export_response(queryset, columns, filename: str) -> StreamingHttpResponse:
    """The CSV export: PostgreSQL's COPY where the database is PostgreSQL, core's path elsewhere."""
    if connections[queryset.db].vendor != "postgresql":
        return csv_response(queryset, columns, filename)
    response = StreamingHttpResponse(iter_copy_csv(queryset, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


class CopyExportListMixin(ExportListMixin):
    """ExportListMixin whose ``?format=csv`` streams PostgreSQL's COPY output (see the benchmark)."""

    def list(self, request, *args, **kwargs):
        if request.query_params.get("format") == "csv":
            queryset = self.filter_queryset(self.get_queryset())
            return csv_export_response(queryset, self.export_columns, self.export_filename)
        return super().list(request, *args, **kwargs)


# --- Viewsets --------------------------------------------------------------------------------------


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
class InvoiceViewSet(ScopedViewSetMixin, CopyExportListMixin, viewsets.ReadOnlyModelViewSet):
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
        return _document_response(document.content, UBL_CONTENT_TYPE, document.filename)

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
        from .pdf import render_invoice_pdf

        return _document_response(render_invoice_pdf(invoice), "application/pdf", f"{invoice.number}.pdf")


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
class InvoiceLineViewSet(ScopedViewSetMixin, CopyExportListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = InvoiceLineSerializer
    filterset_class = InvoiceLineFilter
    export_filename = "factuurregels"
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


JOURNAL_PARAMETERS = [
    OpenApiParameter("invoice", OpenApiTypes.STR, description="Factuurnummer."),
    OpenApiParameter("customer", OpenApiTypes.STR, description="Korte naam van de afnemer, bv. leiderdorp."),
    OpenApiParameter("year", OpenApiTypes.INT, description="Jaar."),
    OpenApiParameter("period", OpenApiTypes.STR, description="Periode: 2024-Q1 of 2024-03."),
    OpenApiParameter(
        "status", OpenApiTypes.STR, enum=[s for s, _label in Invoice.Status.choices if s != "draft"]
    ),
    OpenApiParameter("kind", OpenApiTypes.STR, enum=Invoice.Kind.values),
]


@extend_schema_view(
    list=extend_schema(
        summary="Journal entries",
        description=(
            "Per invoice line a receivable debit and a revenue credit (by the service's domain), with the "
            "customer's cost centre and the service's BBV taakveld; per invoice with VAT a receivable debit "
            "and a vat credit. Debits equal credits per invoice. Issued, paid and credited invoices only. "
            "Columns of the CSV/XLSX export: invoice, invoice_kind, issue_date, customer, cost_centre, line, "
            "entry, domain, taakveld, service, description, debit, credit."
        ),
        parameters=JOURNAL_PARAMETERS,
    )
)
class JournalEntryViewSet(ScopedViewSetMixin, CopyExportListMixin, viewsets.GenericViewSet):
    """The journal is finance's: the finance role of a municipality and the provider roles."""

    serializer_class = JournalEntrySerializer
    allowed_roles = FINANCE_ROLES
    filter_backends: list = []  # filters apply to each part of the union, in get_queryset
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
        # ExportListMixin answers csv/xlsx; JSON pages through the same union.
        export_format = request.query_params.get("format")
        if export_format in ("csv", "xlsx"):
            return super().list(request, *args, **kwargs)
        queryset = self.get_queryset()
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)


# --- Price equality --------------------------------------------------------------------------------

PRICE_EQUALITY_COLUMNS = [
    Column("service", "service"),
    Column("service_name", "service_name"),
    Column("year", "year", INTEGER),
    Column("tariff", "tariff", MONEY),
    Column("customer", "customer"),
    Column("unit_prices", "unit_prices"),
    Column("verdict", "verdict"),
]
EQUAL, DEVIATION = "equal", "deviation"
MIN_YEAR, MAX_YEAR = 2000, 2100


class PriceEqualityRowSerializer(serializers.Serializer):
    service = serializers.CharField(help_text="Service code, e.g. ICT-01.")
    service_name = serializers.CharField()
    year = serializers.IntegerField()
    tariff = serializers.DecimalField(
        max_digits=12,
        decimal_places=2,
        allow_null=True,
        help_text="The year's tariff; null when there is none.",
    )
    customer = serializers.CharField(help_text="Short name of the customer, e.g. leiderdorp.")
    customer_name = serializers.CharField()
    unit_prices = serializers.ListField(
        child=serializers.DecimalField(max_digits=12, decimal_places=2),
        help_text="Every distinct unit price on the customer's invoice lines of the year (drafts too). In the "
        "CSV/XLSX export joined with ';'.",
    )
    # Text, not an enum: the transition report has a verdict field with other values.
    verdict = serializers.CharField(help_text="equal or deviation")


class PriceEqualityReportSerializer(serializers.Serializer):
    year = serializers.IntegerField()
    verdict = serializers.CharField(
        help_text="equal when every customer paid the tariff for every service, else deviation"
    )
    is_equal = serializers.BooleanField()
    deviations = serializers.IntegerField(help_text="Rows whose verdict is deviation.")
    customers = serializers.ListField(
        child=serializers.CharField(), help_text="Customers billed in the year."
    )
    count = serializers.IntegerField(help_text="Rows in all pages.")
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = PriceEqualityRowSerializer(many=True)


class PriceEqualitySchema(PortalAutoSchema):
    """The report is one document (its verdict with a page of rows), not a plain paginated list."""

    def _is_list_view(self, serializer=None) -> bool:
        return False

    def get_override_parameters(self):
        return [*super().get_override_parameters(), FORMAT_PARAMETER]


def _report_year(value: str | None) -> int:
    if value in (None, ""):
        raise ValidationError({"year": [gettext("Geef het jaar op, bijvoorbeeld ?year=2024.")]})
    try:
        year = int(value)
    except (TypeError, ValueError):
        year = None
    if year is None or not MIN_YEAR <= year <= MAX_YEAR:
        raise ValidationError(
            {
                "year": [
                    gettext("Het jaar moet een geheel getal van %(min)s tot en met %(max)s zijn.")
                    % {"min": MIN_YEAR, "max": MAX_YEAR}
                ]
            }
        )
    return year


def price_equality_rows(year: int) -> tuple[object, list[dict]]:
    """The report of ``year`` and its rows: one per service and customer billed, in catalogue order."""
    report = price_equality(year)
    slugs = dict(Organisation.objects.filter(name__in=report.customers).values_list("name", "slug"))
    rows = []
    for row in report.rows:
        for name, prices in row.prices.items():
            rows.append(
                {
                    "service": row.service.code,
                    "service_name": row.service.name,
                    "year": year,
                    "tariff": row.tariff,
                    "customer": slugs.get(name, name),
                    "customer_name": name,
                    "unit_prices": list(prices),
                    "verdict": EQUAL if row.is_equal_for(name) else DEVIATION,
                }
            )
    return report, rows


def _export_values(row: dict) -> list[str]:
    return [
        row["service"],
        row["service_name"],
        row["year"],
        row["tariff"],
        row["customer"],
        ";".join(format_value(p, MONEY) for p in row["unit_prices"]),
        row["verdict"],
    ]


def _price_equality_csv(rows: list[dict], filename: str) -> StreamingHttpResponse:
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([c.name for c in PRICE_EQUALITY_COLUMNS])
        for row in rows:
            writer.writerow(
                format_value(value, column.kind)
                for value, column in zip(_export_values(row), PRICE_EQUALITY_COLUMNS, strict=True)
            )
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


@extend_schema_view(
    list=extend_schema(
        operation_id="price_equality_report",
        summary="Price equality",
        description=(
            "The same-price proof of a year (DESIGN rule 1), for provider roles only (customer roles get "
            "404): per service and customer billed, the year's tariff, the unit prices on the customer's "
            "invoice lines (drafts too) and a verdict, equal or deviation; the report's overall verdict "
            "beside the page of rows. Columns of the CSV/XLSX export: service, service_name, year, "
            "tariff, customer, unit_prices, verdict. A missing or bad year is a 400."
        ),
        parameters=[
            OpenApiParameter(
                "year",
                OpenApiTypes.INT,
                OpenApiParameter.QUERY,
                required=True,
                description=f"The year, {MIN_YEAR}-{MAX_YEAR}.",
            ),
        ],
        responses={
            200: OpenApiResponse(
                PriceEqualityReportSerializer,
                description="JSON (the rows paginated); `?format=csv` and `?format=xlsx` give every row.",
            ),
            400: OpenApiResponse(description="The year is missing or not a year."),
            404: OpenApiResponse(description="Not found: the user holds no provider role."),
        },
    )
)
class PriceEqualityViewSet(viewsets.GenericViewSet):
    """The price-equality report: Leiden's proof that every municipality pays the same price."""

    schema = PriceEqualitySchema()
    permission_classes = [HasPortalRole]
    allowed_roles = PROVIDER_ROLES
    serializer_class = PriceEqualityRowSerializer
    filter_backends: list = []

    def list(self, request):
        year = _report_year(request.query_params.get("year"))
        report, rows = price_equality_rows(year)
        filename = f"prijsgelijkheid-{year}"
        export_format = request.query_params.get("format")
        if export_format == "csv":
            return _price_equality_csv(rows, filename)
        if export_format == "xlsx":
            output = write_xlsx((_export_values(row) for row in rows), PRICE_EQUALITY_COLUMNS, title=filename)
            return FileResponse(
                output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
            )
        page = self.paginate_queryset(rows)
        response = self.get_paginated_response(PriceEqualityRowSerializer(page, many=True).data)
        deviations = sum(1 for row in rows if row["verdict"] == DEVIATION)
        response.data = {
            "year": year,
            "verdict": EQUAL if report.is_equal else DEVIATION,
            "is_equal": report.is_equal,
            "deviations": deviations,
            "customers": sorted({row["customer"] for row in rows}),
            **response.data,
        }
        return Response(response.data)


def register(router) -> None:
    router.register("price-equality", PriceEqualityViewSet, basename="price-equality")
    router.register("invoices", InvoiceViewSet, basename="invoice")
    router.register("invoice-lines", InvoiceLineViewSet, basename="invoice-line")
    router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")
