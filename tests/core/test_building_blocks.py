from datetime import date
from decimal import Decimal

import pytest

from core.csvinput import CsvProblems, parse_date, parse_decimal, read_csv
from core.money import format_decimal_nl, format_eur, to_cents
from core.periods import Period


@pytest.mark.parametrize(
    ("amount", "expected"),
    [("0.005", "0.01"), ("0.004999", "0.00"), ("-0.005", "-0.01"), ("2.675", "2.68"), ("10", "10.00")],
)
def test_money_rounds_half_up_to_cents(amount, expected):
    assert to_cents(Decimal(amount)) == Decimal(expected)


def test_money_refuses_float():
    with pytest.raises(TypeError):
        to_cents(0.1)


def test_amounts_display_dutch_style():
    assert format_eur(Decimal("1234567.5")) == "€ 1.234.567,50"
    assert format_eur(Decimal("-12.3")) == "€ -12,30"
    assert format_decimal_nl(Decimal("1250.5000")) == "1.250,5"
    assert format_decimal_nl(Decimal("3")) == "3"


@pytest.mark.parametrize(
    ("text", "start", "end", "fraction"),
    [
        ("2024-Q1", date(2024, 1, 1), date(2024, 3, 31), Decimal("0.25")),
        ("2024-q4", date(2024, 10, 1), date(2024, 12, 31), Decimal("0.25")),
        ("2024-02", date(2024, 2, 1), date(2024, 2, 29), Decimal(1) / Decimal(12)),
        ("2024", date(2024, 1, 1), date(2024, 12, 31), Decimal(1)),
    ],
)
def test_periods_parse_with_their_dates_and_fraction(text, start, end, fraction):
    period = Period.parse(text)
    assert (period.start, period.end, period.fraction_of_year) == (start, end, fraction)


@pytest.mark.parametrize("text", ["2024-Q5", "2024-13", "Q1-2024", "", "24-Q1"])
def test_bad_periods_get_a_clear_message(text):
    with pytest.raises(ValueError, match="is not a period|outside|not 1-4|not 1-12"):
        Period.parse(text)


def test_periods_follow_each_other():
    assert str(Period.parse("2024-Q4").next()) == "2025-Q1"
    assert str(Period.parse("2024-12").next()) == "2025-01"


def test_decimals_and_dates_in_both_notations():
    assert parse_decimal("0,8") == parse_decimal("0.8") == Decimal("0.8")
    assert parse_decimal("1.234,5") == Decimal("1234.5")
    assert parse_decimal("1.500") is None  # 1500 or 1,5: refused, see core.numbers
    assert parse_date("31-12-2022") == parse_date("2022-12-31") == date(2022, 12, 31)
    with pytest.raises(ValueError, match="bestaande"):
        parse_date("31-02-2023")


def test_csv_detects_bom_delimiter_and_header_case():
    data = "\ufeff Gemeente ;DienstCode;volume\nLeiden;ICT-01;1,5\n".encode()
    rows = list(read_csv(data, name="v.csv", columns=["gemeente", "dienstcode", "volume"]))
    assert rows[0].values == {"gemeente": "Leiden", "dienstcode": "ICT-01", "volume": "1,5"}
    assert rows[0].decimal("volume") == Decimal("1.5")
    assert rows[0].number == 2


def test_csv_names_missing_columns_with_file_and_row():
    with pytest.raises(CsvProblems) as caught:
        list(
            read_csv(
                b"gemeente,volume\nLeiden,1\n", name="v.csv", columns=["gemeente", "dienstcode", "volume"]
            )
        )
    assert str(caught.value.problems[0]) == "v.csv:1: dienstcode: kolom ontbreekt"


def test_csv_row_problems_name_row_and_column():
    rows = list(read_csv(b"gemeente,volume\nLeiden,abc\n", name="v.csv", columns=["gemeente", "volume"]))
    rows[0].decimal("volume")
    assert str(rows[0].problems[0]) == "v.csv:2: volume: 'abc' is geen getal (gebruik 0,8 of 0.8)"


def test_csv_refuses_a_file_that_is_not_utf8():
    with pytest.raises(CsvProblems, match="geen UTF-8"):
        list(read_csv("gemeente\nZoeterwoude é\n".encode("latin-1"), name="v.csv", columns=["gemeente"]))
