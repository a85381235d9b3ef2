"""The export engine of list endpoints: CSV streamed in constant memory, XLSX written by openpyxl in
write-only mode.

Columns are declared once per endpoint (:class:`Column`): a stable header, an ORM lookup and a kind that
fixes the machine format (amounts with a decimal point and two decimals, ISO 8601 dates, no thousands
separators). On PostgreSQL the CSV is written by the database itself: ``COPY (the export query) TO
STDOUT WITH CSV``, streamed through a small bounded queue (:func:`iter_copy_csv`). Elsewhere (SQLite, the
embedded default) and for rows computed in Python, a ``csv.writer`` loop produces the same bytes
(:func:`iter_rows_csv`).
"""

from __future__ import annotations

import csv
import io
import queue
import re
import tempfile
import threading
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


# Characters XLSX cannot hold (openpyxl's ILLEGAL_CHARACTERS_RE: C0 controls but tab, LF and CR).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# Text a spreadsheet would run as a formula (OWASP "CSV injection"): it gets a leading apostrophe.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_text(value: str) -> str:
    """User text as every export writes it: characters XLSX cannot hold removed, and text a
    spreadsheet would take for a formula (``=``, ``+``, ``-``, ``@``, tab, CR first) neutralised with a
    leading ``'``. Numbers and dates are typed values and are not touched."""
    value = _ILLEGAL.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def safe_row(values: Iterable) -> list:
    """``safe_text`` on every text of a row (for writers outside the column engine)."""
    return [safe_text(v) if isinstance(v, str) else v for v in values]


def format_value(value, kind: str) -> str:
    """The machine format of one value, identical to what the PostgreSQL path produces."""
    if value is None:
        return ""
    if isinstance(value, str):
        return safe_text(value)
    if kind == MONEY:
        return f"{Decimal(value):.2f}"
    if kind == BOOLEAN:
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)


