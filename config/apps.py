from django.apps import AppConfig
from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "config.admin.PortalAdminSite"


class PortalConfig(AppConfig):
    """The portal as a whole: the wiring of the apps and the commands that span them (``seed_demo``)."""

    name = "config"
    label = "portal"
    verbose_name = "Portaal"

    def ready(self) -> None:
        from django.contrib import admin

        from .admin_accounts import register_account_admins

        register_account_admins(admin.site)
