from django.contrib.auth.forms import AuthenticationForm

from core.forms import UtrechtFormMixin


class PortalAuthenticationForm(UtrechtFormMixin, AuthenticationForm):
    pass
