"""The shared CSV checks: what passes the dry run can be written; everything else names its row."""

import pytest

from core.csvinput import CsvProblems, read_csv
from transition.models import SupplierContract

COLUMNS = ("naam", "bedrag")
AMOUNT = SupplierContract._meta.get_field("annual_value")  # max_digits=14, decimal_places=2
NAME = SupplierContract._meta.get_field("supplier")  # max_length=150


def problems(data: bytes) -> list[str]:
    found = []
    try:
        for row in read_csv(data, name="f.csv", columns=COLUMNS):
            row.text("naam", field=NAME)
            row.decimal("bedrag", field=AMOUNT)
            found += [str(p) for p in row.problems]
    except CsvProblems as exc:
        found += [str(p) for p in exc.problems]
    return found


def test_a_file_with_only_a_header_is_refused_as_without_data_rows():
    assert problems(b"naam;bedrag\n") == ["f.csv:1: -: geen gegevensregels"]
    assert problems(b"naam;bedrag\n;\n\n") == ["f.csv:1: -: geen gegevensregels"]


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("1" * 30, "heeft meer dan 12 cijfers voor de komma"),
        ("1000000000000", "heeft meer dan 12 cijfers voor de komma"),
        ("12,345", "heeft meer dan 2 decimalen"),
        ("١٢", "is geen getal"),
        ("１２", "is geen getal"),
    ],
)
def test_numbers_beyond_the_model_field_or_in_other_digits_are_refused_with_the_row(value, reason):
    found = problems(f"naam;bedrag\nA;{value}\n".encode())
    assert len(found) == 1
    assert found[0].startswith("f.csv:2: bedrag: ")
    assert reason in found[0]


def test_text_longer_than_the_field_or_with_a_control_character_is_refused():
    assert problems(f"naam;bedrag\n{'x' * 151};1\n".encode()) == ["f.csv:2: naam: is langer dan 150 tekens"]
    assert problems(b"naam;bedrag\nA\x00B;1\n") == [
        "f.csv:2: naam: bevat een stuurteken (U+0000) op positie 2"
    ]
    assert problems(b"naam;bedrag\nA\x0bB;1\n") == [
        "f.csv:2: naam: bevat een stuurteken (U+000B) op positie 2"
    ]


def test_a_field_larger_than_the_reader_takes_is_a_message_with_its_row():
    found = problems(b"naam;bedrag\nA;1\n" + b"B" * 200_000 + b";1\n")
    assert len(found) == 1
    assert found[0].startswith("f.csv:3: -: een veld is groter dan")


def test_a_quote_left_open_is_reported_where_it_opens():
    found = problems(b'naam;bedrag\nA;1\n"B;2\nC;3\nD;4\n')
    assert len(found) == 1
    assert found[0].startswith("f.csv:3: naam: een aanhalingsteken")
    assert problems(b'naam;bedrag\nO"Brien;1\n"a""b";2\n') == []


def test_a_date_outside_the_years_the_portal_accepts_is_refused():
    from core.csvinput import CsvRow

    row = CsvRow(file="f.csv", number=2, values={"d": "0001-01-01"})
    assert row.date("d") is None
    assert "het jaar ligt niet tussen 1900 en 2100" in str(row.problems[0])
    assert CsvRow(file="f.csv", number=2, values={"d": "16-06-1987"}).date("d") is not None
