"""Benchmark: the invoice-lines CSV export over HTTP against PostgreSQL's own COPY of the same query,
and the XLSX export of the same rows.

    .venv/bin/python bench/export_csv.py --rows 10000 100000 1000000

For each size it fills a database of its own (``portal_bench`` unless ``--database`` says otherwise) with
exactly that many invoice lines, starts a real web process (gunicorn, one sync worker, on a free port),
and then measures

- **HTTP**: ``GET /api/v1/invoice-lines/?format=csv`` as Leiden's finance (token auth), read as a
  stream to the last byte;
- **COPY**: ``COPY (the same query) TO STDOUT WITH CSV`` run by ``psql`` into a pipe (no Python per row);
- **core loop** (for reference, in process, no HTTP): ``core.exports.iter_rows_csv`` over
  ``values_list().iterator()``, the csv.writer path the engine takes where there is no COPY;

printing rows/s of each (the best of three runs), the ratio HTTP/COPY (time) and the web worker's peak memory (VmHWM) next to its
memory before the export. Then **XLSX**: ``GET /api/v1/invoice-lines/?format=xlsx`` streamed to the last
byte in a fresh web process: rows/s and the worker's peak memory (``--formats csv`` skips it). A fresh web process per size keeps the peak figures apart. Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import SimpleNamespace

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/portal_bench"
LINES_PER_INVOICE = 100
ATTEMPTS = 3  # the machine is shared: the best of three runs of each


def _environment(database_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "REDIS_URL": "",
        "SECRET_KEY": "bench-secret-key-not-for-production",
        "DJANGO_DEBUG": "false",
        "DJANGO_SECURE": "false",
        "STATIC_MANIFEST": "false",
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1,localhost",
        "AXES_ENABLED": "false",
        "LOG_LEVEL": "WARNING",
    }


def ensure_database(database_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    url = database_url.rsplit("/", 1)
    name = url[1]
    connection = psycopg2.connect(f"{url[0]}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def setup_django(database_url: str) -> None:
    os.environ.update(_environment(database_url))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def base_data():
    """Leiden, one municipality, one service and Leiden's finance user with a token."""
    from datetime import date
    from decimal import Decimal

    from django.contrib.auth import get_user_model

    from services.models import Service, ServiceDomain
    from tenants.accounts import create_api_token
    from tenants.models import Organisation
    from tenants.roles import Role
    from tenants.services import add_membership

    leiden, _ = Organisation.objects.get_or_create(
        slug="leiden",
        defaults={
            "kind": Organisation.Kind.PROVIDER,
            "name": "Gemeente Leiden",
            "cbs_code": "0546",
            "iban": "NL91ABNA0417164300",
            "active_from": date(2023, 1, 1),
            "identifiers_are_examples": True,
        },
    )
    customer, _ = Organisation.objects.get_or_create(
        slug="leiderdorp",
        defaults={
            "kind": Organisation.Kind.MUNICIPALITY,
            "name": "Gemeente Leiderdorp",
            "cbs_code": "0547",
            "cost_centre": "KP-0547",
            "active_from": date(2023, 1, 1),
            "identifiers_are_examples": True,
        },
    )
    domain, _ = ServiceDomain.objects.get_or_create(code="ict", defaults={"name": "ICT"})
    service, _ = Service.objects.get_or_create(
        code="ICT-01",
        defaults={
            "name": 'Werkplek, met een "komma", in de naam',
            "domain": domain,
            "unit": "werkplek",
            "active_from": date(2023, 1, 1),
        },
    )
    user, created = get_user_model().objects.get_or_create(username="bench.finance")
    if created:
        add_membership(user=user, organisation=leiden, role=Role.PROVIDER_FINANCE)
    _token, key = create_api_token(user=user, name="bench", expires_days=1)
    return SimpleNamespace(customer=customer, service=service, user=user, token=key, price=Decimal("1234.56"))


