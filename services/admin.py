"""The catalogue in Leiden's back office: services, tariffs (read-only once locked), service levels,
their history, and indexation to the next year."""

from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from core.admin_history import ReadOnlyHistoryAdmin

from .forms import IndexationForm
from .models import Service, ServiceDomain, ServiceLevel, Tariff
from .services import (
    delete_tariff,
    index_tariffs,
    save_service,
    save_service_level,
    save_tariff,
)


def _messages_of(error: ValidationError) -> str:
    return " ".join(error.messages)


@admin.register(ServiceDomain)
class ServiceDomainAdmin(admin.ModelAdmin):
    list_display = ["name", "name_en", "code", "order"]
    search_fields = ["name", "name_en", "code"]
    prepopulated_fields = {"code": ["name"]}


class TariffInline(admin.TabularInline):
    """The tariffs over the years, to read beside the service; they are changed on their own page."""

    model = Tariff
    extra = 0
    fields = ["year", "unit_price", "locked_at"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class ServiceLevelInline(admin.TabularInline):
    model = ServiceLevel
    extra = 0
    fields = ["year", "availability_percent", "response_hours", "resolution_hours", "service_hours"]
    readonly_fields = fields
    can_delete = False
    show_change_link = True

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Service)
class ServiceAdmin(ReadOnlyHistoryAdmin):
    list_display = ["code", "name", "domain", "unit", "unit_code", "is_basic", "vat_category", "taakveld"]
    list_filter = ["domain", "is_basic", "vat_category", "unit_code"]
    list_select_related = ["domain"]
    search_fields = ["code", "name", "name_en", "description"]
    inlines = [TariffInline, ServiceLevelInline]
    fieldsets = [
        (None, {"fields": ["code", "domain", "name", "name_en", "description", "description_en"]}),
        (_("Eenheid"), {"fields": ["unit", "unit_en", "unit_code"]}),
        (_("Afspraken"), {"fields": ["is_basic", "vat_category", "taakveld", "active_from", "active_until"]}),
    ]

    def save_model(self, request, obj, form, change):
        save_service(service=obj, by=request.user)


@admin.register(ServiceLevel)
class ServiceLevelAdmin(ReadOnlyHistoryAdmin):
    list_display = ["service", "year", "availability_percent", "response_hours", "resolution_hours"]
    list_filter = ["year", "service__domain"]
    list_select_related = ["service"]
    search_fields = ["service__code", "service__name"]
    autocomplete_fields = ["service"]

    def save_model(self, request, obj, form, change):
        save_service_level(service_level=obj, by=request.user)


@admin.action(description=_("Indexeer naar een volgend jaar"), permissions=["add"])
def index_to_next_year(modeladmin, request, queryset):
    """Ask for the percentage, then create the next year's tariffs from the selected tariffs' year."""
    years = sorted(set(queryset.values_list("year", flat=True)))
    if len(years) != 1:
        modeladmin.message_user(
            request, _("Kies tarieven van één jaar: dat jaar is de basis van de indexatie."), messages.ERROR
        )
        return None
    from_year = years[0]
    form = IndexationForm(
        request.POST if "apply" in request.POST else None, initial={"to_year": from_year + 1}
    )
    if form.is_bound and form.is_valid():
        try:
            created = index_tariffs(
                from_year=from_year,
                to_year=form.cleaned_data["to_year"],
                percent=form.cleaned_data["percent"],
                by=request.user,
            )
        except ValidationError as error:
            form.add_error(None, _messages_of(error))
        else:
            modeladmin.message_user(
                request,
                ngettext(
                    "%(count)d tarief voor %(year)s gemaakt.",
                    "%(count)d tarieven voor %(year)s gemaakt.",
                    len(created),
                )
                % {"count": len(created), "year": form.cleaned_data["to_year"]},
                messages.SUCCESS,
            )
            return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "title": _("Tarieven %(year)s indexeren") % {"year": from_year},
        "opts": modeladmin.model._meta,
        "form": form,
        "from_year": from_year,
        "base_count": Tariff.objects.filter(year=from_year).count(),
        "selected": request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME),
        "action": "index_to_next_year",
    }
    return TemplateResponse(request, "services/admin/index_tariffs.html", context)


@admin.register(Tariff)
class TariffAdmin(ReadOnlyHistoryAdmin):
    """Tariffs change by hand or by indexation until an issued invoice used them; then read-only."""

    list_display = ["service", "year", "unit_price", "is_locked_display"]
    list_filter = ["year", "service__domain", ("locked_at", admin.EmptyFieldListFilter)]
    list_select_related = ["service"]
    search_fields = ["service__code", "service__name"]
    autocomplete_fields = ["service"]
    actions = [index_to_next_year]
    readonly_fields = ["locked_at"]

    @admin.display(boolean=True, description=_("vastgezet"))
    def is_locked_display(self, obj) -> bool:
        return obj.is_locked

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.is_locked:
            return ["service", "year", "unit_price", "locked_at"]
        return super().get_readonly_fields(request, obj)

    def has_change_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_locked:
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None) -> bool:
        if obj is not None and obj.is_locked:
            return False
        return super().has_delete_permission(request, obj)

    def save_model(self, request, obj, form, change):
        save_tariff(tariff=obj, by=request.user)

    def delete_model(self, request, obj):
        delete_tariff(tariff=obj, by=request.user)

    def delete_queryset(self, request, queryset):
        refused = []
        for tariff in queryset.select_related("service"):
            try:
                delete_tariff(tariff=tariff, by=request.user)
            except ValidationError:
                refused.append(str(tariff))
        if refused:
            self.message_user(
                request,
                _("Vastgezette tarieven blijven staan: %(tariffs)s") % {"tariffs": ", ".join(refused)},
                messages.WARNING,
            )
