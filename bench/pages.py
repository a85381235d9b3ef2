"""Benchmark: every portal page and list endpoint against a floor view, with the demo data and ten
times as much.

    .venv/bin/python bench/pages.py [--database postgres://.../portal_bench] [--requests 200] [--seconds 10]

It builds a database of its own (dropped and made again), migrates it, runs ``seed_demo``, and measures;
then multiplies the data to about ten times (agreement lines and tariffs for later years, issued invoices
with their lines and permissions, employees) and measures again. Measuring is:

- **queries**: in process, with Django's test client, the number of queries each page asks;
- **time**: gunicorn (two sync workers) on 127.0.0.1 with the bench URLconf (``bench/urls.py``: the
  portal plus ``/__bench__/floor/``, a logged-in view that reads the session and the user and nothing
  else); two client threads with keep-alive sessions request each page ``--requests`` times (at most
  ``--seconds`` seconds), and p50/p95 are printed with the ratio p95 / floor p95.

Pages come from the URL resolver (as the cross-tenant walk lists them); a parameterised route is filled
with a real object of the user's organisation (``PARAMETERS``); routes that change data (POST only) and
documents (PDF, UBL, XLSX) are left out. Each role's pages are measured as that role: a contract manager
(``cm.leiderdorp``), finance (``fin.leiderdorp``) and Leiden's staff (``provider.staff``). Not part of
``make test``.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_csv import _environment, free_port  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/portal_bench"
PASSWORD = "bench-portaal"  # noqa: S105 - the demo users of the bench database only
USERS = {"contract_manager": "cm.leiderdorp", "finance": "fin.leiderdorp", "provider_staff": "provider.staff"}
SKIP = re.compile(r"(pdf|ubl|xlsx|document|_csv|_json|approve|reject|decide|credit|issue|paid|acknowledge)")
MIN_SAMPLES = 10  # per client thread, however long a page takes
SKIP_NAMES = {
    "logout",
    "set_language",
    "login",
    "schema",
    "api-docs",
    "budget:generate",
    "quality:report_generate",
}


def recreate_database(database_url: str) -> None:
    import psycopg2
    from psycopg2 import sql

    base, name = database_url.rsplit("/", 1)
    connection = psycopg2.connect(f"{base}/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def setup(database_url: str) -> None:
    os.environ.update(_environment(database_url))
    os.environ["DEMO_PASSWORD"] = PASSWORD
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    call_command("seed_demo", verbosity=0)


def counts() -> dict[str, int]:
    from agreements.models import AgreementLine
    from billing.models import Invoice, InvoiceLine
    from transition.models import Employee

    return {
        "agreement lines": AgreementLine.objects.count(),
        "invoices": Invoice.objects.count(),
        "invoice lines": InvoiceLine.objects.count(),
        "employees": Employee.objects.count(),
    }


def multiply(times: int = 10) -> None:
    """About ``times`` the data: every agreement's lines (and the tariffs) copied into later years,
    every issued invoice copied (as a correction, with its lines and permissions), every employee
    copied under a new personnel number."""
    from django.db import connection, transaction

    from agreements.models import AgreementLine
    from billing.models import Invoice, InvoiceLine
    from billing.services.invoices import INVOICE_PERMISSIONS
    from services.models import Tariff
    from tenants.services import grant_object_permissions_in_bulk
    from transition.models import Employee

    with transaction.atomic():
        years = sorted(set(AgreementLine.objects.values_list("year", flat=True)))
        span = max(years) - min(years) + 1
        lines = list(AgreementLine.objects.all())
        tariffs = list(Tariff.objects.filter(year__in=years))
        for copy in range(1, times):
            shift = span * copy
            Tariff.objects.bulk_create(
                [
                    Tariff(service_id=t.service_id, year=t.year + shift, unit_price=t.unit_price)
                    for t in tariffs
                ],
                ignore_conflicts=True,
            )
            AgreementLine.objects.bulk_create(
                [
                    AgreementLine(
                        agreement_id=x.agreement_id,
                        service_id=x.service_id,
                        year=x.year + shift,
                        volume=x.volume,
                    )
                    for x in lines
                ],
                ignore_conflicts=True,
            )
        invoices = list(
            Invoice.objects.exclude(status=Invoice.Status.DRAFT)
            .exclude(kind=Invoice.Kind.CREDIT_NOTE)
            .select_related("customer")
        )
        invoice_lines: dict[int, list[InvoiceLine]] = {}
        for line in InvoiceLine.objects.filter(invoice__in=invoices):
            invoice_lines.setdefault(line.invoice_id, []).append(line)
        for copy in range(1, times):
            copies = []
            for invoice in invoices:
                clone = Invoice(
                    **{
                        f.attname: getattr(invoice, f.attname)
                        for f in Invoice._meta.concrete_fields
                        if not f.primary_key
                    }
                )
                clone.number = f"{invoice.number}-{copy}"
                clone.purpose = Invoice.Purpose.CORRECTION
                clone.credited_invoice_id = None
                copies.append(clone)
            Invoice.objects.bulk_create(copies)
            new_lines = []
            for invoice, clone in zip(invoices, copies, strict=True):
                for line in invoice_lines.get(invoice.pk, []):
                    fields = {
                        f.attname: getattr(line, f.attname)
                        for f in InvoiceLine._meta.concrete_fields
                        if not f.primary_key
                    }
                    fields.update(invoice_id=clone.pk, credited_line_id=None)
                    new_lines.append(InvoiceLine(**fields))
            InvoiceLine.objects.bulk_create(new_lines, batch_size=2000)
            by_customer: dict = {}
            for clone in copies:
                by_customer.setdefault(clone.customer, []).append(clone)
            for customer, objs in by_customer.items():
                grant_object_permissions_in_bulk(objs=objs, organisation=customer, perms=INVOICE_PERMISSIONS)
        employees = list(Employee.objects.all())
        for copy in range(1, times):
            clones = []
            for employee in employees:
                fields = {
                    f.attname: getattr(employee, f.attname)
                    for f in Employee._meta.concrete_fields
                    if not f.primary_key
                }
                fields["personnel_number"] = f"{employee.personnel_number}-{copy}"[:20]
                clones.append(Employee(**fields))
            Employee.objects.bulk_create(clones, batch_size=2000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def _walk(patterns, namespace=None):
    from django.urls import URLPattern, URLResolver

    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = ":".join(filter(None, [namespace, entry.namespace])) if entry.namespace else namespace
            yield from _walk(entry.url_patterns, ns)
        elif isinstance(entry, URLPattern) and entry.name:
            yield (f"{namespace}:{entry.name}" if namespace else entry.name), entry


def _parameters(org) -> dict:
    """Per parameterised route, the URL kwargs of a real object of ``org`` (``None``: nothing to show)."""
    from agreements.models import Agreement, AgreementLine, ChangeRequest
    from billing.models import BillingRun, Invoice, InvoiceLine
    from budget.models import BudgetLetter
    from quality.models import QuarterlyReport
    from services.models import Service, Tariff
    from transition.models import Employee

    def pk(queryset):
        obj = queryset.order_by("pk").first()
        return None if obj is None else {"pk": obj.pk}

    agreement = pk(Agreement.objects.filter(customer=org))
    invoice = (
        Invoice.objects.filter(customer=org).exclude(status=Invoice.Status.DRAFT).order_by("-pk").first()
    )
    service = Service.objects.order_by("code").first()
    return {
        "agreements:detail": agreement,
        "agreements:history": agreement,
        "agreements:sign": agreement,
        "agreements:change-request-create": agreement,
        "budget:what_if": agreement,
        "agreements:change-request-detail": pk(ChangeRequest.objects.filter(agreement__customer=org)),
        "api:agreement-detail": agreement,
        "api:agreement-line-detail": pk(AgreementLine.objects.filter(agreement__customer=org)),
        "api:change-request-detail": pk(ChangeRequest.objects.filter(agreement__customer=org)),
        "api:invoice-detail": {"number": invoice.number} if invoice else None,
        "api:invoice-line-detail": pk(InvoiceLine.objects.filter(invoice=invoice)) if invoice else None,
        "api:organisation-detail": {"slug": org.slug},
        "api:budget-letter-detail": pk(BudgetLetter.objects.filter(customer=org)),
        "budget:letter_detail": pk(BudgetLetter.objects.filter(customer=org)),
        "billing:invoice_detail": {"pk": invoice.pk} if invoice else None,
        "billing:run_detail": pk(BillingRun.objects.all()),
        "billing:run_progress": pk(BillingRun.objects.all()),
        "quality:report_detail": pk(QuarterlyReport.objects.filter(customer=org)),
        "quality:service": {"customer": org.slug, "code": service.code} if service else None,
        "services:detail": {"code": service.code} if service else None,
        "history-dienst": {"pk": service.pk} if service else None,
        "api:history-dienst": {"pk": service.pk} if service else None,
        "history-tarief": pk(Tariff.objects.all()),
        "api:history-tarief": pk(Tariff.objects.all()),
        "transition:employee": pk(Employee.objects.all()),
    }


def page_list() -> list[tuple[str, str]]:
    """(name, path) of every GET page and list endpoint, parameterised ones filled in."""
    from django.urls import get_resolver, reverse

    from tenants.models import Organisation

    org = Organisation.objects.get(slug="leiderdorp")
    parameters = _parameters(org)
    pages, seen = [], set()
    for name, entry in _walk(get_resolver().url_patterns):
        if name in seen or name.startswith("admin:") or name in SKIP_NAMES or name == "bench-floor":
            continue
        seen.add(name)
        if SKIP.search(name) or (name.startswith("api:") and not name.endswith("-list")):
            continue  # changes data, a document, or an API detail (the API is measured by its lists)
        has_params = bool(getattr(entry.pattern, "converters", None)) or bool(entry.pattern.regex.groups)
        if has_params:
            kwargs = parameters.get(name)
            if kwargs is None:
                continue
            pages.append((name, reverse(name, kwargs=kwargs)))
        else:
            pages.append((name, reverse(name)))
    return pages


def query_counts(pages) -> dict[tuple[str, str], tuple[int, int]]:
    """(role, page) -> (status, queries), in process with the test client."""
    from django.contrib.auth import get_user_model
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    result = {}
    for role, username in USERS.items():
        client = Client(HTTP_HOST="127.0.0.1")
        client.force_login(get_user_model().objects.get(username=username))
        for name, path in pages:
            client.get(path)
            with CaptureQueriesContext(connection) as captured:
                response = client.get(path)
                if getattr(response, "streaming", False):
                    b"".join(response.streaming_content)
            result[(role, name)] = (response.status_code, len(captured.captured_queries))
    return result


class Web:
    """gunicorn, two sync workers, the bench URLconf, on a free port of 127.0.0.1."""

    def __init__(self, database_url: str):
        self.port = free_port()
        env = {**_environment(database_url), "DJANGO_SETTINGS_MODULE": "bench.settings"}
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "gunicorn"),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--workers",
                "2",
                "--log-level",
                "warning",
                "--timeout",
                "120",
                "--env",
                "DJANGO_SETTINGS_MODULE=bench.settings",
            ],
            cwd=ROOT,
            env=env,
        )
        self.base = f"http://127.0.0.1:{self.port}"

    def session(self, username: str):
        import requests

        session = requests.Session()
        deadline = time.monotonic() + 60
        while True:
            try:
                page = session.get(f"{self.base}/inloggen/", timeout=30)
                break
            except requests.ConnectionError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        response = session.post(
            f"{self.base}/inloggen/",
            data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": f"{self.base}/inloggen/"},
            timeout=30,
        )
        assert "sessionid" in session.cookies, f"login of {username} failed: {response.status_code}"
        return session

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def timings(sessions, path: str, requests: int, seconds: float) -> tuple[float, float]:
    """p50 and p95 (ms) of ``requests`` GETs of ``path`` from two threads (at most ``seconds``)."""
    samples: list[float] = []
    lock = threading.Lock()
    per_thread = max(MIN_SAMPLES, requests // len(sessions))

    def run(session, base):
        for _ in range(3):  # warm
            session.get(base + path, timeout=120).content  # noqa: B018
        deadline = time.monotonic() + seconds
        for count in range(per_thread):
            if count >= MIN_SAMPLES and time.monotonic() > deadline:
                break
            started = time.perf_counter()
            session.get(base + path, timeout=120).content  # noqa: B018
            with lock:
                samples.append((time.perf_counter() - started) * 1000)

    threads = [threading.Thread(target=run, args=s) for s in sessions]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(len(samples) * 0.95))]
    return statistics.median(samples), p95


def measure(database_url, pages, requests, seconds) -> dict:
    web = Web(database_url)
    result = {}
    try:
        for role, username in USERS.items():
            sessions = [(web.session(username), web.base) for _ in range(2)]
            floor = timings(sessions, "/__bench__/floor/", requests, seconds)
            result[(role, "floor")] = floor
            for name, path in pages:
                result[(role, name)] = timings(sessions, path, requests, seconds)
    finally:
        web.stop()
    return result


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    parser.add_argument("--requests", type=int, default=200, help="requests per page (both threads)")
    parser.add_argument("--seconds", type=float, default=10.0, help="at most this long per page")
    parser.add_argument("--only", default="", help="a regular expression: measure only matching pages")
    args = parser.parse_args(argv)
    recreate_database(args.database)
    setup(args.database)
    pages = [p for p in page_list() if re.search(args.only, p[0])]
    results = {}
    for scale in (1, 10):
        if scale == 10:
            multiply(10)
        print(f"data at {scale}x: {counts()}", flush=True)
        results[scale] = (query_counts(pages), measure(args.database, pages, args.requests, args.seconds))
    print(
        f"\n{'role':<17} {'page':<40} {'st':>3} {'q 1x':>5} {'q 10x':>5} {'p50 1x':>7} {'p95 1x':>7} "
        f"{'ratio 1x':>8} {'p50 10x':>7} {'p95 10x':>7} {'ratio 10x':>9}"
    )
    for role in USERS:
        floors = {s: results[s][1][(role, "floor")] for s in (1, 10)}
        print(
            f"{role:<17} {'floor':<40} {'':>3} {'':>5} {'':>5} {floors[1][0]:7.1f} {floors[1][1]:7.1f} "
            f"{'1.00':>8} {floors[10][0]:7.1f} {floors[10][1]:7.1f} {'1.00':>9}"
        )
        for name, _path in pages:
            status, q1 = results[1][0][(role, name)]
            _status, q10 = results[10][0][(role, name)]
            t1, t10 = results[1][1][(role, name)], results[10][1][(role, name)]
            flag = "" if q1 == q10 else " *"
            print(
                f"{role:<17} {name:<40} {status:>3} {q1:>5} {q10:>5}{flag} {t1[0]:7.1f} {t1[1]:7.1f} "
                f"{t1[1] / floors[1][1]:8.2f} {t10[0]:7.1f} {t10[1]:7.1f} {t10[1] / floors[10][1]:9.2f}"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
