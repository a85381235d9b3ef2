"""The user's own account: password, API tokens and two-factor authentication."""

from __future__ import annotations

import base64
import io

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views import View
from django_otp import login as otp_login

from . import accounts
from .forms import (
    ApiTokenForm,
    OtpCodeForm,
    PortalPasswordChangeForm,
    PortalPasswordResetForm,
    PortalSetPasswordForm,
)
from .models import ApiToken


def _safe_next(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


class AccountView(LoginRequiredMixin, View):
    """The account page: password, two-factor authentication and, for API users, the tokens."""

    def get(self, request):
        return render(request, "account/account.html", self.context(request))

    @staticmethod
    def context(request, **extra):
        user = request.user
        context = {
            "has_second_factor": accounts.has_second_factor(user),
            "mfa_required": accounts.mfa_required_for(user),
            "may_hold_tokens": accounts.may_hold_api_tokens(user),
        }
        context.update(extra)
        return context


class ApiTokenView(LoginRequiredMixin, View):
    """Finance and the provider roles make, list and revoke their own API tokens; a key shows once."""

    template_name = "account/tokens.html"

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not accounts.may_hold_api_tokens(request.user):
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def render_page(self, request, form, key=None, status=200):
        tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
        return render(
            request, self.template_name, {"form": form, "tokens": tokens, "new_key": key}, status=status
        )

    def get(self, request):
        return self.render_page(request, ApiTokenForm())

    def post(self, request):
        if "revoke" in request.POST:
            if accounts.revoke_api_token(user=request.user, token_key=request.POST["revoke"]):
                messages.success(request, _("Het token is ingetrokken en werkt niet meer."))
            return redirect("tenants:tokens")
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, key = accounts.create_api_token(
                    user=request.user,
                    name=form.cleaned_data["name"],
                    expires_days=form.cleaned_data["expires_days"],
                )
            except ValidationError as error:
                form.add_error(None, error)
            else:
                return self.render_page(request, ApiTokenForm(), key=key)
        return self.render_page(request, form, status=400)


def _qr_svg(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    image = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage, box_size=8)
    buffer = io.BytesIO()
    image.save(buffer)
    return buffer.getvalue().decode()


class MfaSetupView(LoginRequiredMixin, View):
    """Set up an authenticator app: the QR code (SVG, made here) and the secret as text, then a code."""

    template_name = "account/mfa_setup.html"

    def render_page(self, request, form, status=200):
        device = accounts.start_totp_setup(user=request.user)
        secret = base64.b32encode(device.bin_key).decode()
        context = {
            "form": form,
            "qr_svg": _qr_svg(device.config_url),
            "secret": " ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
            "next": _safe_next(request, ""),
            "required": accounts.mfa_required_for(request.user),
        }
        return render(request, self.template_name, context, status=status)

    def get(self, request):
        return self.render_page(request, OtpCodeForm())

    def post(self, request):
        form = OtpCodeForm(request.POST)
        if form.is_valid():
            try:
                device, codes = accounts.confirm_totp_setup(user=request.user, code=form.cleaned_data["code"])
            except ValidationError as error:
                form.add_error("code", error)
            else:
                otp_login(request, device)
                request.session[accounts.MFA_SESSION_KEY] = ""
                return render(
                    request,
                    "account/recovery_codes.html",
                    {"codes": codes, "next": _safe_next(request, reverse("dashboard"))},
                )
        return self.render_page(request, form, status=400)


class MfaVerifyView(LoginRequiredMixin, View):
    """The second step of the login: a code from the app or a recovery code."""

    template_name = "account/mfa_verify.html"

    def get(self, request):
        return render(request, self.template_name, {"form": OtpCodeForm(), "next": _safe_next(request, "")})

    def post(self, request):
        form = OtpCodeForm(request.POST)
        if form.is_valid():
            device = accounts.verify_second_factor(user=request.user, code=form.cleaned_data["code"])
            if device is not None:
                otp_login(request, device)
                request.session[accounts.MFA_SESSION_KEY] = ""
                return redirect(_safe_next(request, reverse("dashboard")))
            form.add_error("code", _("Deze code klopt niet of is al gebruikt."))
        context = {"form": form, "next": _safe_next(request, "")}
        return render(request, self.template_name, context, status=400)


class MfaRecoveryCodesView(LoginRequiredMixin, View):
    """New recovery codes (the old ones stop working), shown once."""

    def post(self, request):
        if not accounts.has_second_factor(request.user):
            return redirect("tenants:mfa_setup")
        codes = accounts.new_recovery_codes(user=request.user)
        return render(
            request, "account/recovery_codes.html", {"codes": codes, "next": reverse("tenants:account")}
        )


class MfaRemoveView(LoginRequiredMixin, View):
    def post(self, request):
        try:
            accounts.remove_second_factor(user=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("Tweestapsverificatie is uitgeschakeld."))
        return redirect("tenants:account")


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "account/password_change.html"
    form_class = PortalPasswordChangeForm
    success_url = reverse_lazy("tenants:account")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Uw wachtwoord is gewijzigd."))
        return response


class PasswordResetView(auth_views.PasswordResetView):
    template_name = "account/password_reset.html"
    form_class = PortalPasswordResetForm
    email_template_name = "account/email/password_reset.txt"
    subject_template_name = "account/email/password_reset_subject.txt"
    success_url = reverse_lazy("tenants:password_reset_done")


class PasswordResetDoneView(auth_views.PasswordResetDoneView):
    template_name = "account/password_reset_done.html"


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    template_name = "account/password_reset_confirm.html"
    form_class = PortalSetPasswordForm
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(self.request, _("Uw wachtwoord is ingesteld. U kunt nu inloggen."))
        return response
