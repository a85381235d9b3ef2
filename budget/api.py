"""The budget API: budget letters (with their lines and the PDF) and budget against realisation.

Scoped like every list: a municipality's users see their own organisation's issued letters, provider
roles every letter (drafts too). JSON (paginated), ``?format=csv`` (streamed) and ``?format=xlsx``;
money as strings with two decimals.
"""

from __future__ import annotations

import csv
import io

from django import forms
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.utils import timezone
from django.utils.translation import gettext
from django_filters import rest_framework as filters
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import renderers, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError

from core.api import ExportListMixin
from core.exports import (
    BOOLEAN,
    DATETIME,
    INTEGER,
    MONEY,
    XLSX_CONTENT_TYPE,
    Column,
    format_value,
    write_xlsx,
)
from core.schema import FORMAT_PARAMETER, PortalAutoSchema
from tenants.mixins import HasPortalRole, ScopedViewSetMixin

from .models import BudgetLetter, BudgetLetterLine
from .selectors import letters_for, realisations_for

MIN_YEAR, MAX_YEAR = 2000, 2100


class _YearFilter(filters.NumberFilter):
    field_class = forms.IntegerField


class BudgetLetterFilter(filters.FilterSet):
    customer = filters.CharFilter(
        field_name="customer__slug", help_text="Short name of the customer, e.g. leiderdorp."
    )
    year = _YearFilter(field_name="year", min_value=MIN_YEAR, max_value=MAX_YEAR)
    version = filters.NumberFilter(field_name="version")
    status = filters.ChoiceFilter(field_name="status", choices=BudgetLetter.Status.choices)
    is_provisional = filters.BooleanFilter(field_name="is_provisional")

    class Meta:
        model = BudgetLetter
        fields = ["customer", "year", "version", "status", "is_provisional"]


class BudgetLetterLineSerializer(serializers.ModelSerializer):
    service = serializers.CharField(
        source="service.code", read_only=True, help_text="Service code, e.g. ICT-01."
    )
    service_name = serializers.CharField(source="service.name", read_only=True)
    domain = serializers.CharField(source="domain.code", read_only=True)

    class Meta:
        model = BudgetLetterLine
        fields = [
            "service",
            "service_name",
            "domain",
            "taakveld",
            "volume",
            "unit_price",
            "amount",
            "is_provisional_price",
            "low_amount",
            "high_amount",
            "vat_rate",
        ]
        read_only_fields = fields


class BudgetLetterSerializer(serializers.ModelSerializer):
    customer = serializers.CharField(
        source="customer.slug", read_only=True, help_text="Short name of the customer."
    )
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    status = serializers.CharField(read_only=True, help_text="draft, issued or acknowledged")
    replaces = serializers.CharField(
        source="replaces.number", read_only=True, allow_null=True, help_text="Number of the version replaced."
    )
    expected_total = serializers.DecimalField(
        source="net_total",
        max_digits=14,
        decimal_places=2,
        read_only=True,
        help_text="Expected scenario, excl. VAT.",
    )
    lines = BudgetLetterLineSerializer(many=True, read_only=True)

    class Meta:
        model = BudgetLetter
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "year",
            "version",
            "status",
            "is_provisional",
            "provisional_percent",
            "tariff_year",
            "replaces",
            "deadline",
            "expected_total",
            "low_total",
            "high_total",
            "vat_total",
            "gross_total",
            "issued_at",
            "acknowledged_at",
            "lines",
        ]
        read_only_fields = fields


class PDFRenderer(renderers.BaseRenderer):
    media_type = "application/pdf"
    format = "pdf"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        return data if isinstance(data, bytes) else b""


