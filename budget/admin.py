"""Admin of the budget app for Leiden's staff: letters read-only once issued (and always through the
services), margins and deadlines per municipality, the reminders and alerts that were sent."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin_history import ReadOnlyHistoryAdmin
from core.history import Reason, save_with_history

from .models import (
    BudgetAlert,
    BudgetDeadline,
    BudgetLetter,
    BudgetLetterLine,
    DeadlineReminder,
    VolumeMargin,
)
from .services import issuing


class BudgetLetterLineInline(admin.TabularInline):
    model = BudgetLetterLine
    extra = 0
    can_delete = False
    fields = [
        "service",
        "taakveld",
        "volume",
        "unit_price",
        "amount",
        "low_amount",
        "high_amount",
        "vat_rate",
    ]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BudgetLetter)
class BudgetLetterAdmin(ReadOnlyHistoryAdmin):
    """Letters are made by the services (generate) and issued through them; the admin never edits
    figures, and an issued letter is read-only and cannot be deleted."""

    list_display = [
        "__str__",
        "customer",
        "year",
        "version",
        "status",
        "is_provisional",
        "net_total",
        "issued_at",
    ]
    list_filter = ["status", "year", "is_provisional", "customer"]
    search_fields = ["number", "customer__name"]
    inlines = [BudgetLetterLineInline]
    actions = ["issue_letters"]
    readonly_fields = [
        "customer",
        "agreement",
        "year",
        "version",
        "number",
        "status",
        "replaces",
        "tariff_year",
        "is_provisional",
        "provisional_percent",
        "is_internal",
        "deadline",
        "net_total",
        "vat_total",
        "gross_total",
        "low_total",
        "high_total",
        "created_at",
        "created_by",
        "issued_at",
        "issued_by",
        "acknowledged_at",
        "acknowledged_by",
        "assumptions",
    ]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return obj is None or obj.status == BudgetLetter.Status.DRAFT

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == BudgetLetter.Status.DRAFT

    def delete_model(self, request, obj):
        issuing.delete_draft(letter=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        for letter in queryset:
            try:
                issuing.delete_draft(letter=letter, by=request.user)
            except ValidationError as exc:
                self.message_user(request, f"{letter}: {' '.join(exc.messages)}", level=messages.ERROR)

    @admin.action(description=_("Geselecteerde concepten verzenden"))
    def issue_letters(self, request, queryset):
        issued = 0
        for letter in queryset.filter(status=BudgetLetter.Status.DRAFT):
            try:
                issuing.issue_budget_letter(letter=letter, by=request.user)
                issued += 1
            except ValidationError as exc:
                self.message_user(request, f"{letter}: {' '.join(exc.messages)}", level=messages.ERROR)
        self.message_user(request, _("%(count)s begrotingsbrieven verzonden.") % {"count": issued})


@admin.register(VolumeMargin)
class VolumeMarginAdmin(ReadOnlyHistoryAdmin):
    list_display = ["__str__", "domain", "service", "low_percent", "high_percent"]

    def save_model(self, request, obj, form, change):
        save_with_history(obj, by=request.user, reason=Reason("budget_margin_admin"))


@admin.register(BudgetDeadline)
class BudgetDeadlineAdmin(admin.ModelAdmin):
    list_display = ["customer", "year", "due_date"]
    list_filter = ["year"]


@admin.register(DeadlineReminder)
class DeadlineReminderAdmin(admin.ModelAdmin):
    list_display = ["customer", "year", "deadline", "sent_at"]
    readonly_fields = ["customer", "year", "deadline", "sent_at", "recipients"]

    def has_add_permission(self, request):
        return False


@admin.register(BudgetAlert)
class BudgetAlertAdmin(admin.ModelAdmin):
    list_display = ["customer", "year", "quarter", "budget", "forecast", "deviation_percent", "sent_at"]
    readonly_fields = [
        "customer",
        "year",
        "quarter",
        "letter",
        "budget",
        "forecast",
        "deviation_percent",
        "sent_at",
        "recipients",
    ]

    def has_add_permission(self, request):
        return False
