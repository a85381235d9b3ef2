"""Exports of list endpoints: CSV streamed in constant memory, XLSX written by openpyxl in write-only mode.

Columns are declared once per endpoint (:class:`Column`): a stable header, an ORM lookup and a kind that
fixes the machine format (amounts with a decimal point and two decimals, ISO 8601 dates, no thousands
separators). On PostgreSQL the CSV lines are produced by the database itself over a server-side cursor,
which keeps the export close to ``COPY`` speed; elsewhere (SQLite, the embedded default) a
``values_list().iterator()`` loop into ``csv.writer`` produces the same bytes.
"""

from __future__ import annotations

import csv
import io
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import QuerySet
from django.http import FileResponse, StreamingHttpResponse
from rest_framework import renderers

TEXT, MONEY, DECIMAL, INTEGER, DATE, DATETIME, BOOLEAN = (
    "text",
    "money",
    "decimal",
    "integer",
    "date",
    "datetime",
    "boolean",
)
CHUNK_ROWS = 5000


@dataclass(frozen=True)
class Column:
    """One export column: ``name`` is the stable header, ``source`` an ORM lookup for ``values_list``."""

    name: str
    source: str
    kind: str = TEXT


def format_value(value, kind: str) -> str:
    """The machine format of one value, identical to what the PostgreSQL path produces."""
    if value is None:
        return ""
    if kind == MONEY:
        return f"{Decimal(value):.2f}"
    if kind == BOOLEAN:
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _sql_expression(column_ref: str, kind: str) -> str:
    """A PostgreSQL expression rendering one column exactly like :func:`format_value` + csv.writer."""
    if kind == MONEY:
        text = f"round({column_ref}, 2)::text"
    elif kind == BOOLEAN:
        return f"(CASE WHEN {column_ref} THEN 'true' WHEN NOT {column_ref} THEN 'false' ELSE '' END)"
    elif kind == DATETIME:
        text = f"(to_json({column_ref}) #>> '{{}}')"
    elif kind == TEXT:
        text = f"{column_ref}::text"
        return (
            f"(CASE WHEN {text} IS NULL THEN '' WHEN {text} ~ '[\",\\r\\n]' "
            f"THEN '\"' || replace({text}, '\"', '\"\"') || '\"' ELSE {text} END)"
        )
    else:
        text = f"{column_ref}::text"
    return f"coalesce({text}, '')"


def _csv_line(values: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def iter_csv(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[str]:
    """Yield the CSV text of every row of ``queryset`` in chunks, header first."""
    yield _csv_line([c.name for c in columns])
    connection = connections[queryset.db]
    if connection.vendor == "postgresql":
        yield from _iter_csv_postgresql(queryset, columns)
        return
    kinds = [c.kind for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    rows = queryset.values_list(*[c.source for c in columns]).iterator(chunk_size=CHUNK_ROWS)
    for count, row in enumerate(rows, start=1):
        writer.writerow([format_value(v, k) for v, k in zip(row, kinds, strict=True)])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _iter_csv_postgresql(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[str]:
    try:
        inner_sql, params = queryset.values_list(*[c.source for c in columns]).query.sql_with_params()
    except EmptyResultSet:
        return  # a filter that can match nothing (e.g. an impossible value): the header alone
    aliases = [f"c{i}" for i in range(len(columns))]
    line = " || ',' || ".join(_sql_expression(a, c.kind) for a, c in zip(aliases, columns, strict=True))
    sql = f"SELECT {line} FROM ({inner_sql}) AS export_rows({', '.join(aliases)})"  # noqa: S608 - built from code
    connection = connections[queryset.db]
    connection.ensure_connection()
    cursor = connection.chunked_cursor()
    try:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK_ROWS):
            yield "\n".join(r[0] for r in rows) + "\n"
    finally:
        cursor.close()


def csv_response(queryset: QuerySet, columns: Sequence[Column], filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(iter_csv(queryset, columns), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if kind in (MONEY, DECIMAL):
        return Decimal(value)
    if isinstance(value, datetime):
        return value.replace(tzinfo=None) if value.tzinfo else value
    return value


def write_xlsx(rows: Iterable[Sequence], columns: Sequence[Column], *, title: str = "export"):
    """Write rows to a temporary XLSX file in write-only mode and return the open file, at position 0."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    header = []
    for column in columns:
        cell = WriteOnlyCell(sheet, value=column.name)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    kinds = [c.kind for c in columns]
    money_format = {i for i, k in enumerate(kinds) if k == MONEY}
    date_format = {i for i, k in enumerate(kinds) if k == DATE}
    for row in rows:
        cells = []
        for i, (value, kind) in enumerate(zip(row, kinds, strict=True)):
            if i in money_format or i in date_format:
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value, kind))
                cell.number_format = "0.00" if i in money_format else "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(_xlsx_value(value, kind))
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(output)
    output.seek(0)
    return output


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(queryset: QuerySet, columns: Sequence[Column], filename: str) -> FileResponse:
    rows = queryset.values_list(*[c.source for c in columns]).iterator(chunk_size=CHUNK_ROWS)
    output = write_xlsx(rows, columns, title=filename)
    return FileResponse(
        output, as_attachment=True, filename=f"{filename}.xlsx", content_type=XLSX_CONTENT_TYPE
    )


# --- DRF renderers --------------------------------------------------------------------------------
# List endpoints bypass these (see ExportListMixin) and stream; the renderers make ``?format=csv`` and
# ``?format=xlsx`` acceptable to DRF's content negotiation and render any other response generically.


def _records(data) -> list[dict]:
    if isinstance(data, dict) and "results" in data and isinstance(data["results"], list):
        data = data["results"]
    if isinstance(data, dict):
        data = [data]
    return [r if isinstance(r, dict) else {"value": r} for r in (data or [])]


class CSVRenderer(renderers.BaseRenderer):
    media_type = "text/csv"
    format = "csv"
    charset = "utf-8"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        records = _records(data)
        names = list(dict.fromkeys(k for r in records for k in r))
        buffer = io.StringIO()
        writer = csv.writer(buffer, lineterminator="\n")
        writer.writerow(names)
        for record in records:
            writer.writerow(["" if record.get(n) is None else record.get(n) for n in names])
        return buffer.getvalue().encode("utf-8")


class XLSXRenderer(renderers.BaseRenderer):
    media_type = XLSX_CONTENT_TYPE
    format = "xlsx"
    charset = None
    render_style = "binary"

    def render(self, data, accepted_media_type=None, renderer_context=None):
        records = _records(data)
        names = list(dict.fromkeys(k for r in records for k in r))
        columns = [Column(n, n) for n in names]
        rows = ([_plain(r.get(n)) for n in names] for r in records)
        with write_xlsx(rows, columns) as output:
            return output.read()


def _plain(value):
    if isinstance(value, dict | list):
        return str(value)
    return value
