"""Browser forms of the budget app. Numbers are typed the Dutch way (``core.numbers``): ``11.500`` is
eleven thousand five hundred, ``1.234,56`` and ``11,5`` have a decimal comma."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import DutchDecimalField, UtrechtFormMixin
from core.numbers import parse_typed_decimal as parse_dutch_number

__all__ = ["DutchDecimalField", "GenerateForm", "YearForm", "parse_dutch_number"]


class GenerateForm(UtrechtFormMixin, forms.Form):
    year = forms.IntegerField(
        label=_("Begrotingsjaar"),
        min_value=2000,
        max_value=2100,
        error_messages={
            "invalid": _("Vul een jaar in, bijvoorbeeld 2027."),
            "required": _("Vul het jaar in."),
        },
    )
    provisional_percent = DutchDecimalField(
        label=_("Voorlopige indexatie (%)"),
        required=False,
        min_value=Decimal("-100"),
        max_value=Decimal("100"),
        help_text=_("Alleen nodig als de tarieven van dat jaar nog niet zijn vastgesteld, bijvoorbeeld 3,0."),
    )


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100)
