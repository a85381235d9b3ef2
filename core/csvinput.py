"""Reading the CSV files people upload, the way DESIGN.md fixes it.

UTF-8 with or without BOM; ``;`` or ``,`` delimiter, detected from the header line; headers matched
case-insensitively with surrounding spaces ignored; decimals ``0,8`` or ``0.8`` (the rule in ``core.numbers``); dates ``31-12-2022``
or ``2022-12-31``. Every problem is reported as ``file:row: column: reason`` (the header is row 1), and
callers collect all problems before writing anything.

The checks here are the database's own limits, so a file that passes a dry run cannot fail when it is
written: a text no longer than its model field's ``max_length`` and without control characters, a number
of ASCII digits 0-9 within its field's ``max_digits``/``decimal_places``, a date within the years the
portal accepts (``core.years``). A file without data rows, a field the CSV reader cannot read (larger than
its limit) and a quote left open are refused with the row where they occur.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO

from django.db import models
from django.utils.translation import gettext as _

from .numbers import is_ambiguous_in_csv, parse_csv_decimal
from .validators import control_character_message, first_control_character
from .years import MAX_YEAR, MIN_DATE_YEAR, is_valid_date_year

# Only the ASCII digits 0-9: ``\d`` would also take Arabic-Indic or full-width digits.
_ISO_DATE = re.compile(r"^([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})$")
_NL_DATE = re.compile(r"^([0-9]{1,2})-([0-9]{1,2})-([0-9]{4})$")
_DECIMAL = re.compile(r"^[+-]?([0-9]+([.,][0-9]+)?|[.,][0-9]+)$")
_INTEGER = re.compile(r"^[+-]?[0-9]+$")
# Without a model field to say otherwise: at most this many digits (Decimal's context holds 28).
DEFAULT_MAX_DIGITS = 20
MAX_INTEGER_DIGITS = 18


@dataclass(frozen=True)
class Problem:
    file: str
    row: int
    column: str
    reason: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}: {self.column}: {self.reason}"


class CsvProblems(Exception):
    """Raised with every problem found; nothing may have been written."""

    def __init__(self, problems: Iterable[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


@dataclass
class CsvRow:
    file: str
    number: int
    values: dict[str, str]
    problems: list[Problem] = field(default_factory=list)

    def problem(self, column: str, reason: str) -> None:
        self.problems.append(Problem(self.file, self.number, column, reason))

    def text(
        self,
        column: str,
        *,
        required: bool = True,
        max_length: int | None = None,
        field: models.Field | None = None,
    ) -> str:
        """The stripped text of ``column``; ``field`` (a model field) gives the ``max_length``."""
        value = self.values.get(column, "").strip()
        if field is not None and max_length is None:
            max_length = field.max_length
        found = first_control_character(value)
        if found:
            self.problem(column, control_character_message(*found))
        elif required and not value:
            self.problem(column, _("is leeg"))
        elif max_length is not None and len(value) > max_length:
            self.problem(column, _("is langer dan %(max)s tekens") % {"max": max_length})
        return value

    def decimal(
        self,
        column: str,
        *,
        places: int | None = None,
        minimum: Decimal | None = None,
        maximum: Decimal | None = None,
        exclusive_minimum: bool = False,
        required: bool = True,
        max_digits: int | None = None,
        field: models.Field | None = None,
    ) -> Decimal | None:
        """A decimal of ``column``; ``field`` (a model DecimalField) gives ``max_digits`` and ``places``,
        so a value the database cannot hold is refused here, not when it is written."""
        if field is not None:
            places = field.decimal_places if places is None else places
            max_digits = field.max_digits if max_digits is None else max_digits
        raw = self.values.get(column, "").strip()
        if not raw:
            if required:
                self.problem(column, _("is leeg"))
            return None
        shown = _shown(raw)
        if is_ambiguous_in_csv(raw):
            self.problem(
                column,
                _("'%(value)s' is niet eenduidig (duizendtal of decimaalpunt?); schrijf %(a)s of %(b)s")
                % {"value": shown, "a": raw.replace(".", ""), "b": raw.replace(".", ",")},
            )
            return None
        if "." in raw and "," in raw:
            # Dutch grouping (1.234,56): checked by the one CSV number reader, then counted as 1234,56.
            grouped = parse_csv_decimal(raw)
            if grouped is None:
                self.problem(column, _("'%(value)s' is geen getal (gebruik 0,8 of 0.8)") % {"value": shown})
                return None
            raw = str(grouped).replace(".", ",")
        if not _DECIMAL.match(raw):
            self.problem(column, _("'%(value)s' is geen getal (gebruik 0,8 of 0.8)") % {"value": shown})
            return None
        whole, _sep, fraction = raw.lstrip("+-").replace(",", ".").partition(".")
        fraction = fraction.rstrip("0")
        if places is not None and len(fraction) > places:
            self.problem(
                column,
                _("'%(value)s' heeft meer dan %(places)s decimalen") % {"value": shown, "places": places},
            )
            return None
        whole_digits = len(whole.lstrip("0"))
        allowed = (max_digits or DEFAULT_MAX_DIGITS) - (places or 0)
        if whole_digits > allowed:
            self.problem(
                column,
                _("'%(value)s' heeft meer dan %(digits)s cijfers voor de komma")
                % {"value": shown, "digits": allowed},
            )
            return None
        value = parse_decimal(raw)
        if value is None:  # pragma: no cover - the checks above leave only valid decimals
            self.problem(column, _("'%(value)s' is geen getal (gebruik 0,8 of 0.8)") % {"value": shown})
            return None
        if minimum is not None and (value <= minimum if exclusive_minimum else value < minimum):
            message = (
                _("'%(value)s' moet groter zijn dan %(min)s")
                if exclusive_minimum
                else _("'%(value)s' moet minstens %(min)s zijn")
            )
            self.problem(column, message % {"value": raw, "min": minimum})
            return None
        if maximum is not None and value > maximum:
            self.problem(column, _("'%(value)s' mag hoogstens %(max)s zijn") % {"value": raw, "max": maximum})
            return None
        return value

    def integer(self, column: str, *, minimum: int | None = None, maximum: int | None = None) -> int | None:
        raw = self.values.get(column, "").strip()
        if not raw:
            self.problem(column, _("is leeg"))
            return None
        if not _INTEGER.match(raw) or len(raw.lstrip("+-").lstrip("0")) > MAX_INTEGER_DIGITS:
            self.problem(column, _("'%(value)s' is geen geheel getal") % {"value": _shown(raw)})
            return None
        value = int(raw)
        if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
            self.problem(
                column,
                _("'%(value)s' ligt niet tussen %(min)s en %(max)s")
                % {"value": raw, "min": minimum, "max": maximum},
            )
            return None
        return value

    def date(self, column: str, *, required: bool = True) -> date | None:
        raw = self.values.get(column, "").strip()
        if not raw:
            if required:
                self.problem(column, _("is leeg"))
            return None
        try:
            return parse_date(raw)
        except ValueError as exc:
            self.problem(column, str(exc))
            return None


def _shown(raw: str, limit: int = 40) -> str:
    """A value as a problem quotes it: control characters spelled out, a long value cut short."""
    text = "".join(c if c.isprintable() else f"\\u{ord(c):04x}" for c in raw)
    return text if len(text) <= limit else text[:limit] + "…"


def parse_decimal(raw: str) -> Decimal | None:
    """``0,8`` and ``0.8`` alike, ``1.234,56`` with thousands dots; ``1.500`` (both readings fit) is
    refused. The rule is ``core.numbers.parse_csv_decimal``'s; None when the text is no number."""
    return parse_csv_decimal(raw)


