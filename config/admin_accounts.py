"""The admins of users, groups, API tokens and second factors: superusers only.

Django's stock UserAdmin lets anyone with ``auth.change_user`` make anyone a superuser; these replace it
once the apps are ready (``config.apps.PortalConfig.ready``), after every admin module registered its
models. A separate module from ``config.admin``, which holds the admin site class itself.
"""

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin


class SuperuserOnlyMixin:
    """Users, groups, permissions, tokens and second factors are managed by superusers only: anyone who
    can edit them can make themselves (or a customer) a superuser."""

    def has_module_permission(self, request) -> bool:
        return request.user.is_superuser

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_add_permission(self, request, *args) -> bool:
        return request.user.is_superuser

    def has_change_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser

    def has_delete_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser


class PortalUserAdmin(SuperuserOnlyMixin, UserAdmin):
    """Provider staff may look a user up (to give a membership) but change nothing about the account."""

    def has_view_permission(self, request, obj=None) -> bool:
        return request.user.is_superuser or request.user.has_perm("auth.view_user")

    def has_module_permission(self, request) -> bool:
        return self.has_view_permission(request)

    def get_fieldsets(self, request, obj=None):
        if request.user.is_superuser or obj is None:
            return super().get_fieldsets(request, obj)
        return [
            (None, {"fields": ["username", "first_name", "last_name", "email", "is_active", "last_login"]})
        ]


class PortalGroupAdmin(SuperuserOnlyMixin, GroupAdmin):
    pass


class ApiTokenAdmin(SuperuserOnlyMixin, admin.ModelAdmin):
    """Tokens are hashes: the admin shows whose, which and until when, and can revoke (delete) them.
    New tokens are made by their owner on the account page or with ``create_api_token``."""

    list_display = ["token_key", "name", "user", "created", "expiry"]
    list_select_related = ["user"]
    search_fields = ["token_key", "name", "user__username"]
    fields = ["token_key", "name", "user", "created", "expiry"]
    readonly_fields = fields

    def has_add_permission(self, request, *args) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


def register_account_admins(site: admin.AdminSite) -> None:
    """Replace the stock admins of users, groups, tokens and devices (called once the apps are ready,
    after every admin module registered its models)."""
    from django.contrib.auth.models import Group, User
    from knox.models import AuthToken

    from tenants.models import ApiToken

    for model in (User, Group, AuthToken, ApiToken):
        if site.is_registered(model):
            site.unregister(model)
    site.register(User, PortalUserAdmin)
    site.register(Group, PortalGroupAdmin)
    site.register(ApiToken, ApiTokenAdmin)
    for label in ("otp_totp.TOTPDevice", "otp_static.StaticDevice"):
        from django.apps import apps

        model = apps.get_model(label)
        model_admin = site._registry.get(model)
        if model_admin is not None:
            site.unregister(model)
            site.register(
                model, type(f"Portal{model.__name__}Admin", (SuperuserOnlyMixin, type(model_admin)), {})
            )
