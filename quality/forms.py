"""Forms of the quality pages: choosing a period, uploading measurements, explaining a breach."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.forms import UtrechtFormMixin

from .selectors import FIRST_YEAR, last_full_quarter

MAX_UPLOAD_BYTES = 5 * 1024 * 1024


def _years() -> list[tuple[str, str]]:
    return [(str(y), str(y)) for y in range(timezone.localdate().year, FIRST_YEAR - 1, -1)]


class _PeriodChoices(forms.Form):
    """Sets the year choices right after the fields exist: UtrechtFormMixin validates as soon as the
    fields are made, which must already see the real choices."""

    def __init__(self, *args, with_quarter: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["jaar"].choices = _years()
        if not with_quarter:
            del self.fields["kwartaal"]


class PeriodForm(UtrechtFormMixin, _PeriodChoices):
    """``?jaar=2025&kwartaal=2``; without a valid choice the last full quarter."""

    jaar = forms.TypedChoiceField(label=_("Jaar"), coerce=int, required=False)
    kwartaal = forms.TypedChoiceField(
        label=_("Kwartaal"),
        coerce=int,
        required=False,
        choices=[("1", "Q1"), ("2", "Q2"), ("3", "Q3"), ("4", "Q4")],
    )

    def period(self) -> tuple[int, int]:
        default = last_full_quarter(timezone.localdate())
        if not self.is_bound or not self.is_valid():
            return default.year, default.quarter
        year = self.cleaned_data.get("jaar") or default.year
        quarter = self.cleaned_data.get("kwartaal") or (default.quarter if year == default.year else 4)
        return year, quarter


class MeasurementUploadForm(UtrechtFormMixin, forms.Form):
    file = forms.FileField(
        label=_("Bestand met metingen (CSV)"),
        help_text=_("Kolommen gemeente, dienstcode, maand, kpi, waarde; maand als 2025-03."),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Het bestand is groter dan 5 MB."))
        return upload


class BreachNoteForm(UtrechtFormMixin, forms.Form):
    explanation = forms.CharField(
        label=_("Toelichting"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        help_text=_("Waarom is de norm niet gehaald?"),
    )
    remedy = forms.CharField(
        label=_("Verbetermaatregel"),
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=4000,
        required=False,
        help_text=_("Wat doet Leiden om de norm weer te halen?"),
    )


class GenerateReportsForm(UtrechtFormMixin, forms.Form):
    period = forms.RegexField(
        label=_("Kwartaal"),
        regex=r"^\s*\d{4}-[Qq][1-4]\s*$",
        max_length=7,
        help_text=_("Een afgelopen kwartaal, bijvoorbeeld 2025-Q1."),
        error_messages={"invalid": _("Geef een kwartaal als 2025-Q1.")},
    )
