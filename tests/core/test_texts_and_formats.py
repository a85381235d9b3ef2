"""Stored texts render in the reader's language; numbers, amounts and percentages follow it; form
messages are the portal's own in both languages."""

from decimal import Decimal

import pytest
from django import forms
from django.template import Context, Template
from django.utils import translation

from core.audit import history_entries
from core.forms import UtrechtFormMixin
from core.history import Reason, save_with_history
from core.money import format_decimal_nl, format_eur, format_percent
from core.texts import Text, both, decode, eur, render, store


def test_amounts_numbers_and_percentages_follow_the_active_language():
    with translation.override("nl"):
        assert format_eur(Decimal("1234.56")) == "€ 1.234,56"
        assert format_decimal_nl(Decimal("11500.5")) == "11.500,5"
        assert format_percent(Decimal("3.1")) == "3,1%"
    with translation.override("en"):
        assert format_eur(Decimal("1234.56")) == "€ 1,234.56"
        assert format_eur(Decimal("-12.3")) == "€ -12.30"
        assert format_decimal_nl(Decimal("11500.5")) == "11,500.5"
        assert format_percent(Decimal("3.1")) == "3.1%"


def test_template_filters_follow_the_active_language():
    template = Template("{% load portal %}{{ a|eur }} {{ q|qty:1 }} {{ p|pct }} {{ none|pct }}")
    context = Context({"a": Decimal("1234.5"), "q": Decimal("2.25"), "p": Decimal("3.1"), "none": None})
    with translation.override("nl"):
        assert template.render(context) == "€ 1.234,50 2,3 3,1% –"
    with translation.override("en"):
        assert template.render(context) == "€ 1,234.50 2.3 3.1% –"


def test_a_stored_text_is_a_key_with_parameters_rendered_when_read():
    stored = Text("renewal", year=2025).encode()
    assert stored == '§renewal{"year":2025}'
    assert decode(stored) == ("renewal", {"year": 2025})
    with translation.override("nl"):
        assert render(stored) == "Verlenging: afname van 2025 overgenomen"
    with translation.override("en"):
        assert render(stored) == "Renewal: volumes of 2025 carried over"


def test_free_text_and_unknown_keys_are_shown_as_typed():
    assert render("Past binnen de capaciteit; akkoord.") == "Past binnen de capaciteit; akkoord."
    assert render("§nonsense{1}") == "§nonsense{1}"
    assert render("") == ""
    assert store("typed by a person", 5) == "typed"
    with pytest.raises(KeyError):
        Text("no-such-key")


def test_names_in_two_languages_amounts_and_numbers_as_parameters():
    stored = Text("budget_scenarios", spread=both("-2,5% / +5%", "-2.5% / +5%")).encode()
    with translation.override("en"):
        assert "-2.5% / +5%" in render(stored)
    with translation.override("nl"):
        assert "-2,5% / +5%" in render(stored)
    assert eur("10.50") == {"eur": "10.50"}
    indexation = Text("indexation", **{"from": 2025, "to": 2026, "percent": Decimal("3.1")}).encode()
    with translation.override("nl"):
        assert render(indexation) == "Indexatie 2025 → 2026 met 3,1%"


def test_a_long_parameter_is_cut_so_the_reason_fits_the_history_column():
    stored = Text("measurement_import", file="x" * 300).encode(limit=100)
    assert len(stored) <= 100
    assert render(stored).startswith("Import xxx")


def test_multi_line_values_render_line_by_line():
    value = "\n".join([Text("budget_same_price").encode(), "Een eigen notitie."])
    with translation.override("en"):
        lines = render(value).splitlines()
    assert lines[0].startswith("The same price")
    assert lines[1] == "Een eigen notitie."


@pytest.mark.django_db
def test_the_history_shows_a_coded_reason_in_the_readers_language():
    from tests.services.factories import TariffFactory

    tariff = TariffFactory(year=2025)
    tariff.unit_price = Decimal("12.00")
    save_with_history(tariff, reason=Reason("tariff_locked"))
    source = type(tariff).history.model
    assert source.objects.filter(history_change_reason="§tariff_locked").exists()
    from core.audit import Source

    sources = [Source(type(tariff), {"id": tariff.pk}, lambda r: "tarief")]
    with translation.override("en"):
        reasons = {e.reason for e in history_entries(sources)}
    assert "used on an issued invoice" in reasons


class _Form(UtrechtFormMixin, forms.Form):
    name = forms.CharField()
    volume = forms.DecimalField(max_digits=5, decimal_places=2)
    when = forms.DateField()
    own = forms.CharField(error_messages={"required": "Eigen melding."})


def test_form_messages_are_the_portals_own_in_both_languages():
    data = {"name": "", "volume": "1234,567", "when": "gisteren", "own": ""}
    with translation.override("nl"):
        errors = _Form(data=data).errors
        assert errors["name"] == ["Vul dit veld in."]
        assert errors["when"] == ["Vul een datum in, zoals 31-12-2025."]
        assert errors["own"] == ["Eigen melding."]
    with translation.override("en"):
        errors = _Form(data={**data, "volume": "123456.5"}).errors
        assert errors["name"] == ["Fill in this field."]
        assert errors["volume"] == ["Enter a number of at most 5 digits."]
        assert errors["when"] == ["Enter a date, such as 31-12-2025."]
