from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class TenantsConfig(AppConfig):
    name = "tenants"
    verbose_name = _("Organisaties en toegang")

    def ready(self) -> None:
        # Infrastructure, not a business rule: after every migrate the provider_staff group holds the
        # model permissions of every portal app, including apps added later.
        post_migrate.connect(_grant_provider_staff, dispatch_uid="tenants.provider_staff_permissions")
        # Decide once per login what the new session owes: a second-factor code, a set-up, or nothing.
        user_logged_in.connect(_note_mfa_state, dispatch_uid="tenants.mfa_state_on_login")


def _grant_provider_staff(sender, **kwargs):
    if sender.name != "tenants":
        return
    from .services import ensure_provider_staff_permissions

    ensure_provider_staff_permissions(using=kwargs.get("using", "default"))


def _note_mfa_state(sender, request, user, **kwargs):
    if request is None or not hasattr(request, "session"):
        return
    from .accounts import MFA_SESSION_KEY, mfa_state_on_login

    verified = getattr(user, "otp_device", None) is not None
    request.session[MFA_SESSION_KEY] = "" if verified else mfa_state_on_login(user)
