"""API of service quality: the monthly measurements (list; create for Leiden's service-management
system) and the realisation per customer, service and KPI of a quarter or a year."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import CharField, Value
from django.db.models.functions import Cast, Concat, ExtractMonth, ExtractYear, LPad
from django.http import FileResponse, StreamingHttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api import ExportListMixin
from core.exports import DATETIME, DECIMAL, INTEGER, XLSX_CONTENT_TYPE, Column, format_value, write_xlsx
from core.validators import no_control_characters
from services.models import Service
from tenants.mixins import HasPortalRole, ScopedViewSetMixin
from tenants.models import Organisation
from tenants.roles import ALL_ROLES, Role
from tenants.selectors import has_any_role, is_provider_user

from . import selectors
from .models import Kpi, Measurement
from .services.measurements import parse_month, record_measurement

MIN_YEAR, MAX_YEAR = 2000, 2100


def _month_text():
    return Concat(
        Cast(ExtractYear("month"), CharField()),
        Value("-"),
        LPad(Cast(ExtractMonth("month"), CharField()), 2, Value("0")),
        output_field=CharField(),
    )


@extend_schema_field({"type": "string", "pattern": "^[0-9]{4}-[0-9]{2}$", "example": "2025-03"})
class MonthField(serializers.Field):
    """A month as ``2025-03``."""

    default_error_messages = {"invalid": _("Geef een maand als 2025-03.")}

    def to_representation(self, value):
        return f"{value:%Y-%m}"

    def to_internal_value(self, data):
        month = parse_month(str(data)) if isinstance(data, str) else None
        if month is None:
            self.fail("invalid")
        return month


class MeasurementSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    month = MonthField(read_only=True)

    class Meta:
        model = Measurement
        fields = [
            "customer",
            "customer_name",
            "service",
            "service_name",
            "month",
            "kpi",
            "value",
            "source",
            "recorded_at",
        ]


class MeasurementCreateSerializer(serializers.Serializer):
    customer = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Organisation.objects.all(),
        help_text="The municipality's slug, e.g. leiderdorp.",
    )
    service = serializers.SlugRelatedField(
        slug_field="code", queryset=Service.objects.all(), help_text="Service code, e.g. ICT-01."
    )
    month = MonthField(help_text="The month measured, e.g. 2025-03.")
    kpi = serializers.ChoiceField(choices=Kpi.choices)
    value = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        min_value=Decimal(0),
        help_text="Percentages 0-100, satisfaction 1-10, calls a whole number; decimal point.",
    )

    def validate(self, attrs):
        for name in ("kpi",):
            raw = self.initial_data.get(name, "")
            if isinstance(raw, str) and any(ord(ch) < 32 or ord(ch) == 127 for ch in raw):
                raise ApiValidationError({name: [_("bevat een stuurteken")]})
        return attrs


class MeasurementFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__slug")
    service = django_filters.CharFilter(field_name="service__code", lookup_expr="iexact")
    kpi = django_filters.ChoiceFilter(choices=Kpi.choices)
    year = django_filters.NumberFilter(method="filter_year")
    month = django_filters.CharFilter(method="filter_month", help_text="e.g. 2025-03")

    class Meta:
        model = Measurement
        fields = ["customer", "service", "kpi", "year", "month"]

    def filter_year(self, queryset, name, value):
        if value != int(value) or not MIN_YEAR <= value <= MAX_YEAR:
            return queryset.none()
        return queryset.filter(month__year=int(value))

    def filter_month(self, queryset, name, value):
        month = parse_month(value)
        return queryset.filter(month=month) if month else queryset.none()


@extend_schema_view(
    list=extend_schema(
        summary="Service-level measurements",
        description=(
            "Monthly values per customer, service and KPI (beschikbaarheid, reactie_binnen_norm, "
            "oplossing_binnen_norm, tevredenheid, meldingen); customer roles see their own "
            "organisation's. CSV/XLSX columns: customer, customer_name, service, service_name, month, "
            "kpi, value, source, recorded_at."
        ),
    ),
    create=extend_schema(
        summary="Record a measurement",
        description=(
            "For Leiden's service-management system (a provider_staff token): one monthly value; a "
            "second value for the same customer, service, month and KPI replaces the first, with history. "
            "201 when new, 200 when it replaced or repeated a value."
        ),
        request=MeasurementCreateSerializer,
        responses={201: MeasurementSerializer, 200: MeasurementSerializer},
    ),
)
class MeasurementViewSet(ScopedViewSetMixin, ExportListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = MeasurementSerializer
    filterset_class = MeasurementFilter
    allowed_roles = ALL_ROLES
    export_filename = "metingen"
    export_columns = [
        Column("customer", "customer__slug"),
        Column("customer_name", "customer__name"),
        Column("service", "service__code"),
        Column("service_name", "service__name"),
        Column("month", "month_text"),
        Column("kpi", "kpi"),
        Column("value", "value", DECIMAL),
        Column("source", "source"),
        Column("recorded_at", "recorded_at", DATETIME),
    ]

    def get_queryset(self):
        return (
            selectors.measurements_for(self.request.user)
            .annotate(month_text=_month_text())
            .order_by("customer__name", "service__code", "month", "kpi")
        )

    def get_serializer_class(self):
        return MeasurementCreateSerializer if self.action == "create" else MeasurementSerializer

    def create(self, request, *args, **kwargs):
        if not (is_provider_user(request.user) and has_any_role(request.user, {Role.PROVIDER_STAFF})):
            raise NotFound
        serializer = MeasurementCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            measurement, created = record_measurement(
                customer=data["customer"],
                service=data["service"],
                month=data["month"],
                kpi=data["kpi"],
                value=data["value"],
                by=request.user,
            )
        except DjangoValidationError as exc:
            raise ApiValidationError(
                exc.message_dict if hasattr(exc, "error_dict") else exc.messages
            ) from exc
        return Response(
            MeasurementSerializer(measurement).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


# --- Realisation -----------------------------------------------------------------------------------

REALISATION_COLUMNS = [
    Column("customer", "customer"),
    Column("customer_name", "customer_name"),
    Column("service", "service"),
    Column("service_name", "service_name"),
    Column("year", "year", INTEGER),
    Column("quarter", "quarter", INTEGER),
    Column("kpi", "kpi"),
    Column("value", "value", DECIMAL),
    Column("norm", "norm", DECIMAL),
    Column("verdict", "verdict"),
    Column("months", "months", INTEGER),
    Column("explanation", "explanation"),
    Column("remedy", "remedy"),
]


class RealisationSerializer(serializers.Serializer):
    customer = serializers.CharField(help_text="Slug of the customer, e.g. leiderdorp.")
    customer_name = serializers.CharField()
    service = serializers.CharField(help_text="Service code, e.g. ICT-01.")
    service_name = serializers.CharField()
    year = serializers.IntegerField()
    quarter = serializers.IntegerField(allow_null=True, help_text="1-4; null for the whole year.")
    kpi = serializers.ChoiceField(choices=Kpi.choices)
    value = serializers.DecimalField(
        max_digits=9,
        decimal_places=2,
        allow_null=True,
        help_text="Mean of the months measured, rounded half-up to two decimals; null without a measurement.",
    )
    norm = serializers.DecimalField(
        max_digits=9, decimal_places=2, allow_null=True, help_text="The norm of the service and year."
    )
    verdict = serializers.ChoiceField(
        choices=["met", "not_met", "no_measurement"],
        allow_null=True,
        help_text="met (the norm reached, exactly the norm included), not_met, or no_measurement; "
        "null for a KPI without a norm (meldingen).",
    )
    months = serializers.IntegerField(help_text="Months measured in the period.")
    explanation = serializers.CharField(
        allow_blank=True, help_text="Leiden's explanation of a breach.", validators=[no_control_characters]
    )
    remedy = serializers.CharField(allow_blank=True, validators=[no_control_characters])


def _int_param(value: str | None, name: str, low: int, high: int, *, required: bool) -> int | None:
    if value in (None, ""):
        if required:
            raise ApiValidationError({name: [_("Geef %(name)s op.") % {"name": name}]})
        return None
    try:
        number = int(value)
    except (TypeError, ValueError):
        number = None
    if number is None or not low <= number <= high:
        raise ApiValidationError(
            {name: [_("Een geheel getal van %(min)s tot en met %(max)s.") % {"min": low, "max": high}]}
        )
    return number


def _rows(card) -> list[dict]:
    return [
        {
            "customer": cell.customer.slug,
            "customer_name": cell.customer.name,
            "service": cell.service.code,
            "service_name": cell.service.name,
            "year": card.year,
            "quarter": card.quarter,
            "kpi": cell.kpi,
            "value": cell.value,
            "norm": cell.norm,
            "verdict": cell.verdict,
            "months": cell.months,
            "explanation": cell.note.explanation if cell.note else "",
            "remedy": cell.note.remedy if cell.note else "",
        }
        for cell in card.cells
    ]


@extend_schema_view(
    list=extend_schema(
        operation_id="service_level_realisation",
        summary="Service-level realisation",
        description=(
            "Per customer, service and KPI the value of a quarter (`?quarter=1-4`) or of the year (no "
            "quarter): the mean of the months measured, the norm and the verdict (met, not_met, "
            "no_measurement; null for meldingen), with Leiden's explanation of a breach. Customer roles see "
            "their own organisation's. CSV/XLSX columns: customer, customer_name, service, service_name, "
            "year, quarter, kpi, value, norm, verdict, months, explanation, remedy."
        ),
        parameters=[
            OpenApiParameter("year", OpenApiTypes.INT, OpenApiParameter.QUERY, required=True),
            OpenApiParameter("quarter", OpenApiTypes.INT, OpenApiParameter.QUERY, description="1-4"),
            OpenApiParameter("customer", OpenApiTypes.STR, OpenApiParameter.QUERY, description="slug"),
            OpenApiParameter("service", OpenApiTypes.STR, OpenApiParameter.QUERY, description="code"),
        ],
        responses={
            200: RealisationSerializer(many=True),
            400: OpenApiResponse(description="Bad year or quarter."),
        },
    )
)
class RealisationViewSet(viewsets.GenericViewSet):
    permission_classes = [HasPortalRole]
    allowed_roles = ALL_ROLES
    serializer_class = RealisationSerializer
    filter_backends: list = []

    def get_queryset(self):  # for the schema only: the rows are computed
        return Measurement.objects.none()

    def list(self, request):
        params = request.query_params
        year = _int_param(params.get("year"), "year", MIN_YEAR, MAX_YEAR, required=True)
        quarter = _int_param(params.get("quarter"), "quarter", 1, 4, required=False)
        customers = selectors.scorecard_customers(request.user)
        if slug := params.get("customer"):
            customers = [c for c in customers if c.slug == slug]
        card = selectors.realisation(customers=customers, year=year, quarter=quarter)
        rows = _rows(card)
        if code := params.get("service"):
            rows = [r for r in rows if r["service"].lower() == code.lower()]
        filename = f"realisatie-{year}" + (f"-Q{quarter}" if quarter else "")
        export = params.get("format")
        if export == "csv":
            return _csv(rows, filename)
        if export == "xlsx":
            values = ([row[c.name] for c in REALISATION_COLUMNS] for row in rows)
            output = write_xlsx(values, REALISATION_COLUMNS, title=filename)
            return FileResponse(
                output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
            )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RealisationSerializer(page, many=True).data)


def _csv(rows: list[dict], filename: str) -> StreamingHttpResponse:
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow([c.name for c in REALISATION_COLUMNS])
        for row in rows:
            writer.writerow(format_value(row[c.name], c.kind) for c in REALISATION_COLUMNS)
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def register(router) -> None:
    router.register("service-level-measurements", MeasurementViewSet, basename="service-level-measurement")
    router.register("service-level-realisation", RealisationViewSet, basename="service-level-realisation")
