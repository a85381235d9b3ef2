"""The admin is Leiden's back office: provider_staff only. Customer-side users never reach it."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.forms import use_dutch_decimals_in_admin
from tenants.roles import Role
from tenants.selectors import has_any_role

# Before any ModelAdmin exists: the site is built (and this module imported) before models register.
use_dutch_decimals_in_admin()


class PortalAdminSite(admin.AdminSite):
    site_header = _("Beheer bedrijfsvoering Leiden")
    site_title = _("Beheer portaal")
    index_title = _("Catalogus, overeenkomsten, facturatie en transitie")

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and (user.is_superuser or has_any_role(user, {Role.PROVIDER_STAFF}))
        )
