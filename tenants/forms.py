from django import forms
from django.conf import settings
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from core.forms import UtrechtFormMixin
from core.tasks import enqueue
from core.throttle import address_is_throttled, record_failed_login


class ThrottledLoginMixin:
    """Refuses any login from an address with too many recent failures, and counts each failure."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "throttled": _(
            "Vanaf dit adres is te vaak een verkeerd wachtwoord ingevoerd. Probeer het over een kwartier opnieuw."
        ),
    }

    def clean(self):
        if self.request is not None and address_is_throttled(self.request):
            self.throttled = True
            raise ValidationError(self.error_messages["throttled"], code="throttled")
        try:
            return super().clean()
        except ValidationError as error:
            if self.request is not None and getattr(error, "code", None) == "invalid_login":
                record_failed_login(self.request)
            raise


class PortalAuthenticationForm(ThrottledLoginMixin, UtrechtFormMixin, AuthenticationForm):
    throttled = False


class PortalAdminAuthenticationForm(ThrottledLoginMixin, AdminAuthenticationForm):
    """The admin's login, under the same per-address limit as the portal's."""

    throttled = False


class PortalPasswordChangeForm(UtrechtFormMixin, PasswordChangeForm):
    pass


class PortalSetPasswordForm(UtrechtFormMixin, SetPasswordForm):
    pass


class PortalPasswordResetForm(UtrechtFormMixin, PasswordResetForm):
    """Django's form, which answers the same whether or not the address belongs to an account; the
    e-mail leaves from a task, never inside the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from django.template.loader import render_to_string

        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        body = render_to_string(email_template_name, context)
        enqueue("tenants.send_account_email_task", subject=subject, body=body, to=to_email)


class ApiTokenForm(UtrechtFormMixin, forms.Form):
    name = forms.CharField(
        label=_("Naam"),
        max_length=100,
        help_text=_("Waarvoor is dit token, bijvoorbeeld het financiële systeem dat het gebruikt?"),
    )
    expires_days = forms.IntegerField(
        label=_("Geldig (dagen)"),
        min_value=1,
        help_text=_("Na deze termijn werkt het token niet meer."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["expires_days"]
        field.initial = settings.API_TOKEN_DEFAULT_DAYS
        field.widget.attrs["max"] = settings.API_TOKEN_MAX_DAYS
        field.help_text = _("Na deze termijn werkt het token niet meer (ten hoogste %(max)s dagen).") % {
            "max": settings.API_TOKEN_MAX_DAYS
        }

    def clean_expires_days(self):
        days = self.cleaned_data["expires_days"]
        if days > settings.API_TOKEN_MAX_DAYS:
            raise forms.ValidationError(
                _("Ten hoogste %(max)s dagen.") % {"max": settings.API_TOKEN_MAX_DAYS}, code="max_value"
            )
        return days


class OtpCodeForm(UtrechtFormMixin, forms.Form):
    code = forms.CharField(
        label=_("Code"),
        max_length=16,
        help_text=_("De zescijferige code uit uw authenticator-app, of een van uw herstelcodes."),
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
