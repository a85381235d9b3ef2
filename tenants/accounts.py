"""Every write of a user's own security: API tokens and two-factor devices.

API tokens are django-rest-knox tokens (``ApiToken``): only a hash is stored, the key is returned once,
each expires. Two-factor authentication is django-otp: one TOTP device (an authenticator app) and one
set of recovery codes per user; a device counts once its first code was verified.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import ApiToken
from .roles import PROVIDER_ROLES
from .selectors import has_any_role

MFA_SESSION_KEY = "portal_mfa"
MFA_VERIFY = "verify"  # the user has a second factor: enter a code
MFA_SETUP = "setup"  # the user must have one and has none: set it up
RECOVERY_CODE_COUNT = 10
TOTP_DEVICE_NAME = "authenticator"
RECOVERY_DEVICE_NAME = "recovery"


def may_hold_api_tokens(user: User) -> bool:
    """Finance of a municipality and the provider roles use the API; the others have no use for it."""
    from .roles import Role

    return user.is_active and has_any_role(user, {Role.FINANCE} | PROVIDER_ROLES)


@transaction.atomic
def create_api_token(*, user: User, name: str = "", expires_days: int | None = None) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns the token and its key, which is never shown again."""
    days = settings.API_TOKEN_DEFAULT_DAYS if expires_days is None else expires_days
    if not 1 <= days <= settings.API_TOKEN_MAX_DAYS:
        raise ValidationError(
            _("Een token verloopt na 1 tot %(max)s dagen, niet na %(days)s.")
            % {"max": settings.API_TOKEN_MAX_DAYS, "days": days}
        )
    if not user.is_active:
        raise ValidationError(_("Een inactief account krijgt geen token."))
    token, key = ApiToken.objects.create(user=user, expiry=timedelta(days=days), name=name.strip()[:100])
    return token, key


def revoke_api_token(*, user: User, token_key: str) -> bool:
    """Revoke one of ``user``'s own tokens; someone else's token is simply not found."""
    deleted, _rows = ApiToken.objects.filter(user=user, token_key=token_key).delete()
    return bool(deleted)


def mfa_required_for(user: User) -> bool:
    """Provider roles and admin users must use a second factor when ``MFA_REQUIRED`` is on."""
    if not settings.MFA_REQUIRED or not user.is_authenticated:
        return False
    return bool(user.is_staff or user.is_superuser or has_any_role(user, PROVIDER_ROLES))


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def has_second_factor(user: User) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def mfa_state_on_login(user: User) -> str:
    """What a new session owes before the portal opens: a code, a set-up, or nothing."""
    if has_second_factor(user):
        return MFA_VERIFY
    if mfa_required_for(user):
        return MFA_SETUP
    return ""


@transaction.atomic
def start_totp_setup(*, user: User) -> TOTPDevice:
    """The unconfirmed device being set up (made on first call, the same one after that)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_DEVICE_NAME, confirmed=False)
    return device


@transaction.atomic
def confirm_totp_setup(*, user: User, code: str) -> tuple[TOTPDevice, list[str]]:
    """Confirm the device with its first code; replaces any earlier device and returns fresh recovery
    codes (shown once)."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None:
        raise ValidationError(_("Start eerst het instellen van tweestapsverificatie."))
    if not device.verify_token(code.strip().replace(" ", "")):
        raise ValidationError(
            _("Deze code klopt niet. Controleer de tijd op uw telefoon en probeer opnieuw.")
        )
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return device, new_recovery_codes(user=user)


@transaction.atomic
def new_recovery_codes(*, user: User) -> list[str]:
    """Replace the user's recovery codes; each code works once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _i in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def verify_second_factor(*, user: User, code: str):
    """The device that accepts ``code`` (an authenticator code or an unused recovery code), or None."""
    code = code.strip().replace(" ", "")
    if not code:
        return None
    for device in [
        *TOTPDevice.objects.filter(user=user, confirmed=True),
        *StaticDevice.objects.filter(user=user),
    ]:
        if device.verify_token(code):
            return device
    return None


@transaction.atomic
def remove_second_factor(*, user: User) -> None:
    if mfa_required_for(user):
        raise ValidationError(_("Voor uw rol is tweestapsverificatie verplicht."))
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
