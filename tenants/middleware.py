"""Two-factor authentication in front of every page: a user with a second factor enters its code after
the password; a user who must have one (provider roles and the admin, when ``MFA_REQUIRED``) sets it
up first. Until then only the pages to do so, and logging out, answer.

What a session still owes is decided once, at login (``tenants.accounts.mfa_state_on_login``), and kept
in the session, so a page costs no extra query.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from .accounts import MFA_SESSION_KEY, MFA_SETUP, MFA_VERIFY

EXEMPT_URL_NAMES = ("tenants:mfa_verify", "tenants:mfa_setup", "logout", "set_language")


class MFARequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self._check(request) or self.get_response(request)

    def _check(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated:
            return None
        owed = request.session.get(MFA_SESSION_KEY)
        if owed not in (MFA_VERIFY, MFA_SETUP) or user.is_verified():
            return None
        path = request.path_info
        if path.startswith("/static/") or path in {reverse(name) for name in EXEMPT_URL_NAMES}:
            return None
        if path.startswith("/api/"):
            return JsonResponse({"detail": _("Tweestapsverificatie is vereist.")}, status=403)
        target = "tenants:mfa_verify" if owed == MFA_VERIFY else "tenants:mfa_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")
