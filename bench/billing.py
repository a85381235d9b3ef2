"""Benchmark: billing a quarter (drafts and issuing) for 40 and 400 municipalities.

    .venv/bin/python bench/billing.py [--customers 40 400] [--services 30] [--database postgres://.../portal_bench]

For each size a fresh database of its own (dropped and made again, migrated) gets Leiden, that many
municipalities minus one, each with an agreement of ``--services`` lines, and the year's tariffs; then
``run_billing(period=2024-Q1, issue=True)`` runs once. It prints the queries per invoice (draft and issue
together, the run's own bookkeeping included) and the time, and the ratio of the times against the ratio
of the sizes (goal: linear or better). Not part of ``make test``.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench.export_csv import _environment  # noqa: E402
from bench.pages import recreate_database  # noqa: E402

DEFAULT_DATABASE = "postgres://postgres@127.0.0.1:5432/portal_bench"


def run(customers: int, services: int) -> tuple[int, int, float]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from billing.models import Invoice
    from billing.services.runs import run_billing
    from core.periods import Period
    from tests.billing.factories import billing_world

    billing_world(extra_customers=customers - 3, services=services)
    with CaptureQueriesContext(connection) as captured:
        started = time.perf_counter()
        billing_run = run_billing(period=Period.parse("2024-Q1"), issue=True)
        elapsed = time.perf_counter() - started
    assert billing_run.status == billing_run.Status.DONE, billing_run.message
    invoices = Invoice.objects.filter(status=Invoice.Status.ISSUED).count()
    assert invoices == customers, (invoices, customers)
    return invoices, len(captured.captured_queries), elapsed


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--customers", nargs="+", type=int, default=[40, 400])
    parser.add_argument("--services", type=int, default=30)
    parser.add_argument("--database", default=DEFAULT_DATABASE)
    args = parser.parse_args(argv)
    os.environ.update(_environment(args.database))
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    results = []
    for customers in args.customers:
        connections.close_all()
        recreate_database(args.database)
        call_command("migrate", verbosity=0)
        results.append((customers, *run(customers, args.services)))
    print(
        f"{'customers':>9}  {'invoices':>8}  {'queries':>8}  {'per invoice':>11}  {'seconds':>8}  {'ms/invoice':>10}"
    )
    for customers, invoices, queries, seconds in results:
        print(
            f"{customers:>9}  {invoices:>8}  {queries:>8}  {queries / invoices:11.1f}  {seconds:8.2f}  "
            f"{seconds * 1000 / invoices:10.1f}"
        )
    if len(results) > 1:
        (c0, _i0, _q0, s0), (c1, _i1, _q1, s1) = results[0], results[-1]
        print(f"\n{c1 / c0:.0f}x the customers in {s1 / s0:.1f}x the time")
    return 0


if __name__ == "__main__":
    sys.exit(main())