def fill(rows: int, base) -> None:
    """Exactly ``rows`` invoice lines, ``LINES_PER_INVOICE`` per issued invoice, made inside PostgreSQL."""
    from datetime import date
    from decimal import Decimal

    from django.db import connection

    from billing.models import Invoice, InvoiceLine

    with connection.cursor() as cursor:
        cursor.execute("TRUNCATE billing_invoiceline, billing_invoice RESTART IDENTITY CASCADE")
    invoices = max(1, -(-rows // LINES_PER_INVOICE))
    Invoice.objects.bulk_create(
        [
            Invoice(
                number=f"2024-{i:06d}",
                kind=Invoice.Kind.INVOICE,
                purpose=Invoice.Purpose.CORRECTION,
                status=Invoice.Status.ISSUED,
                customer=base.customer,
                year=2024,
                period="2024-Q1",
                period_start=date(2024, 1, 1),
                period_end=date(2024, 3, 31),
                issue_date=date(2024, 1, 2),
                due_date=date(2024, 2, 1),
                net_total=Decimal("0.00"),
            )
            for i in range(1, invoices + 1)
        ],
        batch_size=5000,
    )
    # One template line made by the ORM, copied ``rows`` times by the database: every column the model
    # has, so the benchmark keeps working when the model grows.
    template = InvoiceLine.objects.bulk_create(
        [
            InvoiceLine(
                invoice=Invoice.objects.order_by("pk").first(),
                service=base.service,
                description="template",
                quantity=Decimal("12.5000"),
                unit_price=base.price,
                periods_per_year=4,
                net_amount=Decimal("3858.00"),
                vat_category="S",
                vat_rate=Decimal("21.00"),
            )
        ]
    )[0]
    columns = [f.column for f in InvoiceLine._meta.concrete_fields if not f.primary_key]
    first_invoice = Invoice.objects.order_by("pk").values_list("pk", flat=True).first()
    select = []
    for column in columns:
        if column == "invoice_id":
            select.append(f"{first_invoice} + (g - 1) / {LINES_PER_INVOICE}")
        elif column == "description":
            select.append("'Werkplek ' || g")
        else:
            select.append(f"t.{column}")
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO billing_invoiceline ({', '.join(columns)}) "  # noqa: S608 - built from the model
            f"SELECT {', '.join(select)} FROM generate_series(1, %s) AS g "
            "CROSS JOIN (SELECT * FROM billing_invoiceline WHERE id = %s) AS t",
            [rows, template.pk],
        )
        cursor.execute("DELETE FROM billing_invoiceline WHERE id = %s", [template.pk])
        cursor.execute("ANALYZE billing_invoiceline")
        cursor.execute("ANALYZE billing_invoice")
    assert InvoiceLine.objects.count() == rows


def export_queryset(user):
    """Exactly what the endpoint exports for this user (same viewset, same columns)."""
    from billing.api.viewsets import InvoiceLineViewSet

    view = InvoiceLineViewSet()
    view.request = SimpleNamespace(user=user, query_params={})
    return view.get_queryset(), view.export_columns


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    if port == 8000:  # never the portal's own port
        return free_port()
    return port


def _children(pid: int) -> list[int]:
    path = Path(f"/proc/{pid}/task/{pid}/children")
    return [int(p) for p in path.read_text().split()] if path.exists() else []


def _memory_kib(pid: int, key: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(f"{key}:"):
            return int(line.split()[1])
    return 0


class WebProcess:
    """gunicorn with one sync worker, serving the portal on a free port."""

    def __init__(self, database_url: str):
        self.port = free_port()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "1",
                "--timeout",
                "900",
                "--log-level",
                "warning",
            ],
            cwd=ROOT,
            env=_environment(database_url),
        )

    def wait_ready(self, token: str) -> None:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                status, _body = self.get("/api/v1/invoice-lines/?page_size=1", token)
                if status == 200:
                    return
            except OSError:
                pass
            time.sleep(0.2)
        raise RuntimeError("the web process did not come up")

    @property
    def worker(self) -> int:
        children = _children(self.process.pid)
        return children[0] if children else self.process.pid

    def get(self, path: str, token: str) -> tuple[int, bytes]:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        connection.request("GET", path, headers={"Authorization": f"Token {token}", "Host": "127.0.0.1"})
        response = connection.getresponse()
        body = response.read()
        connection.close()
        return response.status, body

    def stream(self, path: str, token: str) -> tuple[int, int]:
        """Read the response in 1 MiB pieces: (bytes, lines)."""
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)
        connection.request("GET", path, headers={"Authorization": f"Token {token}", "Host": "127.0.0.1"})
        response = connection.getresponse()
        assert response.status == 200, response.status
        size = lines = 0
        while piece := response.read(1 << 20):
            size += len(piece)
            lines += piece.count(b"\n")
        connection.close()
        return size, lines

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def time_copy(queryset, columns, database_url: str) -> tuple[float, int]:
    """PostgreSQL's own COPY of the export query, through ``psql`` into a pipe: no Python per row."""
    from core.exports import copy_sql

    sql = copy_sql(queryset, columns)
    started = time.perf_counter()
    process = subprocess.Popen(["psql", "-X", "-q", database_url, "-c", sql], stdout=subprocess.PIPE)
    lines = 0
    while piece := process.stdout.read(1 << 20):
        lines += piece.count(b"\n")
    assert process.wait() == 0
    return time.perf_counter() - started, lines


