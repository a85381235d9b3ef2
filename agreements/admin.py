"""The back office for Leiden's staff. Writes go through the services, so the rules and history hold."""

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.history import record

from .models import Agreement, AgreementLine, AgreementLineChange, ChangeRequest, NoticeReminder
from .services.agreements import create_agreement, submit_for_signature
from .services.change_requests import approve_change_request, reject_change_request


class AgreementLineInline(admin.TabularInline):
    """Lines change through change requests or the services, never by hand here (history, basic package)."""

    model = AgreementLine
    extra = 0
    fields = ["year", "service", "volume"]
    readonly_fields = ["year", "service", "volume"]
    ordering = ["year", "service__code"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Agreement)
class AgreementAdmin(SimpleHistoryAdmin):
    list_display = ["number", "customer", "provider", "status", "start_date", "end_date", "billed_until"]
    list_filter = ["status", "customer"]
    list_select_related = ["customer", "provider"]
    search_fields = ["number", "customer__name", "title"]
    inlines = [AgreementLineInline]
    readonly_fields = [
        "status",
        "customer_signed_by",
        "customer_signed_at",
        "provider_signed_by",
        "provider_signed_at",
        "billed_until",
        "created_at",
    ]
    actions = ["offer_for_signature"]

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return self.readonly_fields
        return [*self.readonly_fields, "customer", "provider", "start_date", "end_date", "predecessor"]

    def save_model(self, request, obj, form, change):
        if change:
            record(obj, by=request.user)
            super().save_model(request, obj, form, change)
            return
        data = form.cleaned_data
        created = create_agreement(
            customer=data["customer"],
            provider=data["provider"],
            start_date=data["start_date"],
            end_date=data.get("end_date"),
            number=data.get("number") or None,
            title=data.get("title", ""),
            notice_period_months=data["notice_period_months"],
            first_term_months=data["first_term_months"],
            renewal_months=data["renewal_months"],
            predecessor=data.get("predecessor"),
            by=request.user,
        )
        obj.pk = created.pk
        obj._state.adding = False

    @admin.action(description=_("Ter ondertekening aanbieden"))
    def offer_for_signature(self, request, queryset):
        for agreement in queryset:
            try:
                submit_for_signature(agreement=agreement, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{agreement.number}: {' '.join(exc.messages)}", messages.ERROR)


@admin.register(ChangeRequest)
class ChangeRequestAdmin(SimpleHistoryAdmin):
    list_display = [
        "pk",
        "agreement",
        "kind",
        "service",
        "volume",
        "effective_from",
        "status",
        "submitted_at",
    ]
    list_filter = ["status", "kind", "agreement__customer"]
    list_select_related = ["agreement", "agreement__customer", "service"]
    search_fields = ["agreement__number", "agreement__customer__name", "service__code"]
    actions = ["approve", "reject"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def _decide(self, request, queryset, decide, reason):
        for change_request in queryset:
            try:
                decide(request=change_request, by=request.user, reason=str(reason))
            except ValidationError as exc:
                self.message_user(request, f"{change_request.pk}: {' '.join(exc.messages)}", messages.ERROR)

    @admin.action(description=_("Goedkeuren"), permissions=["view"])
    def approve(self, request, queryset):
        self._decide(request, queryset, approve_change_request, _("Goedgekeurd in het beheer."))

    @admin.action(description=_("Afwijzen"), permissions=["view"])
    def reject(self, request, queryset):
        self._decide(request, queryset, reject_change_request, _("Afgewezen in het beheer."))


@admin.register(AgreementLineChange)
class AgreementLineChangeAdmin(admin.ModelAdmin):
    list_display = [
        "changed_at",
        "agreement",
        "year",
        "service",
        "old_volume",
        "new_volume",
        "effective_from",
        "change_request",
    ]
    list_filter = ["year", "agreement__customer"]
    list_select_related = ["agreement", "service", "change_request"]
    search_fields = ["agreement__number", "service__code", "reason"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(NoticeReminder)
class NoticeReminderAdmin(admin.ModelAdmin):
    list_display = ["agreement", "deadline", "sent_at", "recipients"]
    list_select_related = ["agreement"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
