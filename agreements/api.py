"""API of the agreements app: agreements, their lines and change requests (with approve and reject)."""

from __future__ import annotations

import django_filters
from django.utils import timezone
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.exceptions import ValidationError as ApiValidationError
from rest_framework.response import Response

from core.api import ExportListMixin
from core.exports import DATE, DATETIME, DECIMAL, INTEGER, Column
from core.validators import no_control_characters
from services.models import Service
from tenants.mixins import ScopedViewSetMixin
from tenants.roles import Role
from tenants.selectors import has_any_role

from . import selectors
from .models import Agreement, AgreementLine, ChangeRequest
from .services.change_requests import (
    EffectiveDateInvoiced,
    approve_change_request,
    reject_change_request,
    submit_change_request,
    withdraw_change_request,
)


@extend_schema_field(
    {"type": "string", "pattern": "^(add|drop|change_volume)$", "description": "add, drop or change_volume"}
)
class ChangeKindField(serializers.ChoiceField):
    """The kind of change, documented inline (``kind`` is a name other components use too)."""

    def __init__(self, **kwargs):
        super().__init__(choices=ChangeRequest.Kind.choices, **kwargs)


# --- Agreements -----------------------------------------------------------------------------------


class AgreementSerializer(serializers.ModelSerializer):
    customer = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    customer_name = serializers.CharField(source="customer.name", read_only=True)
    provider = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    predecessor = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    customer_signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    provider_signed_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)
    calendar = serializers.SerializerMethodField()

    class Meta:
        model = Agreement
        fields = [
            "id",
            "number",
            "customer",
            "customer_name",
            "provider",
            "title",
            "status",
            "start_date",
            "end_date",
            "notice_period_months",
            "first_term_months",
            "renewal_months",
            "customer_signed_by",
            "customer_signed_at",
            "provider_signed_by",
            "provider_signed_at",
            "predecessor",
            "billed_until",
            "calendar",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "transition_phase_end": {"type": "string", "format": "date"},
                "next_renewal": {"type": "string", "format": "date", "nullable": True},
                "notice_deadline": {"type": "string", "format": "date", "nullable": True},
            },
        }
    )
    def get_calendar(self, agreement: Agreement) -> dict:
        calendar = selectors.calendar_of(agreement, today=timezone.localdate())
        return {
            "transition_phase_end": calendar.transition_phase_end.isoformat(),
            "next_renewal": calendar.next_renewal.isoformat() if calendar.next_renewal else None,
            "notice_deadline": calendar.notice_deadline.isoformat() if calendar.notice_deadline else None,
        }


class AgreementFilter(django_filters.FilterSet):
    customer = django_filters.CharFilter(field_name="customer__slug", help_text="slug of the customer")
    status = django_filters.ChoiceFilter(choices=Agreement.Status.choices)

    class Meta:
        model = Agreement
        fields = ["customer", "status"]


class AgreementViewSet(ScopedViewSetMixin, ExportListMixin, viewsets.ReadOnlyModelViewSet):
    """Agreements: a municipality's users see their own, Leiden's roles all of them."""

    serializer_class = AgreementSerializer
    filterset_class = AgreementFilter
    object_permission = "agreements.view_agreement"
    export_filename = "overeenkomsten"
    export_columns = [
        Column("id", "id", INTEGER),
        Column("number", "number"),
        Column("customer", "customer__slug"),
        Column("customer_name", "customer__name"),
        Column("provider", "provider__slug"),
        Column("status", "status"),
        Column("start_date", "start_date", DATE),
        Column("end_date", "end_date", DATE),
        Column("notice_period_months", "notice_period_months", INTEGER),
        Column("customer_signed_at", "customer_signed_at", DATETIME),
        Column("provider_signed_at", "provider_signed_at", DATETIME),
        Column("billed_until", "billed_until", DATE),
    ]

    def get_queryset(self):
        return (
            selectors.agreements_for(self.request.user)
            .select_related("customer_signed_by", "provider_signed_by", "predecessor")
            .order_by("customer__name", "-start_date", "pk")
        )


# --- Agreement lines ------------------------------------------------------------------------------