def time_core_loop(queryset, columns) -> tuple[float, int]:
    from core.exports import iter_rows_csv

    rows = queryset.values_list(*[c.source for c in columns]).iterator(chunk_size=5000)
    started = time.perf_counter()
    lines = sum(chunk.count("\n") for chunk in iter_rows_csv(rows, columns)) - 1
    return time.perf_counter() - started, lines


def time_xlsx(database_url: str, token: str) -> tuple[float, int, int, int]:
    """The XLSX export over HTTP in a fresh web process, the best of three: (seconds, RSS before, peak
    RSS, bytes)."""
    web = WebProcess(database_url)
    try:
        web.wait_ready(token)
        before = _memory_kib(web.worker, "VmRSS")
        best = None
        for _attempt in range(ATTEMPTS):
            started = time.perf_counter()
            size, _lines = web.stream("/api/v1/invoice-lines/?format=xlsx", token)
            elapsed = time.perf_counter() - started
            best = elapsed if best is None else min(best, elapsed)
        peak = _memory_kib(web.worker, "VmHWM")
    finally:
        web.stop()
    assert best is not None
    return best, before, peak, size


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", nargs="+", type=int, default=[10_000, 100_000, 1_000_000])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--no-core", action="store_true", help="skip the in-process core.exports loop")
    parser.add_argument("--formats", nargs="+", default=["csv", "xlsx"], choices=["csv", "xlsx"])
    args = parser.parse_args(argv)

    ensure_database(args.database)
    setup_django(args.database)
    base = base_data()
    results = []
    xlsx_results = []
    for rows in args.rows:
        fill(rows, base)
        if "xlsx" in args.formats:
            xlsx_results.append((rows, *time_xlsx(args.database, base.token)))
        if "csv" not in args.formats:
            continue
        queryset, columns = export_queryset(base.user)
        copy_runs = [time_copy(queryset, columns, args.database) for _attempt in range(ATTEMPTS)]
        copy_seconds, copy_lines = min(copy_runs)
        core_seconds = None if args.no_core else time_core_loop(queryset, columns)[0]
        web = WebProcess(args.database)
        try:
            web.wait_ready(base.token)
            before = _memory_kib(web.worker, "VmRSS")
            http_seconds = None
            for _attempt in range(ATTEMPTS):  # the best run, as for COPY
                started = time.perf_counter()
                size, lines = web.stream("/api/v1/invoice-lines/?format=csv", base.token)
                elapsed = time.perf_counter() - started
                http_seconds = elapsed if http_seconds is None else min(http_seconds, elapsed)
            peak = _memory_kib(web.worker, "VmHWM")
        finally:
            web.stop()
        assert lines - 1 == rows == copy_lines, (lines, rows, copy_lines)
        results.append((rows, http_seconds, copy_seconds, core_seconds, before, peak, size))

    print(
        f"{'rows':>9}  {'HTTP rows/s':>12}  {'COPY rows/s':>12}  {'HTTP/COPY':>9}  "
        f"{'core rows/s':>12}  {'worker RSS before':>17}  {'worker peak RSS':>15}  {'CSV size':>9}"
    )
    for rows, http_s, copy_s, core_s, before, peak, size in results:
        core = f"{rows / core_s:12,.0f}" if core_s else f"{'-':>12}"
        print(
            f"{rows:>9,}  {rows / http_s:12,.0f}  {rows / copy_s:12,.0f}  {http_s / copy_s:9.2f}x  "
            f"{core}  {before / 1024:14.1f} MiB  {peak / 1024:12.1f} MiB  {size / 1e6:6.1f} MB"
        )
    if xlsx_results:
        print(
            f"\n{'rows':>9}  {'XLSX rows/s':>12}  {'worker RSS before':>17}  {'worker peak RSS':>15}  {'XLSX size':>9}"
        )
        for rows, seconds, before, peak, size in xlsx_results:
            print(
                f"{rows:>9,}  {rows / seconds:12,.0f}  {before / 1024:14.1f} MiB  {peak / 1024:12.1f} MiB  "
                f"{size / 1e6:6.1f} MB"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
