"""API of the catalogue: services, tariffs and service levels, as lists with filters and exports.

The catalogue is the same for every tenant, so the endpoints are lists only (filter on ``code`` or
``service`` to get one): there is no per-tenant object to open by id.
"""

from __future__ import annotations

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets

from core.api import ExportListMixin
from core.exports import BOOLEAN, DATE, DATETIME, DECIMAL, INTEGER, MONEY, Column
from tenants.mixins import ScopedViewSetMixin

from . import selectors
from .models import Service, ServiceLevel, Tariff, VatCategory

# --- Serializers ----------------------------------------------------------------------------------


class ServiceSerializer(serializers.ModelSerializer):
    domain = serializers.CharField(source="domain.code", read_only=True, help_text="Domain code, e.g. `ict`.")
    domain_name = serializers.CharField(source="domain.name", read_only=True)
    vat_rate = serializers.DecimalField(max_digits=5, decimal_places=2, read_only=True)

    class Meta:
        model = Service
        fields = [
            "code",
            "name",
            "name_en",
            "description",
            "description_en",
            "domain",
            "domain_name",
            "unit",
            "unit_en",
            "unit_code",
            "is_basic",
            "vat_category",
            "vat_rate",
            "taakveld",
            "active_from",
            "active_until",
        ]


class TariffSerializer(serializers.ModelSerializer):
    service = serializers.CharField(
        source="service.code", read_only=True, help_text="Service code, e.g. ICT-01."
    )
    service_name = serializers.CharField(source="service.name", read_only=True)
    unit = serializers.CharField(source="service.unit", read_only=True)
    unit_code = serializers.CharField(source="service.unit_code", read_only=True)
    unit_price = serializers.DecimalField(
        max_digits=14,
        decimal_places=2,
        coerce_to_string=True,
        read_only=True,
        help_text="Price per unit per year in EUR, excluding VAT: a string with two decimals.",
    )
    is_locked = serializers.BooleanField(
        read_only=True, help_text="Used on an issued invoice; never changes."
    )

    class Meta:
        model = Tariff
        fields = [
            "service",
            "service_name",
            "year",
            "unit",
            "unit_code",
            "unit_price",
            "is_locked",
            "locked_at",
        ]


class ServiceLevelSerializer(serializers.ModelSerializer):
    service = serializers.CharField(
        source="service.code", read_only=True, help_text="Service code, e.g. ICT-01."
    )
    service_name = serializers.CharField(source="service.name", read_only=True)

    class Meta:
        model = ServiceLevel
        fields = [
            "service",
            "service_name",
            "year",
            "availability_percent",
            "response_hours",
            "resolution_hours",
            "service_hours",
            "service_hours_en",
        ]


# --- Filters --------------------------------------------------------------------------------------


class ServiceFilter(django_filters.FilterSet):
    code = django_filters.CharFilter(
        field_name="code", lookup_expr="iexact", help_text="Service code, e.g. ICT-01."
    )
    domain = django_filters.CharFilter(field_name="domain__code", help_text="Domain code, e.g. `ict`.")
    unit = django_filters.CharFilter(field_name="unit", lookup_expr="iexact")
    unit_code = django_filters.CharFilter(field_name="unit_code", lookup_expr="iexact")
    is_basic = django_filters.BooleanFilter(field_name="is_basic")
    vat_category = django_filters.ChoiceFilter(field_name="vat_category", choices=VatCategory.choices)
    taakveld = django_filters.CharFilter(field_name="taakveld")

    class Meta:
        model = Service
        fields = ["code", "domain", "unit", "unit_code", "is_basic", "vat_category", "taakveld"]


class TariffFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    service = django_filters.CharFilter(
        field_name="service__code", lookup_expr="iexact", help_text="Service code, e.g. ICT-01."
    )
    domain = django_filters.CharFilter(field_name="service__domain__code", help_text="Domain code.")
    is_basic = django_filters.BooleanFilter(field_name="service__is_basic")
    is_locked = django_filters.BooleanFilter(
        field_name="locked_at", lookup_expr="isnull", exclude=True, help_text="Used on an issued invoice."
    )

    class Meta:
        model = Tariff
        fields = ["year", "service", "domain", "is_basic", "is_locked"]


class ServiceLevelFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(field_name="year")
    service = django_filters.CharFilter(
        field_name="service__code", lookup_expr="iexact", help_text="Service code, e.g. ICT-01."
    )
    domain = django_filters.CharFilter(field_name="service__domain__code", help_text="Domain code.")

    class Meta:
        model = ServiceLevel
        fields = ["year", "service", "domain"]


# --- Viewsets -------------------------------------------------------------------------------------


class CatalogueListViewSet(
    ScopedViewSetMixin, ExportListMixin, mixins.ListModelMixin, viewsets.GenericViewSet
):
    """A catalogue list for every portal role."""


@extend_schema_view(list=extend_schema(summary="Services in the catalogue", tags=["catalogue"]))
class ServiceViewSet(CatalogueListViewSet):
    """The catalogue: every service with its domain, unit (with UN/ECE Rec 20 code), VAT category and
    BBV taakveld. The same for every organisation."""

    serializer_class = ServiceSerializer
    filterset_class = ServiceFilter
    export_filename = "diensten"
    export_columns = [
        Column("code", "code"),
        Column("name", "name"),
        Column("name_en", "name_en"),
        Column("domain", "domain__code"),
        Column("domain_name", "domain__name"),
        Column("unit", "unit"),
        Column("unit_en", "unit_en"),
        Column("unit_code", "unit_code"),
        Column("is_basic", "is_basic", BOOLEAN),
        Column("vat_category", "vat_category"),
        Column("taakveld", "taakveld"),
        Column("active_from", "active_from", DATE),
        Column("active_until", "active_until", DATE),
        Column("description", "description"),
    ]

    def get_queryset(self):
        return selectors.services_for(self.request.user)


@extend_schema_view(list=extend_schema(summary="Tariffs per service and year", tags=["catalogue"]))
class TariffViewSet(CatalogueListViewSet):
    """The one unit price per service per year, the same for every municipality. Filter with
    ``?year=2025``; ``unit_price`` is a string with two decimals (EUR per unit per year, excl. VAT)."""

    serializer_class = TariffSerializer
    filterset_class = TariffFilter
    export_filename = "tarieven"
    export_columns = [
        Column("service", "service__code"),
        Column("service_name", "service__name"),
        Column("year", "year", INTEGER),
        Column("unit", "service__unit"),
        Column("unit_code", "service__unit_code"),
        Column("unit_price", "unit_price", MONEY),
        Column("locked_at", "locked_at", DATETIME),
    ]

    def get_queryset(self):
        return selectors.tariffs_for(self.request.user)


@extend_schema_view(list=extend_schema(summary="Service levels per service and year", tags=["catalogue"]))
class ServiceLevelViewSet(CatalogueListViewSet):
    """The norms of a service in a year: availability, response and resolution times, service hours."""

    serializer_class = ServiceLevelSerializer
    filterset_class = ServiceLevelFilter
    export_filename = "dienstverleningsniveaus"
    export_columns = [
        Column("service", "service__code"),
        Column("service_name", "service__name"),
        Column("year", "year", INTEGER),
        Column("availability_percent", "availability_percent", DECIMAL),
        Column("response_hours", "response_hours", DECIMAL),
        Column("resolution_hours", "resolution_hours", DECIMAL),
        Column("service_hours", "service_hours"),
    ]

    def get_queryset(self):
        return selectors.service_levels_for(self.request.user)


def register(router) -> None:
    router.register("services", ServiceViewSet, basename="service")
    router.register("tariffs", TariffViewSet, basename="tariff")
    router.register("service-levels", ServiceLevelViewSet, basename="service-level")
