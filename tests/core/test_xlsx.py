"""The XLSX writer: cells as numbers, dates and text, streamed, and the same from COPY's text."""

import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from core import exports
from core.exports import DATE, DECIMAL, INTEGER, MONEY, TEXT, Column, write_xlsx_rows

COLUMNS = [
    Column("nummer", "number"),
    Column("jaar", "year", INTEGER),
    Column("datum", "issue_date", DATE),
    Column("aantal", "vat_total", DECIMAL),
    Column("bedrag", "net_total", MONEY),
]


def _sheet(chunks) -> list[list]:
    sheet = load_workbook(io.BytesIO(b"".join(chunks))).active
    return [[c.value for c in row] for row in sheet.iter_rows()]


def test_cells_keep_their_kind_and_text_is_escaped():
    rows = [("A&B <1>", 2024, date(2024, 1, 2), Decimal("12.5000"), Decimal("1234.50")), (None,) * 5]
    sheet = load_workbook(io.BytesIO(b"".join(write_xlsx_rows(rows, COLUMNS, title="facturen")))).active
    assert [c.value for c in sheet[1]] == ["nummer", "jaar", "datum", "aantal", "bedrag"]
    assert sheet["A2"].value == "A&B <1>"
    assert sheet["B2"].value == 2024
    assert sheet["C2"].value.date() == date(2024, 1, 2)
    assert sheet["C2"].number_format == "yyyy-mm-dd"
    assert sheet["E2"].value == 1234.5
    assert sheet["E2"].number_format == "0.00"
    assert [c.value for c in sheet[3]] == [None] * 5
    assert sheet.title == "facturen"


def test_characters_xml_cannot_hold_are_dropped_not_fatal():
    rows = [("a\x01b\x0bc", 1, None, None, None)]
    assert _sheet(write_xlsx_rows(rows, COLUMNS))[1][0] == "abc"


def test_every_cell_passes_the_cell_value_hook(monkeypatch):
    seen = []
    original = exports.cell_value

    def spy(value, kind):
        seen.append(kind)
        return original(value, kind)

    monkeypatch.setattr(exports, "cell_value", spy)
    list(write_xlsx_rows([("x", 1, date(2024, 1, 1), Decimal(1), Decimal(2))] * 3, COLUMNS))
    list(write_xlsx_rows([["x", "1", "2024-01-01", "1.0000", "2.00"]] * 2, COLUMNS, as_text=True))
    assert seen.count(TEXT) == 5
    assert len(seen) == 25


def test_the_workbook_streams_in_several_chunks():
    rows = ((f"regel {n}", n, date(2024, 1, 1), Decimal(n), Decimal(n)) for n in range(20000))
    chunks = list(write_xlsx_rows(rows, COLUMNS))
    assert len(chunks) > 2
    assert len(_sheet(chunks)) == 20001


@pytest.mark.django_db
def test_copy_text_rows_give_the_same_workbook_as_python_values(municipality):
    from billing.models import Invoice
    from tests.billing.tenancy_api import issued_invoice

    issued_invoice(municipality, number="2024-00042")
    queryset = Invoice.objects.order_by("pk")
    from_copy = _sheet(write_xlsx_rows(exports._copy_rows(queryset, COLUMNS), COLUMNS, as_text=True))
    from_values = _sheet(write_xlsx_rows(exports._rows(queryset, COLUMNS), COLUMNS))
    assert from_copy == from_values
    assert from_copy[1][0] == "2024-00042"
