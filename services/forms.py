"""Forms of the catalogue pages and of the indexation in the admin."""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DutchDecimalField, UtrechtFormMixin


class _CatalogueFilterFields(forms.Form):
    """The fields; their choices are set here, before UtrechtFormMixin validates a bound form."""

    zoek = forms.CharField(
        label=_("Zoeken"),
        required=False,
        max_length=100,
        help_text=_("Op code, naam, omschrijving of eenheid."),
    )
    domein = forms.ChoiceField(label=_("Domein"), required=False)
    jaar = forms.TypedChoiceField(
        label=_("Jaar"), required=False, coerce=int, help_text=_("De prijzen gelden per eenheid per jaar.")
    )

    def __init__(self, *args, domains=(), years=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["domein"].choices = [("", _("Alle domeinen"))] + [
            (d.code, d.display_name) for d in domains
        ]
        self.fields["jaar"].choices = [(y, str(y)) for y in years]


class CatalogueFilterForm(UtrechtFormMixin, _CatalogueFilterFields):
    """Search, domain and year of the catalogue page (a GET form; every field optional)."""


class IndexationForm(UtrechtFormMixin, forms.Form):
    """The percentage and target year of an indexation (admin action)."""

    to_year = forms.IntegerField(label=_("Doeljaar"), min_value=2000, max_value=2100)
    percent = DutchDecimalField(
        label=_("Percentage"),
        max_digits=6,
        decimal_places=3,
        min_value=Decimal("-99.999"),
        max_value=Decimal("100"),
        help_text=_("Bijvoorbeeld 3,1 voor 3,1% erbij. Nieuwe prijzen worden half-op afgerond op centen."),
    )