def parse_date(raw: str) -> date:
    text = raw.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NL_DATE.match(text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    else:
        raise ValueError(
            _("'%(value)s' is geen datum (gebruik 31-12-2022 of 2022-12-31)") % {"value": _shown(raw)}
        )
    if not is_valid_date_year(year):
        raise ValueError(
            _("'%(value)s': het jaar ligt niet tussen %(min)s en %(max)s")
            % {"value": raw, "min": MIN_DATE_YEAR, "max": MAX_YEAR}
        )
    try:
        return date(year, month, day)
    except ValueError:
        raise ValueError(_("'%(value)s' is geen bestaande datum") % {"value": raw}) from None


def normalise_header(name: str) -> str:
    return name.strip().lower()


def _decode(data: bytes, file: str) -> str:
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise CsvProblems(
            [
                Problem(
                    file,
                    1,
                    "-",
                    _("het bestand is geen UTF-8 (byte %(byte)s is onleesbaar)") % {"byte": exc.start},
                )
            ]
        ) from None


def _detect_delimiter(header_line: str) -> str:
    return ";" if header_line.count(";") >= header_line.count(",") and ";" in header_line else ","


def _unclosed_quote(text: str, delimiter: str) -> tuple[int, int] | None:
    """``(record, field index)`` where a quoted field opens and never closes, or None.

    Follows the CSV reader's own rule (a quote opens a field only at its start; ``""`` inside is an
    escaped quote), so a quote inside an unquoted field (``O"Brien``) is not mistaken for one. Walks the
    quotes, delimiters and line breaks only, so a large file is scanned quickly.
    """
    record, field_index, field_start = 1, 0, 0
    position = 0
    tokens = re.compile('"|' + re.escape(delimiter) + r"|\r\n|\r|\n")
    while (match := tokens.search(text, position)) is not None:
        found, start = match.group(), match.start()
        position = match.end()
        if found == '"':
            if start != field_start:
                continue  # a quote inside an unquoted field is an ordinary character
            closing = start + 1
            while True:
                closing = text.find('"', closing)
                if closing == -1:
                    return record, field_index
                if text.startswith('""', closing):
                    closing += 2
                    continue
                break
            position = closing + 1
            field_start = -1  # the rest of this field is not its start
            continue
        if found == delimiter:
            field_index += 1
        else:
            record, field_index = record + 1, 0
        field_start = position
    return None


def read_csv(
    source: bytes | str | Path | BinaryIO, *, name: str | None = None, columns: Iterable[str]
) -> Iterator[CsvRow]:
    """Yield the data rows of a CSV file with normalised headers.

    Raises :class:`CsvProblems` at once when the file cannot be read, lacks required columns, has a
    quote left open or a field the reader cannot take; after the last row when there was no data row
    (``file:1: -: geen gegevensregels``). Per-row problems are collected on each row by the typed
    accessors.
    """
    if hasattr(source, "read"):
        name = name or getattr(source, "name", None) or "upload.csv"
        source = source.read()
    if isinstance(source, Path):
        file = name or source.name
        data = source.read_bytes()
    elif isinstance(source, str):
        file = name or Path(source).name
        data = Path(source).read_bytes()
    else:
        file = name or "upload.csv"
        data = source
    text = _decode(data, file)
    if not text.strip():
        raise CsvProblems([Problem(file, 1, "-", _("het bestand is leeg"))])
    first_line = text.splitlines()[0]
    delimiter = _detect_delimiter(first_line)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    try:
        header = [normalise_header(h) for h in next(reader)]
    except csv.Error as exc:
        raise CsvProblems([_unreadable(file, 1, exc)]) from None
    missing = [c for c in columns if c not in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    problems = [Problem(file, 1, c, _("kolom ontbreekt")) for c in missing]
    problems += [Problem(file, 1, c, _("kolom staat er meer dan eens in")) for c in duplicated]
    if problems:
        raise CsvProblems(problems)
    if opened := _unclosed_quote(text, delimiter):
        record, index = opened
        column = header[index] if index < len(header) and header[index] else "-"
        raise CsvProblems(
            [
                Problem(
                    file,
                    record,
                    column,
                    _(
                        'een aanhalingsteken (") wordt hier geopend en nergens gesloten; de rest van het '
                        "bestand zou in dit veld belanden"
                    ),
                )
            ]
        )
    data_rows = 0
    number = 1
    while True:
        number += 1
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            raise CsvProblems([_unreadable(file, number, exc)]) from None
        if not any(cell.strip() for cell in cells):
            continue
        data_rows += 1
        row = CsvRow(file=file, number=number, values={})
        if len(cells) > len(header):
            row.problem(
                "-", _("rij heeft %(n)s velden, de kopregel %(m)s") % {"n": len(cells), "m": len(header)}
            )
        row.values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        yield row
    if not data_rows:
        raise CsvProblems([Problem(file, 1, "-", _("geen gegevensregels"))])


def _unreadable(file: str, row: int, exc: csv.Error) -> Problem:
    reason = str(exc)
    if "field larger than field limit" in reason:
        return Problem(
            file,
            row,
            "-",
            _("een veld is groter dan %(limit)s tekens; dit is geen bestand van dit soort")
            % {"limit": csv.field_size_limit()},
        )
    return Problem(file, row, "-", _("de rij is geen leesbare CSV (%(error)s)") % {"error": reason})
