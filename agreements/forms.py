"""Browser forms of the agreements app. The rules live in the services; the forms only shape input."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from core.forms import DutchDecimalField, UtrechtFormMixin
from services.selectors import all_services

from .models import ChangeRequest


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs, format="%Y-%m-%d")


class ChangeRequestForm(UtrechtFormMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Wat wilt u wijzigen?"), choices=ChangeRequest.Kind.choices)
    service = forms.ModelChoiceField(
        label=_("Dienst"),
        queryset=all_services(),
        empty_label=_("Kies een dienst"),
        error_messages={"invalid_choice": _("Kies een dienst uit de lijst.")},
    )
    volume = DutchDecimalField(
        label=_("Nieuwe afname per jaar"),
        required=False,
        min_value=0,
        max_value=settings.MAX_VOLUME_PER_SERVICE,
        max_digits=14,
        decimal_places=4,
        help_text=_(
            "In de eenheid van de dienst, bijvoorbeeld 11.500 of 12,5 (een punt scheidt duizendtallen, een "
            "komma de decimalen). Leeg laten bij beëindigen."
        ),
    )
    effective_from = forms.DateField(
        label=_("Ingangsdatum"),
        widget=DateInput(),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
        help_text=_(
            "De eerste dag van een kwartaal dat nog niet is gefactureerd, uiterlijk in het volgende jaar."
        ),
        error_messages={"invalid": _("Vul een geldige datum in, bijvoorbeeld 01-04-2026.")},
    )
    motivation = forms.CharField(
        label=_("Toelichting"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].label_from_instance = lambda s: f"{s.code} {s.display_name} ({s.display_unit})"


class DecisionForm(UtrechtFormMixin, forms.Form):
    """Approve or reject: the button pressed names the decision, the reason is required for both."""

    decision = forms.ChoiceField(
        label=_("Besluit"),
        choices=[("approve", _("Goedkeuren")), ("reject", _("Afwijzen"))],
        widget=forms.HiddenInput,
    )
    reason = forms.CharField(
        label=_("Motivering"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
        error_messages={"required": _("Geef een motivering voor het besluit.")},
    )
    effective_from = forms.DateField(
        label=_("Nieuwe ingangsdatum"),
        required=False,
        widget=forms.HiddenInput,
        help_text=_(
            "Alleen als de gevraagde datum inmiddels is gefactureerd: de eerstvolgende open periode."
        ),
    )


class WithdrawForm(UtrechtFormMixin, forms.Form):
    reason = forms.CharField(
        label=_("Waarom trekt u het verzoek in? (optioneel)"),
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class SignForm(UtrechtFormMixin, forms.Form):
    document = forms.FileField(
        label=_("Ondertekende overeenkomst (pdf)"),
        required=False,
        help_text=_("Optioneel: de ondertekende overeenkomst als pdf-bestand."),
    )
    confirm = forms.BooleanField(
        label=_("Ik onderteken deze overeenkomst"),
        error_messages={"required": _("Bevestig dat u de overeenkomst ondertekent.")},
    )
