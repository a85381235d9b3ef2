"""API of the transition, for provider roles only (customer roles get 404): the reconciliation report,
the transferred employees and the supplier contracts."""

from __future__ import annotations

import csv
import io

from django.http import FileResponse, StreamingHttpResponse
from django_filters import rest_framework as filters
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, serializers, viewsets
from rest_framework.response import Response

from core.api import ExportListMixin
from core.exports import DATE, DECIMAL, INTEGER, MONEY, XLSX_CONTENT_TYPE, Column, safe_row, write_xlsx
from core.schema import FORMAT_PARAMETER, PortalAutoSchema
from tenants.mixins import HasPortalRole, ScopedViewSetMixin
from tenants.roles import PROVIDER_ROLES

from .models import Employee, SupplierContract
from .selectors import contracts_for, employees_for, reconciliation_for

REPORT_COLUMNS = ("section", "key", "source", "legacy", "result", "verdict")


class ReportRowSerializer(serializers.Serializer):
    section = serializers.ChoiceField(
        choices=["total", "function", "scale", "location", "contracts", "agreements"],
        help_text="total, function, scale, location, contracts or agreements",
    )
    key = serializers.CharField(help_text="What the row counts: a function, a scale, a location, a line.")
    source = serializers.DecimalField(max_digits=18, decimal_places=4, help_text="In the source files.")
    legacy = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        allow_null=True,
        help_text="Servicepunt71's side: employments ended 2022-12-31, 2022 lines of the ended agreement.",
    )
    result = serializers.DecimalField(
        max_digits=18,
        decimal_places=4,
        help_text="Leiden's side: employments from 2023-01-01, contracts held, 2023 lines of the successor.",
    )
    verdict = serializers.ChoiceField(choices=["ok", "deviation"])


class ReportSerializer(serializers.Serializer):
    executed = serializers.BooleanField()
    executed_at = serializers.DateTimeField(allow_null=True)
    run = serializers.IntegerField(allow_null=True)
    checksums = serializers.DictField(child=serializers.CharField())
    is_complete = serializers.BooleanField()
    deviations = serializers.IntegerField()
    count = serializers.IntegerField()
    results = ReportRowSerializer(many=True)


def _report_rows(reconciliation) -> list[dict]:
    if reconciliation is None:
        return []
    return [row.as_json() for row in reconciliation.rows]


class ReportSchema(PortalAutoSchema):
    """The report is one document (with its rows), not a paginated list."""

    def _is_list_view(self, serializer=None) -> bool:
        return False

    def get_override_parameters(self):
        return [*super().get_override_parameters(), FORMAT_PARAMETER]


class TransitionReportViewSet(viewsets.ViewSet):
    """The reconciliation of the Servicepunt71 transition: source files against the portal's records."""

    schema = ReportSchema()
    permission_classes = [HasPortalRole]
    allowed_roles = PROVIDER_ROLES

    @extend_schema(
        operation_id="transition_report",
        responses={
            200: OpenApiResponse(
                ReportSerializer,
                description="JSON; `?format=csv` and `?format=xlsx` give the rows "
                "(section, key, source, legacy, result, verdict).",
            )
        },
    )
    def list(self, request):
        reconciliation = reconciliation_for(request.user)
        rows = _report_rows(reconciliation)
        export_format = request.query_params.get("format")
        if export_format == "csv":
            return _csv_response(rows)
        if export_format == "xlsx":
            columns = [Column(name, name) for name in REPORT_COLUMNS]
            output = write_xlsx(
                ([row[c] for c in REPORT_COLUMNS] for row in rows), columns, title="aansluiting"
            )
            return FileResponse(
                output,
                as_attachment=True,
                filename="transitie-aansluiting.xlsx",
                content_type=XLSX_CONTENT_TYPE,
            )
        run = reconciliation.run if reconciliation else None
        data = {
            "executed": run is not None,
            "executed_at": run.finished_at if run else None,
            "run": run.pk if run else None,
            "checksums": (
                {
                    "staff": run.staff_checksum,
                    "contracts": run.contracts_checksum,
                    "agreements": run.agreements_checksum,
                }
                if run
                else {}
            ),
            "is_complete": bool(reconciliation and reconciliation.is_complete),
            "deviations": reconciliation.deviations if reconciliation else 0,
            "count": len(rows),
            "results": rows,
        }
        return Response(ReportSerializer(data).data)


