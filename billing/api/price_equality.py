"""The price-equality proof of a year (DESIGN rule 1) as an endpoint, for provider roles only."""

from __future__ import annotations

from django.utils.translation import gettext
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from billing.selectors import PriceEquality, price_equality
from core.exports import INTEGER, MONEY, Column, format_value, rows_csv_response, rows_xlsx_response
from core.schema import FORMAT_PARAMETER, PortalAutoSchema
from tenants.mixins import HasPortalRole
from tenants.models import Organisation
from tenants.roles import PROVIDER_ROLES

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


def price_equality_rows(year: int) -> tuple[PriceEquality, list[dict]]:
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
                    "verdict": EQUAL if row.is_equal_for_customer(name) else DEVIATION,
                }
            )
    return report, rows


def _export_values(row: dict) -> list:
    return [
        row["service"],
        row["service_name"],
        row["year"],
        row["tariff"],
        row["customer"],
        ";".join(format_value(p, MONEY) for p in row["unit_prices"]),
        row["verdict"],
    ]


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
            return rows_csv_response(map(_export_values, rows), PRICE_EQUALITY_COLUMNS, filename)
        if export_format == "xlsx":
            return rows_xlsx_response(map(_export_values, rows), PRICE_EQUALITY_COLUMNS, filename)
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
