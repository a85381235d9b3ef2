"""Browser forms of the budget app. Numbers are typed the Dutch way: ``11.500`` is eleven thousand five
hundred, ``1.234,56`` and ``11,5`` have a decimal comma."""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import UtrechtFormMixin

_GROUPED = re.compile(r"^[+-]?\d{1,3}(\.\d{3})+$")


def parse_dutch_number(text: str) -> Decimal:
    """``11.500`` -> 11500, ``1.234,56`` -> 1234.56, ``11,5`` -> 11.5, ``3.0`` -> 3.0 (a point followed
    by other than three digits is a decimal point). Raises ValueError on anything else."""
    value = (text or "").strip().replace(" ", "").replace("\u00a0", "")
    if not value:
        raise ValueError("empty")
    if "," in value:
        value = value.replace(".", "").replace(",", ".")
    elif _GROUPED.match(value):
        value = value.replace(".", "")
    try:
        number = Decimal(value)
    except InvalidOperation as exc:
        raise ValueError(text) from exc
    if not number.is_finite():
        raise ValueError(text)
    return number


class DutchDecimalField(forms.CharField):
    """A number typed the Dutch way, cleaned to a Decimal."""

    default_error_messages = {"invalid": _("Vul een getal in, bijvoorbeeld 11.500, 1.234,56 of 11,5.")}

    def __init__(self, *, min_value=None, max_value=None, **kwargs):
        self.min_value, self.max_value = min_value, max_value
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}))
        super().__init__(**kwargs)

    def to_python(self, value):
        value = super().to_python(value)
        if value in self.empty_values:
            return None
        try:
            number = parse_dutch_number(value)
        except ValueError as exc:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid") from exc
        if self.min_value is not None and number < self.min_value:
            raise forms.ValidationError(
                _("Vul een getal van minstens %(min)s in.") % {"min": self.min_value}, code="min_value"
            )
        if self.max_value is not None and number > self.max_value:
            raise forms.ValidationError(
                _("Vul een getal van hoogstens %(max)s in.") % {"max": self.max_value}, code="max_value"
            )
        return number


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
