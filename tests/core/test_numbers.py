"""One parser for numbers: Dutch habits for people, the design's CSV rule for files."""

from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation

from core.csvinput import read_csv
from core.forms import DutchDecimalField
from core.numbers import NumberError, parse_csv_decimal, parse_typed_decimal
from tests.services.factories import TariffFactory


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("11.500", "11500"),
        ("1.234,56", "1234.56"),
        ("11,5", "11.5"),
        ("120", "120"),
        ("1.234.567", "1234567"),
        ("-3,5", "-3.5"),
        (" 0,8889 ", "0.8889"),
    ],
)
def test_typed_numbers_are_read_the_dutch_way(text, value):
    assert parse_typed_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1.5", "1.23", "1.2345", "1234.567"])
def test_a_single_dot_without_three_digits_is_refused_saying_how_to_write_it(text):
    with pytest.raises(NumberError, match="niet eenduidig.*Schrijf dan een komma"):
        parse_typed_decimal(text)


@pytest.mark.parametrize("text", ["12.34,5", "1,2,3", "1e5", "abc", "", "1 500", "NaN"])
def test_other_text_is_no_number(text):
    with pytest.raises(NumberError, match="is geen getal"):
        parse_typed_decimal(text)


def test_the_message_is_english_in_english_mode():
    with translation.override("en"), pytest.raises(NumberError, match="is ambiguous"):
        parse_typed_decimal("1.5")


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.8", "0.8"),
        ("0,8", "0.8"),
        ("12.5", "12.5"),
        ("0.8889", "0.8889"),
        ("0.889", "0.889"),
        ("1.234,56", "1234.56"),
        ("1.234.567", "1234567"),
        ("1.2345", "1.2345"),
    ],
)
def test_csv_decimals_take_a_decimal_point_or_comma(text, value):
    assert parse_csv_decimal(text) == Decimal(value)


@pytest.mark.parametrize("text", ["1.500", "12.125", "abc", "1.2.3", ""])
def test_csv_refuses_what_both_readings_fit_and_what_is_no_number(text):
    assert parse_csv_decimal(text) is None


def test_a_csv_row_names_the_ambiguity_and_both_ways_to_write_it():
    data = b"gemeente;dienstcode;volume\nLeiden;ICT-01;1.500\n"
    (row,) = read_csv(data, name="v.csv", columns=["gemeente", "dienstcode", "volume"])
    assert row.decimal("volume") is None
    assert str(row.problems[0]) == (
        "v.csv:2: volume: '1.500' is niet eenduidig (duizendtal of decimaalpunt?); schrijf 1500 of 1,500"
    )


def test_the_form_field_shows_a_value_the_way_it_reads_it_back():
    field = DutchDecimalField(max_digits=14, decimal_places=4)
    shown = field.prepare_value(Decimal("10820.0000"))
    assert shown == "10.820"
    assert field.clean(shown) == Decimal("10820")
    assert field.prepare_value(Decimal("12.5")) == "12,5"


def test_the_form_field_explains_bounds_and_digits_in_dutch():
    field = DutchDecimalField(max_digits=14, decimal_places=4, min_value=0, max_value=1_000_000)
    for text, message in [
        ("-1", "Vul een getal van minstens 0 in."),
        ("1.000.001", "Vul een getal van hoogstens 1.000.000 in."),
        ("1,23456", "Vul hoogstens 4 cijfers achter de komma in."),
    ]:
        with pytest.raises(Exception, match=message):
            field.clean(text)


def test_the_admin_reads_decimals_the_dutch_way(admin_client):
    tariff = TariffFactory(year=2025, unit_price=Decimal("100.00"))
    url = reverse("admin:services_tariff_change", args=[tariff.pk])
    page = admin_client.get(url).content.decode()
    assert 'value="100"' in page
    response = admin_client.post(url, {"service": tariff.service_id, "year": 2025, "unit_price": "1.234,56"})
    assert response.status_code == 302
    tariff.refresh_from_db()
    assert tariff.unit_price == Decimal("1234.56")
    response = admin_client.post(url, {"service": tariff.service_id, "year": 2025, "unit_price": "105.5"})
    assert response.status_code == 200
    assert "niet eenduidig" in response.content.decode()
    tariff.refresh_from_db()
    assert tariff.unit_price == Decimal("1234.56")
