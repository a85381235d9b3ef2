"""Forms render with NL Design System classes; errors show next to the field and in a summary.

The messages for an empty, malformed or too long value are the portal's own ("Vul dit veld in." /
"Fill in this field."), not Django's stock ones, in both languages; a message a form sets itself stays.
"""

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _

from .money import format_decimal_nl
from .numbers import NumberError, parse_typed_decimal
from .validators import NoControlCharacters

#: The portal's messages per error code; a code's message for a kind of field wins over the general one.
PORTAL_MESSAGES = {
    "required": _("Vul dit veld in."),
    "invalid": _("Vul een geldige waarde in."),
    "invalid_choice": _("Kies een van de mogelijkheden."),
    "invalid_list": _("Kies een of meer van de mogelijkheden."),
    "invalid_pk_value": _("Kies een van de mogelijkheden."),
    "max_digits": _("Vul een getal in van hoogstens %(max)s cijfers."),
    "max_decimal_places": _("Vul een getal in met hoogstens %(max)s cijfers achter de komma."),
    "max_whole_digits": _("Vul een getal in met hoogstens %(max)s cijfers voor de komma."),
    "missing": _("Kies een bestand."),
    "empty": _("Het gekozen bestand is leeg."),
    "contradiction": _("Kies een bestand of vink 'wissen' aan, niet allebei."),
}
FIELD_MESSAGES = {
    forms.DecimalField: {"invalid": _("Vul een getal in, zoals 11,5.")},
    forms.FloatField: {"invalid": _("Vul een getal in, zoals 11,5.")},
    forms.IntegerField: {"invalid": _("Vul een heel getal in.")},
    forms.DateField: {"invalid": _("Vul een datum in, zoals 31-12-2025.")},
    forms.EmailField: {"invalid": _("Vul een geldig e-mailadres in.")},
    forms.FileField: {"invalid": _("Kies een bestand.")},
}


def _stock_messages(field: forms.Field) -> dict:
    """Django's default messages of ``field``'s class, to tell them from those the form set itself."""
    messages: dict = {}
    for cls in reversed(type(field).__mro__):
        messages.update(getattr(cls, "default_error_messages", {}))
    return messages


def portal_error_messages(field: forms.Field) -> None:
    """Replace Django's stock messages of ``field`` by the portal's (a message set by the form stays)."""
    stock = _stock_messages(field)
    specific = next((m for t, m in FIELD_MESSAGES.items() if isinstance(field, t)), {})
    for code, message in field.error_messages.items():
        if code in stock and message is stock[code]:
            replacement = specific.get(code) or PORTAL_MESSAGES.get(code)
            if replacement is not None:
                field.error_messages[code] = replacement
    if isinstance(field, forms.DecimalField):
        # The digit checks are the DecimalValidator's; its codes take the field's message when it has one.
        for code in ("max_digits", "max_decimal_places", "max_whole_digits"):
            field.error_messages.setdefault(code, PORTAL_MESSAGES[code])


_WIDGET_CLASSES = {
    forms.Textarea: "utrecht-textarea utrecht-textarea--html-textarea",
    forms.Select: "utrecht-select utrecht-select--html-select",
    forms.SelectMultiple: "utrecht-select utrecht-select--html-select",
    forms.CheckboxInput: "utrecht-checkbox utrecht-checkbox--html-input",
    forms.RadioSelect: "utrecht-radio-button",
    forms.ClearableFileInput: "utrecht-textbox utrecht-textbox--html-input",
    forms.FileInput: "utrecht-textbox utrecht-textbox--html-input",
}


class UtrechtFormMixin:
    """Adds the NL Design System classes and ``aria-describedby``/``aria-invalid`` to every widget, and
    refuses control characters in every text field (tabs and line breaks only in a textarea)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Before anything reads ``self.errors`` (below), which cleans the form.
        for field in self.fields.values():
            portal_error_messages(field)
        for name, field in self.fields.items():
            if isinstance(field, forms.CharField):
                multiline = isinstance(field.widget, forms.Textarea)
                field.validators = [*field.validators, NoControlCharacters(multiline=multiline)]
            widget = field.widget
            css = next((c for t, c in _WIDGET_CLASSES.items() if isinstance(widget, t)), None)
            widget.attrs["class"] = css or "utrecht-textbox utrecht-textbox--html-input"
            described = []
            if field.help_text:
                described.append(f"id_{self.add_prefix(name)}_help")
            if self.is_bound and name in self.errors:
                described.append(f"id_{self.add_prefix(name)}_error")
                widget.attrs["aria-invalid"] = "true"
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)


class DutchDecimalField(forms.DecimalField):
    """A number typed the Dutch way (``core.numbers.parse_typed_decimal``: ``11.500``, ``1.234,56``,
    ``11,5``), cleaned to a Decimal; a value is shown the same way (``10.820``), so it reads back as it
    was. Bounds and digits are checked as ``forms.DecimalField`` does, with messages that say how."""

    widget = forms.TextInput
    default_error_messages = {
        "invalid": _("Vul een getal in, bijvoorbeeld 11.500, 1.234,56 of 11,5."),
        "max_digits": _("Vul een getal van hoogstens %(max)s cijfers in."),
        "max_decimal_places": _("Vul hoogstens %(max)s cijfers achter de komma in."),
        "max_whole_digits": _("Vul hoogstens %(max)s cijfers voor de komma in."),
        "min_value": _("Vul een getal van minstens %(limit_value)s in."),
        "max_value": _("Vul een getal van hoogstens %(limit_value)s in."),
    }

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, Decimal):
            return value
        if isinstance(value, int):
            return Decimal(value)
        try:
            return parse_typed_decimal(str(value))
        except NumberError as exc:
            raise forms.ValidationError(str(exc), code="invalid") from exc

    def validate(self, value):
        forms.Field.validate(self, value)

    def run_validators(self, value):
        try:
            super().run_validators(value)
        except forms.ValidationError as exc:
            raise forms.ValidationError([self._readable(error) for error in exc.error_list]) from None

    def _readable(self, error: forms.ValidationError) -> forms.ValidationError:
        params = dict(error.params or {})
        for key in ("limit_value", "max"):
            if isinstance(params.get(key), Decimal | int):
                params[key] = format_decimal_nl(Decimal(params[key]))
        return forms.ValidationError(error.message, code=error.code, params=params)

    def prepare_value(self, value):
        if isinstance(value, Decimal | int) and not isinstance(value, bool):
            return format_decimal_nl(Decimal(value))
        return value

    def widget_attrs(self, widget):
        attrs = forms.Field.widget_attrs(self, widget)
        attrs.setdefault("inputmode", "decimal")
        attrs.setdefault("autocomplete", "off")
        return attrs


def use_dutch_decimals_in_admin() -> None:
    """Every decimal field of every ModelAdmin and inline reads and shows numbers the Dutch way.

    ``BaseModelAdmin`` copies these defaults when a ModelAdmin is made, so call this before the admin
    registers its models (``config.admin`` does, when the admin site is built)."""
    from django.contrib.admin import options
    from django.db import models

    options.FORMFIELD_FOR_DBFIELD_DEFAULTS[models.DecimalField] = {"form_class": DutchDecimalField}