class AgreementLineSerializer(serializers.ModelSerializer):
    agreement = serializers.SlugRelatedField(slug_field="number", read_only=True)
    customer = serializers.CharField(source="agreement.customer.slug", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    service_name = serializers.CharField(source="service.name", read_only=True)
    unit = serializers.CharField(source="service.unit", read_only=True)
    unit_code = serializers.CharField(source="service.unit_code", read_only=True)

    class Meta:
        model = AgreementLine
        fields = [
            "id",
            "agreement",
            "customer",
            "year",
            "service",
            "service_name",
            "unit",
            "unit_code",
            "volume",
        ]


class AgreementLineFilter(django_filters.FilterSet):
    agreement = django_filters.CharFilter(field_name="agreement__number", help_text="agreement number")
    service = django_filters.CharFilter(field_name="service__code", help_text="service code, e.g. ICT-01")
    year = django_filters.NumberFilter(
        field_name="year", min_value=2000, max_value=2100, help_text="2000-2100"
    )

    class Meta:
        model = AgreementLine
        fields = ["agreement", "year", "service"]


class AgreementLineViewSet(ScopedViewSetMixin, ExportListMixin, viewsets.ReadOnlyModelViewSet):
    """Lines (service x year x volume); each names its agreement. No prices: those are the tariffs."""

    serializer_class = AgreementLineSerializer
    filterset_class = AgreementLineFilter
    export_filename = "overeenkomstregels"
    export_columns = [
        Column("id", "id", INTEGER),
        Column("agreement", "agreement__number"),
        Column("customer", "agreement__customer__slug"),
        Column("year", "year", INTEGER),
        Column("service", "service__code"),
        Column("service_name", "service__name"),
        Column("unit", "service__unit"),
        Column("unit_code", "service__unit_code"),
        Column("volume", "volume", DECIMAL),
    ]

    def get_queryset(self):
        return selectors.agreement_lines_for(self.request.user).order_by(
            "agreement__customer__name", "agreement__number", "year", "service__code", "pk"
        )


# --- Change requests ------------------------------------------------------------------------------


class ChangeRequestSerializer(serializers.ModelSerializer):
    kind = ChangeKindField(read_only=True)
    agreement = serializers.SlugRelatedField(slug_field="number", read_only=True)
    customer = serializers.CharField(source="agreement.customer.slug", read_only=True)
    service = serializers.SlugRelatedField(slug_field="code", read_only=True)
    submitted_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    decided_by = serializers.SlugRelatedField(slug_field="username", read_only=True, allow_null=True)

    class Meta:
        model = ChangeRequest
        fields = [
            "id",
            "agreement",
            "customer",
            "kind",
            "service",
            "volume",
            "effective_from",
            "original_effective_from",
            "motivation",
            "status",
            "submitted_by",
            "submitted_at",
            "decided_by",
            "decided_at",
            "decision_reason",
        ]


class ChangeRequestCreateSerializer(serializers.Serializer):
    agreement = serializers.SlugRelatedField(slug_field="number", queryset=Agreement.objects.none())
    kind = ChangeKindField()
    service = serializers.SlugRelatedField(slug_field="code", queryset=Service.objects.all())
    volume = serializers.DecimalField(max_digits=14, decimal_places=4, required=False, allow_null=True)
    effective_from = serializers.DateField()
    motivation = serializers.CharField(
        required=False, allow_blank=True, max_length=2000, default="", validators=[no_control_characters]
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request = self.context.get("request")
        if request is not None:
            self.fields["agreement"].queryset = selectors.agreements_for(request.user)


class DecisionSerializer(serializers.Serializer):
    reason = serializers.CharField(
        max_length=2000,
        help_text="Why the request is approved or rejected.",
        validators=[no_control_characters],
    )


class ApprovalSerializer(DecisionSerializer):
    effective_from = serializers.DateField(
        required=False,
        allow_null=True,
        help_text=(
            "Only when the requested date has been invoiced since: the first open period, which a 400 "
            "answer offers as next_open_period; the original date is kept in original_effective_from."
        ),
    )


class WithdrawalSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")


class ChangeRequestFilter(django_filters.FilterSet):
    agreement = django_filters.CharFilter(field_name="agreement__number", help_text="agreement number")
    customer = django_filters.CharFilter(field_name="agreement__customer__slug", help_text="customer slug")
    status = django_filters.ChoiceFilter(choices=ChangeRequest.Status.choices)

    class Meta:
        model = ChangeRequest
        fields = ["agreement", "customer", "status"]


@extend_schema_view(
    create=extend_schema(
        request=ChangeRequestCreateSerializer,
        responses={201: ChangeRequestSerializer},
        description="A contract manager submits a change request for its own agreement.",
    ),
)
class ChangeRequestViewSet(
    ScopedViewSetMixin,
    ExportListMixin,
    mixins.CreateModelMixin,
    viewsets.ReadOnlyModelViewSet,
):
    """Change requests: contract managers submit them, Leiden's staff approve or reject them."""

    serializer_class = ChangeRequestSerializer
    filterset_class = ChangeRequestFilter
    object_permission = "agreements.view_changerequest"
    export_filename = "wijzigingsverzoeken"
    export_columns = [
        Column("id", "id", INTEGER),
        Column("agreement", "agreement__number"),
        Column("customer", "agreement__customer__slug"),
        Column("kind", "kind"),
        Column("service", "service__code"),
        Column("volume", "volume", DECIMAL),
        Column("effective_from", "effective_from", DATE),
        Column("status", "status"),
        Column("submitted_by", "submitted_by__username"),
        Column("submitted_at", "submitted_at", DATETIME),
        Column("decided_by", "decided_by__username"),
        Column("decided_at", "decided_at", DATETIME),
        Column("decision_reason", "decision_reason"),
    ]

    def get_queryset(self):
        return selectors.change_requests_for(self.request.user).order_by("-submitted_at", "-pk")

    def get_serializer_class(self):
        if self.action == "create":
            return ChangeRequestCreateSerializer
        if self.action == "approve":
            return ApprovalSerializer
        if self.action == "reject":
            return DecisionSerializer
        if self.action == "withdraw":
            return WithdrawalSerializer
        return ChangeRequestSerializer

    def create(self, request, *args, **kwargs):
        if not has_any_role(request.user, {Role.CONTRACT_MANAGER}):
            raise NotFound
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        agreement = data["agreement"]
        if not request.user.has_perm("agreements.submit_change_request", agreement):
            raise ApiValidationError({"agreement": [_("Deze overeenkomst bestaat niet.")]})
        change_request = submit_change_request(
            agreement=agreement,
            kind=data["kind"],
            service=data["service"],
            volume=data.get("volume"),
            effective_from=data["effective_from"],
            motivation=data.get("motivation", ""),
            by=request.user,
        )
        change_request = self.get_queryset().get(pk=change_request.pk)
        return Response(ChangeRequestSerializer(change_request).data, status=status.HTTP_201_CREATED)

    def _decide(self, request, decide, serializer_class=DecisionSerializer):
        if not has_any_role(request.user, {Role.PROVIDER_STAFF}):
            raise NotFound
        change_request = self.get_object()
        if not request.user.has_perm("agreements.decide_changerequest", change_request):
            raise NotFound
        serializer = serializer_class(data=request.data)
        serializer.is_valid(raise_exception=True)
        decide(request=change_request, by=request.user, **serializer.validated_data)
        return Response(ChangeRequestSerializer(self.get_queryset().get(pk=change_request.pk)).data)

    @extend_schema(
        request=ApprovalSerializer,
        responses={200: ChangeRequestSerializer},
        description=(
            "Leiden's staff approve a submitted request; the agreement's lines change at once. When the "
            "requested date has been invoiced since, the answer is 400 with next_open_period; approve again "
            "with effective_from set to it to move the request there."
        ),
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        try:
            return self._decide(request, approve_change_request, ApprovalSerializer)
        except EffectiveDateInvoiced as exc:
            return Response(
                {"effective_from": exc.messages, "next_open_period": exc.next_open.isoformat()},
                status=status.HTTP_400_BAD_REQUEST,
            )

    @extend_schema(
        request=WithdrawalSerializer,
        responses={200: ChangeRequestSerializer},
        description="The municipality's contract manager withdraws its own open request.",
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        if not has_any_role(request.user, {Role.CONTRACT_MANAGER}):
            raise NotFound
        change_request = self.get_object()
        if not request.user.has_perm("agreements.submit_change_request", change_request.agreement):
            raise NotFound
        serializer = WithdrawalSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        withdraw_change_request(
            request=change_request, by=request.user, reason=serializer.validated_data["reason"]
        )
        return Response(ChangeRequestSerializer(self.get_queryset().get(pk=change_request.pk)).data)

    @extend_schema(
        request=DecisionSerializer,
        responses={200: ChangeRequestSerializer},
        description="Leiden's staff reject a submitted request, with a reason.",
    )
    @action(detail=True, methods=["post"])
    def reject(self, request, pk=None):
        return self._decide(request, reject_change_request)


def register(router) -> None:
    router.register("agreements", AgreementViewSet, basename="agreement")
    router.register("agreement-lines", AgreementLineViewSet, basename="agreement-line")
    router.register("change-requests", ChangeRequestViewSet, basename="change-request")
