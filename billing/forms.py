"""Forms of the billing pages: the invoice filter, starting a run, the price-equality year, a credit note."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import UtrechtFormMixin
from core.periods import Period

from .models import Invoice


def _year_choices(blank: bool):
    this_year = timezone.localdate().year
    years = [(str(y), str(y)) for y in range(this_year + 1, 2022, -1)]
    return ([("", _("Alle jaren"))] if blank else []) + years


class _DynamicChoicesForm(forms.Form):
    """Sets its choices right after the fields exist: UtrechtFormMixin reads the errors (and so
    validates) as soon as the fields are made, which must already see the real choices."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.set_choices()

    def set_choices(self) -> None:
        pass


class InvoiceFilterForm(UtrechtFormMixin, _DynamicChoicesForm):
    year = forms.ChoiceField(label=_("Jaar"), required=False)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Alle statussen")), *Invoice.Status.choices]
    )

    def set_choices(self) -> None:
        self.fields["year"].choices = _year_choices(blank=True)


class YearForm(UtrechtFormMixin, _DynamicChoicesForm):
    year = forms.ChoiceField(label=_("Jaar"))

    def set_choices(self) -> None:
        self.fields["year"].choices = _year_choices(blank=False)


def _default_period() -> str:
    return str(Period.containing(timezone.localdate(), granularity=settings.BILLING_PERIOD))


class StartRunForm(UtrechtFormMixin, forms.Form):
    period = forms.CharField(
        label=_("Periode"),
        max_length=7,
        help_text=_("Een kwartaal (2024-Q1) of een maand (2024-03)."),
    )
    dry_run = forms.BooleanField(
        label=_("Proefrun: alleen laten zien wat gefactureerd zou worden"), required=False
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"period": _default_period()})
        super().__init__(*args, **kwargs)

    def clean_period(self) -> Period:
        text = self.cleaned_data["period"]
        try:
            period = Period.parse(text)
        except ValueError:
            raise forms.ValidationError(
                _("'%(text)s' is geen periode; gebruik 2024-Q1 voor een kwartaal of 2024-03 voor een maand.")
                % {"text": text}
            ) from None
        if period.kind == "year":
            raise forms.ValidationError(_("Factureer per kwartaal of per maand, niet per jaar."))
        return period


class CreditNoteForm(UtrechtFormMixin, _DynamicChoicesForm):
    lines = forms.MultipleChoiceField(
        label=_("Te crediteren regels"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Vink de regels aan die u crediteert, of kies hieronder alle regels."),
    )
    all_lines = forms.BooleanField(
        label=_("Alle regels crediteren (de hele factuur, voor zover nog niet gecrediteerd)"), required=False
    )
    reason = forms.CharField(label=_("Reden"), max_length=500, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        cleaned = super().clean()
        chosen, everything = cleaned.get("lines"), cleaned.get("all_lines")
        if not chosen and not everything:
            self.add_error(
                "lines", _("Vink de regels aan die u wilt crediteren, of kies 'Alle regels crediteren'.")
            )
        elif chosen and everything:
            self.add_error(
                "all_lines", _("Kies losse regels of alle regels, niet allebei: vink er één van de twee uit.")
            )
        return cleaned

    def __init__(self, *args, invoice: Invoice, credited_line_ids=(), **kwargs):
        self.invoice, self.credited_line_ids = invoice, set(credited_line_ids)
        super().__init__(*args, **kwargs)
        self.fields["lines"].widget.attrs["class"] = "utrecht-checkbox utrecht-checkbox--html-input"

    def set_choices(self) -> None:
        self.fields["lines"].choices = [
            (str(line.pk), f"{line.service.code} {line.description}")
            for line in self.invoice.lines.select_related("service")
            if line.pk not in self.credited_line_ids
        ]
