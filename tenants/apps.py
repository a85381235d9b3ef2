from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Organisaties en toegang")

    def ready(self) -> None:
        # Infrastructure, not a business rule: after every migrate the provider_staff group holds the
        # model permissions of every portal app, including apps added later.
        post_migrate.connect(_grant_provider_staff, dispatch_uid="tenants.provider_staff_permissions")


def _grant_provider_staff(sender, **kwargs):
    if sender.name != "tenants":
        return
    from .services import ensure_provider_staff_permissions

    ensure_provider_staff_permissions(using=kwargs.get("using", "default"))