@extend_schema_view(
    list=extend_schema(
        summary="Budget letters",
        description=(
            "The budget letters (begrotingsbrieven) the user may see: a municipality its own issued ones, "
            "provider roles every letter, drafts included. The expected scenario of the last issued version "
            "of a year is that year's budget. Columns of the CSV/XLSX export: id, number, customer, year, "
            "version, status, is_provisional, provisional_percent, replaces, expected_total, low_total, "
            "high_total, vat_total, gross_total, issued_at, acknowledged_at (the lines are in the JSON)."
        ),
    ),
    retrieve=extend_schema(summary="One budget letter"),
)
class BudgetLetterViewSet(ScopedViewSetMixin, ExportListMixin, viewsets.ReadOnlyModelViewSet):
    serializer_class = BudgetLetterSerializer
    filterset_class = BudgetLetterFilter
    export_filename = "begrotingsbrieven"
    export_columns = [
        Column("id", "id", INTEGER),
        Column("number", "number"),
        Column("customer", "customer__slug"),
        Column("year", "year", INTEGER),
        Column("version", "version", INTEGER),
        Column("status", "status"),
        Column("is_provisional", "is_provisional", BOOLEAN),
        Column("provisional_percent", "provisional_percent", MONEY),
        Column("replaces", "replaces__number"),
        Column("expected_total", "net_total", MONEY),
        Column("low_total", "low_total", MONEY),
        Column("high_total", "high_total", MONEY),
        Column("vat_total", "vat_total", MONEY),
        Column("gross_total", "gross_total", MONEY),
        Column("issued_at", "issued_at", DATETIME),
        Column("acknowledged_at", "acknowledged_at", DATETIME),
    ]

    def get_queryset(self):
        queryset = letters_for(self.request.user).prefetch_related("lines__service", "lines__domain")
        return queryset.order_by("-year", "customer__name", "-version", "pk")

    @extend_schema(
        summary="Budget letter PDF",
        description="The same PDF as the portal offers.",
        parameters=[OpenApiParameter("format", exclude=True)],
        responses={
            (200, "application/pdf"): OpenApiResponse(OpenApiTypes.BINARY, description="PDF"),
            404: OpenApiResponse(description="No letter of your organisation with this id."),
        },
    )
    @action(
        detail=True, methods=["get"], url_path="pdf", renderer_classes=[renderers.JSONRenderer, PDFRenderer]
    )
    def pdf(self, request, pk=None):
        from .documents import letter_filename, render_letter_pdf

        letter = self.get_object()
        response = HttpResponse(render_letter_pdf(letter, user=request.user), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{letter_filename(letter, "pdf")}"'
        return response


# --- Budget against realisation --------------------------------------------------------------------

REALISATION_COLUMNS = [
    Column("customer", "customer"),
    Column("year", "year", INTEGER),
    Column("domain", "domain"),
    Column("budget", "budget", MONEY),
    Column("invoiced", "invoiced", MONEY),
    Column("forecast", "forecast", MONEY),
    Column("deviation", "deviation", MONEY),
    Column("deviation_percent", "deviation_percent", MONEY),
]
TOTAL = "total"


class RealisationRowSerializer(serializers.Serializer):
    customer = serializers.CharField(help_text="Short name of the customer.")
    customer_name = serializers.CharField()
    year = serializers.IntegerField()
    domain = serializers.CharField(help_text="Domain code, or `total` for the customer's total.")
    budget = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        allow_null=True,
        help_text="Null when no letter was issued for the year.",
    )
    invoiced = serializers.DecimalField(max_digits=14, decimal_places=2)
    forecast = serializers.DecimalField(max_digits=14, decimal_places=2)
    deviation = serializers.DecimalField(max_digits=14, decimal_places=2, allow_null=True)
    deviation_percent = serializers.DecimalField(max_digits=9, decimal_places=2, allow_null=True)


class RealisationSchema(PortalAutoSchema):
    def get_override_parameters(self):
        return [*super().get_override_parameters(), FORMAT_PARAMETER]


def _year(value) -> int:
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


def realisation_rows(user, year: int) -> list[dict]:
    rows = []
    for r in realisations_for(user, year=year):
        parts = [(row.domain.code, row.year) for row in r.domains] + [(TOTAL, r.total)]
        for domain, figures in parts:
            rows.append(
                {
                    "customer": r.customer.slug,
                    "customer_name": r.customer.name,
                    "year": year,
                    "domain": domain,
                    "budget": figures.budget,
                    "invoiced": figures.invoiced,
                    "forecast": figures.forecast,
                    "deviation": figures.deviation,
                    "deviation_percent": figures.deviation_percent,
                }
            )
    return rows


def _values(row: dict) -> list:
    return [row[c.name] for c in REALISATION_COLUMNS]


@extend_schema_view(
    list=extend_schema(
        operation_id="budget_realisation",
        summary="Budget against realisation",
        description=(
            "Per customer and domain (and `total`): the budget (the expected scenario of the last issued "
            "letter of the year), invoiced (issued invoices and credit notes, excl. VAT), the forecast "
            "(invoiced plus the periods not invoiced yet at the volumes in force), the deviation in euros and "
            "percent. A municipality sees its own rows. Columns of the CSV/XLSX export: customer, year, "
            "domain, budget, invoiced, forecast, deviation, deviation_percent."
        ),
        parameters=[
            OpenApiParameter(
                "year", OpenApiTypes.INT, OpenApiParameter.QUERY, description="The year (default: this year)."
            )
        ],
        responses={200: RealisationRowSerializer(many=True), 400: OpenApiResponse(description="A bad year.")},
    )
)
class BudgetRealisationViewSet(viewsets.GenericViewSet):
    schema = RealisationSchema()
    permission_classes = [HasPortalRole]
    serializer_class = RealisationRowSerializer
    filter_backends: list = []

    def list(self, request):
        raw = request.query_params.get("year")
        year = _year(raw) if raw not in (None, "") else timezone.localdate().year
        rows = realisation_rows(request.user, year)
        filename = f"begroting-realisatie-{year}"
        export_format = request.query_params.get("format")
        if export_format == "csv":

            def lines():
                buffer = io.StringIO()
                writer = csv.writer(buffer, lineterminator="\n")
                writer.writerow([c.name for c in REALISATION_COLUMNS])
                for row in rows:
                    writer.writerow(
                        format_value(v, c.kind)
                        for v, c in zip(_values(row), REALISATION_COLUMNS, strict=True)
                    )
                yield buffer.getvalue()

            response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
            return response
        if export_format == "xlsx":
            output = write_xlsx((_values(row) for row in rows), REALISATION_COLUMNS, title=filename)
            return FileResponse(
                output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
            )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RealisationRowSerializer(page, many=True).data)


def register(router) -> None:
    router.register("budget-letters", BudgetLetterViewSet, basename="budget-letter")
    router.register("budget-realisation", BudgetRealisationViewSet, basename="budget-realisation")
