from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import UtrechtFormMixin
from core.uploads import check_csv

from .models import SupplierContract


class EmployeeFilterForm(UtrechtFormMixin, forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, help_text=_("Naam, personeelsnummer of functie."))
    on = forms.DateField(
        label=_("Werkgever op datum"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
    )


class EmployeeForm(UtrechtFormMixin, forms.Form):
    """The part of an employee that may change after the transfer: the department."""

    department = forms.CharField(label=_("Afdeling"), max_length=100, required=False)


class ContractFilterForm(UtrechtFormMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("Contractovername"),
        required=False,
        choices=[("", _("Alle contracten")), *SupplierContract.Novation.choices],
    )


class UploadForm(UtrechtFormMixin, forms.Form):
    staff = forms.FileField(label=_("Personeel (CSV)"))
    contracts = forms.FileField(label=_("Leverancierscontracten (CSV)"))
    agreements = forms.FileField(label=_("Overeenkomsten Servicepunt71, afname 2022 (CSV)"))

    def clean(self):
        cleaned = super().clean()
        for name in ("staff", "contracts", "agreements"):
            upload = cleaned.get(name)
            if upload is not None:
                try:
                    check_csv(upload)
                except forms.ValidationError as error:
                    self.add_error(name, error)
        return cleaned


class NovationForm(UtrechtFormMixin, forms.Form):
    on = forms.DateField(
        label=_("Datum"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        input_formats=["%Y-%m-%d", "%d-%m-%Y"],
    )
    note = forms.CharField(label=_("Toelichting"), required=False, widget=forms.Textarea(attrs={"rows": 3}))
