from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import Location, Membership, Organisation
from .services import add_membership, remove_membership


class LocationInline(admin.TabularInline):
    model = Location
    extra = 0


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "slug", "cbs_code", "kvk", "active_from", "active_until"]
    list_filter = ["kind"]
    search_fields = ["name", "slug", "cbs_code", "kvk", "oin"]
    prepopulated_fields = {"slug": ["name"]}
    inlines = [LocationInline]
    fieldsets = [
        (None, {"fields": ["kind", "name", "slug", "active_from", "active_until"]}),
        (_("Identificatie"), {"fields": ["cbs_code", "oin", "kvk", "vat_number"]}),
        (_("Facturatie"), {"fields": ["street", "postal_code", "city", "iban", "cost_centre"]}),
    ]


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "city"]
    list_select_related = ["organisation"]
    search_fields = ["name", "city"]


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    """Memberships go through the service, so role groups and admin access follow the role."""

    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation"]
    list_select_related = ["user", "organisation"]
    search_fields = ["user__username", "user__email", "organisation__name"]
    autocomplete_fields = ["user"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False if obj is not None else super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        saved = add_membership(user=obj.user, organisation=obj.organisation, role=obj.role)
        obj.pk = saved.pk

    def delete_model(self, request, obj):
        remove_membership(membership=obj)

    def delete_queryset(self, request, queryset):
        for membership in queryset.select_related("user", "organisation"):
            remove_membership(membership=membership)
