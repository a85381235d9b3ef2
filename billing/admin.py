"""Admin of billing for Leiden's staff: runs with their progress, invoices read-only once issued."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from core.admin_history import ReadOnlyHistoryAdmin
from core.periods import Period
from core.texts import Reason

from .models import BillingRun, Invoice, InvoiceLine, NumberSeries, RealisedVolume
from .services.credit_notes import create_credit_note
from .services.issuing import issue_drafts, mark_invoice_paid
from .services.runs import start_billing_run


def _report(modeladmin, request, exc: ValidationError) -> None:
    for message in exc.messages:
        modeladmin.message_user(request, message, level=messages.ERROR)


@admin.register(BillingRun)
class BillingRunAdmin(admin.ModelAdmin):
    list_display = [
        "period",
        "status",
        "progress",
        "invoices_created",
        "is_dry_run",
        "created_at",
        "started_by",
    ]
    list_filter = ["status", "is_dry_run"]
    search_fields = ["period"]
    readonly_fields = [
        "status",
        "progress",
        "started_by",
        "created_at",
        "started_at",
        "finished_at",
        "progress_done",
        "progress_total",
        "invoices_created",
        "message",
    ]
    fields = ["period", "is_dry_run", *readonly_fields]
    actions = ["issue_drafts_of_runs"]

    @admin.display(description=_("voortgang"))
    def progress(self, run: BillingRun):
        total = run.progress_total or 1
        return format_html(
            '<progress max="{}" value="{}"></progress> {} / {}',
            total,
            run.progress_done,
            run.progress_done,
            run.progress_total,
        )

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ["period", "is_dry_run", *self.readonly_fields]
        return self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        """A run started here is queued like one from the portal; a worker does the work."""
        try:
            period = Period.parse(obj.period)
        except ValueError as exc:
            raise ValidationError(str(exc)) from None
        run = start_billing_run(period=period, by=request.user, dry_run=obj.is_dry_run)
        obj.pk = run.pk
        obj.refresh_from_db()

    @admin.action(description=_("Concepten van de gekozen runs verzenden"))
    def issue_drafts_of_runs(self, request, queryset):
        drafts = Invoice.objects.filter(billing_run__in=queryset, status=Invoice.Status.DRAFT).select_related(
            "customer"
        )
        try:
            issued = issue_drafts(invoices=drafts, by=request.user)
        except ValidationError as exc:
            _report(self, request, exc)
            return
        self.message_user(request, _("%(count)s facturen verzonden.") % {"count": len(issued)})


class InvoiceLineInline(admin.TabularInline):
    model = InvoiceLine
    fk_name = "invoice"
    extra = 0
    fields = [
        "service",
        "description",
        "quantity",
        "unit_price",
        "periods_per_year",
        "net_amount",
        "vat_category",
        "vat_rate",
        "credited_line",
    ]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Invoice)
class InvoiceAdmin(ReadOnlyHistoryAdmin):
    """Invoices are written by the services; here they are read, issued, marked paid and credited."""

    list_display = ["__str__", "customer", "kind", "purpose", "period", "status", "net_total", "gross_total"]
    list_filter = ["status", "kind", "purpose", "year", "customer"]
    search_fields = ["number", "customer__name", "period"]
    list_select_related = ["customer"]
    inlines = [InvoiceLineInline]
    actions = ["issue_selected", "mark_selected_paid", "credit_selected"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Invoice._meta.concrete_fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return obj is None or obj.status == Invoice.Status.DRAFT

    def get_actions(self, request):
        # The bulk delete bypasses the model's refusal to delete an issued invoice.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    @admin.action(description=_("Gekozen concepten verzenden"))
    def issue_selected(self, request, queryset):
        try:
            issued = issue_drafts(invoices=queryset.select_related("customer"), by=request.user)
        except ValidationError as exc:
            _report(self, request, exc)
            return
        self.message_user(request, _("%(count)s facturen verzonden.") % {"count": len(issued)})

    @admin.action(description=_("Gekozen facturen als betaald markeren"))
    def mark_selected_paid(self, request, queryset):
        for invoice in queryset:
            try:
                mark_invoice_paid(invoice=invoice, by=request.user)
            except ValidationError as exc:
                _report(self, request, exc)

    @admin.action(description=_("Gekozen facturen geheel crediteren"))
    def credit_selected(self, request, queryset):
        for invoice in queryset:
            try:
                create_credit_note(invoice=invoice, by=request.user, reason=Reason("credited_by_provider"))
            except ValidationError as exc:
                _report(self, request, exc)


@admin.register(NumberSeries)
class NumberSeriesAdmin(admin.ModelAdmin):
    list_display = ["series", "year", "last_number"]
    readonly_fields = ["series", "year", "last_number"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RealisedVolume)
class RealisedVolumeAdmin(ReadOnlyHistoryAdmin):
    list_display = ["customer", "service", "year", "volume", "imported_at", "source"]
    list_filter = ["year", "customer"]
    search_fields = ["service__code", "customer__name"]
    list_select_related = ["customer", "service"]
    readonly_fields = ["imported_at", "source"]
