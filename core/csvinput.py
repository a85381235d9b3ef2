"""Reading the CSV files people upload, the way DESIGN.md fixes it.

UTF-8 with or without BOM; ``;`` or ``,`` delimiter, detected from the header line; headers matched
case-insensitively with surrounding spaces ignored; decimals ``0,8`` or ``0.8``; dates ``31-12-2022``
or ``2022-12-31``. Every problem is reported as ``file:row: column: reason`` (the header is row 1), and
callers collect all problems before writing anything.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import BinaryIO

from django.utils.translation import gettext as _

_ISO_DATE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$")
_NL_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})$")
_DECIMAL = re.compile(r"^[+-]?(\d+([.,]\d+)?|[.,]\d+)$")


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

    def text(self, column: str, *, required: bool = True, max_length: int | None = None) -> str:
        value = self.values.get(column, "").strip()
        if required and not value:
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
    ) -> Decimal | None:
        raw = self.values.get(column, "").strip()
        if not raw:
            if required:
                self.problem(column, _("is leeg"))
            return None
        value = parse_decimal(raw)
        if value is None:
            self.problem(column, _("'%(value)s' is geen getal (gebruik 0,8 of 0.8)") % {"value": raw})
            return None
        if places is not None and value != value.quantize(Decimal(1).scaleb(-places)):
            self.problem(
                column,
                _("'%(value)s' heeft meer dan %(places)s decimalen") % {"value": raw, "places": places},
            )
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
        if not re.fullmatch(r"[+-]?\d+", raw):
            self.problem(column, _("'%(value)s' is geen geheel getal") % {"value": raw})
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


def parse_decimal(raw: str) -> Decimal | None:
    """``0,8`` and ``0.8`` alike; no thousands separators (they are ambiguous between the two)."""
    text = raw.strip()
    if not _DECIMAL.match(text):
        return None
    try:
        return Decimal(text.replace(",", "."))
    except InvalidOperation:
        return None


def parse_date(raw: str) -> date:
    text = raw.strip()
    if match := _ISO_DATE.match(text):
        year, month, day = int(match[1]), int(match[2]), int(match[3])
    elif match := _NL_DATE.match(text):
        day, month, year = int(match[1]), int(match[2]), int(match[3])
    else:
        raise ValueError(_("'%(value)s' is geen datum (gebruik 31-12-2022 of 2022-12-31)") % {"value": raw})
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


def read_csv(
    source: bytes | str | Path | BinaryIO, *, name: str | None = None, columns: Iterable[str]
) -> Iterator[CsvRow]:
    """Yield the data rows of a CSV file with normalised headers.

    ``source`` is the file's bytes, a path, or a binary file object (an upload, a stored file), which is
    read incrementally rather than whole. Raises :class:`CsvProblems` at once when the file cannot be
    read or lacks required columns; per-row problems are collected on each row by the typed accessors.
    """
    if hasattr(source, "read"):
        yield from _read_stream(
            source, name=name or getattr(source, "name", None) or "upload.csv", columns=columns
        )
        return
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
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_detect_delimiter(first_line))
    yield from _rows(reader, file=file, columns=columns)


def _read_stream(stream: BinaryIO, *, name: str, columns: Iterable[str]) -> Iterator[CsvRow]:
    """The rows of a binary file object, decoded as it is read (UTF-8, a BOM skipped)."""
    file = str(name).rsplit("/", 1)[-1]
    text = io.TextIOWrapper(stream, encoding="utf-8-sig", newline="")  # type: ignore[arg-type]
    try:
        first_line = text.readline()
        while first_line and not first_line.strip():
            first_line = text.readline()
        if not first_line.strip():
            raise CsvProblems([Problem(file, 1, "-", _("het bestand is leeg"))])
        lines = itertools.chain([first_line], text)
        reader = csv.reader(lines, delimiter=_detect_delimiter(first_line))
        yield from _rows(reader, file=file, columns=columns)
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
    finally:
        text.detach()


def _rows(reader, *, file: str, columns: Iterable[str]) -> Iterator[CsvRow]:
    columns = list(columns)
    header = [normalise_header(h) for h in next(reader)]
    missing = [c for c in columns if c not in header]
    duplicated = sorted({h for h in header if h and header.count(h) > 1})
    problems = [Problem(file, 1, c, _("kolom ontbreekt")) for c in missing]
    problems += [Problem(file, 1, c, _("kolom staat er meer dan eens in")) for c in duplicated]
    if problems:
        raise CsvProblems(problems)
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        row = CsvRow(file=file, number=number, values={})
        if len(cells) > len(header):
            row.problem(
                "-", _("rij heeft %(n)s velden, de kopregel %(m)s") % {"n": len(cells), "m": len(header)}
            )
        row.values = {h: (cells[i] if i < len(cells) else "") for i, h in enumerate(header) if h}
        yield row
