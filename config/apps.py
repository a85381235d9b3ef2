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
        # Register every app's tasks as soon as the apps are loaded, so a task enqueued by name
        # (core.tasks.enqueue) is known in the web process too: in the embedded default it runs there.
        from config.celery import app

        app.autodiscover_tasks(force=True)

        from django.contrib import admin

        from .admin_accounts import register_account_admins

        register_account_admins(admin.site)