def _csv_response(rows: list[dict]) -> StreamingHttpResponse:
    def lines():
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(REPORT_COLUMNS)
        for row in rows:
            writer.writerow(safe_row("" if row[c] is None else row[c] for c in REPORT_COLUMNS))
        yield buffer.getvalue()

    response = StreamingHttpResponse(lines(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="transitie-aansluiting.csv"'
    return response


class EmployeeSerializer(serializers.ModelSerializer):
    location = serializers.CharField(source="location.name")
    transferred = serializers.BooleanField(source="is_transferred")

    class Meta:
        model = Employee
        fields = [
            "personnel_number",
            "first_name",
            "name_prefix",
            "last_name",
            "function",
            "salary_scale",
            "fte",
            "location",
            "department",
            "employed_since",
            "transferred",
        ]


class EmployeeFilter(filters.FilterSet):
    function = filters.CharFilter(field_name="function", lookup_expr="iexact")
    salary_scale = filters.NumberFilter(field_name="salary_scale")
    location = filters.CharFilter(field_name="location__name", lookup_expr="iexact")
    department = filters.CharFilter(field_name="department", lookup_expr="iexact")

    class Meta:
        model = Employee
        fields = ["function", "salary_scale", "location", "department"]


@extend_schema_view(list=extend_schema(description="Transferred employees (provider roles only)."))
class EmployeeViewSet(ScopedViewSetMixin, ExportListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = EmployeeSerializer
    allowed_roles = PROVIDER_ROLES
    filterset_class = EmployeeFilter
    export_filename = "medewerkers"
    export_columns = [
        Column("personnel_number", "personnel_number"),
        Column("first_name", "first_name"),
        Column("name_prefix", "name_prefix"),
        Column("last_name", "last_name"),
        Column("function", "function"),
        Column("salary_scale", "salary_scale", INTEGER),
        Column("fte", "fte", DECIMAL),
        Column("location", "location__name"),
        Column("department", "department"),
        Column("employed_since", "employed_since", DATE),
    ]

    def get_queryset(self):
        return employees_for(self.request.user).order_by("personnel_number")


class ContractSerializer(serializers.ModelSerializer):
    holder = serializers.CharField(source="holder.slug")

    class Meta:
        model = SupplierContract
        fields = [
            "number",
            "supplier",
            "kvk",
            "description",
            "start_date",
            "end_date",
            "annual_value",
            "holder",
            "novation_status",
            "novation_date",
            "novation_note",
        ]


@extend_schema_view(
    list=extend_schema(
        description="Supplier contracts passed to Leiden, with the novation status (provider roles only)."
    )
)
class ContractViewSet(ScopedViewSetMixin, ExportListMixin, mixins.ListModelMixin, viewsets.GenericViewSet):
    serializer_class = ContractSerializer
    allowed_roles = PROVIDER_ROLES
    filterset_fields = ["novation_status"]
    export_filename = "leverancierscontracten"
    export_columns = [
        Column("number", "number"),
        Column("supplier", "supplier"),
        Column("kvk", "kvk"),
        Column("description", "description"),
        Column("start_date", "start_date", DATE),
        Column("end_date", "end_date", DATE),
        Column("annual_value", "annual_value", MONEY),
        Column("holder", "holder__slug"),
        Column("novation_status", "novation_status"),
        Column("novation_date", "novation_date", DATE),
        Column("novation_note", "novation_note"),
    ]

    def get_queryset(self):
        return contracts_for(self.request.user).order_by("number")


def register(router) -> None:
    router.register("transition/report", TransitionReportViewSet, basename="transition-report")
    router.register("transition/employees", EmployeeViewSet, basename="transition-employee")
    router.register("transition/contracts", ContractViewSet, basename="transition-contract")