def _csv_line(values: Sequence[str]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(values)
    return buffer.getvalue()


def iter_rows_csv(rows: Iterable[Sequence], columns: Sequence[Column]) -> Iterator[str]:
    """Yield the CSV text of ``rows`` (Python values, one per column) in chunks, header first."""
    yield _csv_line([c.name for c in columns])
    kinds = [c.kind for c in columns]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    for count, row in enumerate(rows, start=1):
        writer.writerow([format_value(v, k) for v, k in zip(row, kinds, strict=True)])
        if count % CHUNK_ROWS == 0:
            yield buffer.getvalue()
            buffer.seek(0)
            buffer.truncate()
    if buffer.tell():
        yield buffer.getvalue()


def _rows(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[tuple]:
    return queryset.values_list(*[c.source for c in columns]).iterator(chunk_size=CHUNK_ROWS)


def _is_postgresql(queryset: QuerySet) -> bool:
    return connections[queryset.db].vendor == "postgresql"


def iter_csv(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[str]:
    """Yield the CSV text of every row of ``queryset`` in chunks, header first (COPY on PostgreSQL)."""
    if _is_postgresql(queryset):
        for chunk in iter_copy_csv(queryset, columns):
            yield chunk.decode()  # COPY hands over whole rows, so a chunk never splits a character
        return
    yield from iter_rows_csv(_rows(queryset, columns), columns)


def _csv_streaming_response(content: Iterable, filename: str) -> StreamingHttpResponse:
    response = StreamingHttpResponse(content, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}.csv"'
    return response


def csv_response(queryset: QuerySet, columns: Sequence[Column], filename: str) -> StreamingHttpResponse:
    """The streamed CSV export of ``queryset``: PostgreSQL's own COPY output, or csv.writer elsewhere."""
    if _is_postgresql(queryset):
        return _csv_streaming_response(iter_copy_csv(queryset, columns), filename)
    return _csv_streaming_response(iter_rows_csv(_rows(queryset, columns), columns), filename)


def rows_csv_response(
    rows: Iterable[Sequence], columns: Sequence[Column], filename: str
) -> StreamingHttpResponse:
    """The CSV export of rows computed in Python (a report rather than a queryset)."""
    return _csv_streaming_response(iter_rows_csv(rows, columns), filename)


# --- CSV straight from PostgreSQL's COPY -----------------------------------------------------------

COPY_CHUNK_BYTES = 256 * 1024
COPY_QUEUE_CHUNKS = 8  # at most this many chunks wait between the database and the client


def _copy_expression(column_ref: str, kind: str) -> str:
    """A column as COPY must write it to match :func:`format_value` + csv.writer. COPY already writes
    ISO dates and numerics with their scale; NULL is written bare (as csv.writer writes ``""``), so
    empty text becomes NULL rather than a quoted ``""``; booleans and timestamps are spelled out."""
    if kind == MONEY:
        return f"round({column_ref}, 2)"
    if kind == TEXT:
        return _copy_safe_text(column_ref)
    if kind == BOOLEAN:
        return f"(CASE WHEN {column_ref} THEN 'true' WHEN NOT {column_ref} THEN 'false' END)"
    if kind == DATETIME:
        return f"(to_json({column_ref}) #>> '{{}}')"
    return column_ref


def _copy_safe_text(column_ref: str) -> str:
    """:func:`safe_text` in SQL, for text columns only (a number in a text column stays as it is)."""
    cleaned = f"regexp_replace({column_ref}::text, E'[\\x01-\\x08\\x0b\\x0c\\x0e-\\x1f]', '', 'g')"
    starts = "('=', '+', '-', '@', chr(9), chr(13))"
    is_text = (
        f"pg_typeof({column_ref}) IN ('text'::regtype, 'character varying'::regtype, 'character'::regtype)"
    )
    apostrophe = "''''"  # one ' as an SQL literal
    safe = f"(CASE WHEN left({cleaned}, 1) IN {starts} THEN {apostrophe} || {cleaned} ELSE {cleaned} END)"
    return f"nullif(CASE WHEN {is_text} THEN {safe} ELSE {column_ref}::text END, '')"


def copy_sql(queryset: QuerySet, columns: Sequence[Column]) -> str | None:
    """``COPY (the export query) TO STDOUT WITH CSV``, or ``None`` when the query can match nothing."""
    try:
        inner_sql, params = queryset.values_list(*[c.source for c in columns]).query.sql_with_params()
    except EmptyResultSet:
        return None  # a filter that can match nothing (e.g. an impossible value): the header alone
    connection = connections[queryset.db]
    connection.ensure_connection()
    with connection.connection.cursor() as cursor:
        inner = cursor.mogrify(inner_sql, params).decode()
    aliases = [f"c{i}" for i in range(len(columns))]
    select = ", ".join(_copy_expression(a, c.kind) for a, c in zip(aliases, columns, strict=True))
    return (
        f"COPY (SELECT {select} FROM ({inner}) AS export_rows({', '.join(aliases)})) "  # noqa: S608
        "TO STDOUT WITH (FORMAT csv)"
    )


class _ChunkWriter:
    """The file COPY writes into: gathers rows into chunks of about 256 kB and hands them over. Once the
    client has gone (``stop``), what still arrives is dropped."""

    def __init__(self, chunks: queue.Queue, stop: threading.Event):
        self.chunks, self.stop = chunks, stop
        self.parts: list = []
        self.size = 0

    def write(self, data) -> None:
        if self.stop.is_set():
            return
        self.parts.append(data)
        self.size += len(data)
        if self.size >= COPY_CHUNK_BYTES:
            self.flush()

    def flush(self) -> None:
        if not self.parts:
            return
        chunk = b"".join(p if isinstance(p, bytes) else p.encode() for p in self.parts)
        self.parts, self.size = [], 0
        _hand_over(self.chunks, chunk, self.stop)


def _hand_over(chunks: queue.Queue, item, stop: threading.Event) -> None:
    while not stop.is_set():
        try:
            chunks.put(item, timeout=0.2)
            return
        except queue.Full:
            continue


def iter_copy_csv(queryset: QuerySet, columns: Sequence[Column]) -> Iterator[bytes]:
    """The CSV export of ``queryset``: the header, then PostgreSQL's own ``COPY ... TO STDOUT`` output.

    COPY runs in a helper thread on the request's connection (the request thread does not touch it
    meanwhile) and hands chunks over a small bounded queue, so memory stays flat whatever the size.
    When the client goes away the generator is closed: the query is cancelled (inside a transaction,
    in a savepoint that is rolled back), and the connection stays usable.
    """
    from psycopg2.extensions import QueryCanceledError

    yield _csv_line([c.name for c in columns]).encode()
    sql = copy_sql(queryset, columns)
    if sql is None:
        return
    connection = connections[queryset.db]
    raw = connection.connection
    in_transaction = connection.in_atomic_block
    chunks: queue.Queue = queue.Queue(maxsize=COPY_QUEUE_CHUNKS)
    stop = threading.Event()
    # ``copying`` changes under ``state``; a cancel is sent under it too, so it can only reach COPY,
    # never a statement after it (a cancel that arrives while the backend is idle is ignored).
    state = threading.Lock()
    copying = [False]
    done = object()
    failure: list[BaseException] = []

    def copy(cursor) -> None:
        with state:
            if stop.is_set():
                return
            copying[0] = True
        try:
            writer = _ChunkWriter(chunks, stop)
            cursor.copy_expert(sql, writer)
            writer.flush()
        finally:
            with state:
                copying[0] = False

    def produce():
        try:
            with raw.cursor() as cursor:
                if not in_transaction:
                    copy(cursor)
                    return
                cursor.execute("SAVEPOINT csv_export")
                try:
                    copy(cursor)
                except BaseException:
                    cursor.execute("ROLLBACK TO SAVEPOINT csv_export")
                    raise
                finally:
                    cursor.execute("RELEASE SAVEPOINT csv_export")
        except QueryCanceledError:
            if not stop.is_set():
                failure.append(RuntimeError("the CSV export was cancelled"))
        except BaseException as exc:  # handed to the request thread, which raises it
            failure.append(exc)
        finally:
            _hand_over(chunks, done, stop)

    producer = threading.Thread(target=produce, name="csv-copy", daemon=True)
    producer.start()
    try:
        while (chunk := chunks.get()) is not done:
            yield chunk
    finally:
        with state:
            stop.set()
            if copying[0]:
                raw.cancel()
        producer.join()
    if failure:
        raise failure[0]


def _xlsx_value(value, kind: str):
    if value is None:
        return None
    if isinstance(value, str):
        return safe_text(value)
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
            value = _xlsx_value(value, kind)
            if isinstance(value, str):
                # User text is a string cell, never a formula, whatever it begins with.
                cell = WriteOnlyCell(sheet, value=value)
                cell.data_type = "s"
                cells.append(cell)
            elif i in money_format or i in date_format:
                cell = WriteOnlyCell(sheet, value=value)
                cell.number_format = "0.00" if i in money_format else "yyyy-mm-dd"
                cells.append(cell)
            else:
                cells.append(value)
        sheet.append(cells)
    output = tempfile.TemporaryFile()  # noqa: SIM115 - handed to FileResponse, which closes it
    workbook.save(output)
    output.seek(0)
    return output


XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_response(queryset: QuerySet, columns: Sequence[Column], filename: str) -> FileResponse:
    return rows_xlsx_response(_rows(queryset, columns), columns, filename)


def rows_xlsx_response(rows: Iterable[Sequence], columns: Sequence[Column], filename: str) -> FileResponse:
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
            writer.writerow(safe_row("" if record.get(n) is None else record.get(n) for n in names))
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
