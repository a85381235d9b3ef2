"""Admin of the quality app (provider_staff): measurements and explanations with history; reports
read-only, as issued."""

from django.contrib import admin

from core.admin_history import ReadOnlyHistoryAdmin

from .models import BreachNote, Measurement, QuarterlyReport


@admin.register(Measurement)
class MeasurementAdmin(ReadOnlyHistoryAdmin):
    list_display = ["customer", "service", "month", "kpi", "value", "source"]
    list_filter = ["kpi", "customer", "month"]
    list_select_related = ["customer", "service"]
    search_fields = ["service__code", "customer__name"]
    readonly_fields = ["customer", "service", "month", "kpi", "value", "source", "recorded_at"]

    def has_add_permission(self, request):
        return False  # measurements come from the file, the upload or the API, validated there

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(BreachNote)
class BreachNoteAdmin(ReadOnlyHistoryAdmin):
    list_display = ["customer", "service", "year", "quarter", "kpi", "written_by", "updated_at"]
    list_filter = ["year", "quarter", "kpi", "customer"]
    list_select_related = ["customer", "service", "written_by"]
    readonly_fields = [
        "customer",
        "service",
        "year",
        "quarter",
        "kpi",
        "explanation",
        "remedy",
        "written_by",
        "updated_at",
    ]

    def has_add_permission(self, request):
        return False  # written on the scorecard, through the service

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(QuarterlyReport)
class QuarterlyReportAdmin(admin.ModelAdmin):
    list_display = ["customer", "year", "quarter", "issued_at", "issued_by", "notified_at"]
    list_filter = ["year", "quarter", "customer"]
    list_select_related = ["customer", "issued_by"]
    exclude = ["html", "figures"]
    readonly_fields = ["customer", "year", "quarter", "issued_at", "issued_by", "notified_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
