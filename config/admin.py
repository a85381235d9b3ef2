"""The admin is Leiden's back office: provider_staff only. Customer-side users never reach it."""

from django.conf import settings
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from core.forms import use_dutch_decimals_in_admin
from tenants.forms import PortalAdminAuthenticationForm
from tenants.roles import Role
from tenants.selectors import has_any_role

# Before any ModelAdmin exists: the site is built (and this module imported) before models register.
use_dutch_decimals_in_admin()


class PortalAdminSite(admin.AdminSite):
    site_header = _("Beheer bedrijfsvoering Leiden")
    site_title = _("Beheer portaal")
    index_title = _("Catalogus, overeenkomsten, facturatie en transitie")
    login_form = PortalAdminAuthenticationForm

    def has_permission(self, request) -> bool:
        user = request.user
        return bool(
            user.is_active
            and user.is_staff
            and (user.is_superuser or has_any_role(user, {Role.PROVIDER_STAFF}))
            # With MFA required, the admin opens only after the second factor, superusers included.
            and (not settings.MFA_REQUIRED or user.is_verified())
        )
