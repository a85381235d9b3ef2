"""Benchmark: the Servicepunt71 transition end to end with 450 and 45,000 employees.

    .venv/bin/python bench/transition_bench.py                 # 450 and 45,000
    .venv/bin/python bench/transition_bench.py --staff 450 4500 45000

For each size it makes a fresh PostgreSQL database of its own (``portal_transition_bench_<n>``, copied
from a migrated and seeded template ``portal_transition_bench``: organisations, the five locations, the
catalogue) and measures, in process:

- **generate**: the three CSV files from ``transition.generator`` (contracts scale with the staff:
  120 per 450 employees, every one running on 2023-01-01, as the validation demands; the four legacy
  agreements stay the same size);
- **validate**: the dry run, ``plan_transition`` (reads and checks all three files, writes nothing);
- **execute**: ``execute_transition`` (checks again, then writes staff, employments, contracts,
  agreements, their history and the reconciliation in one transaction);
- **reconcile**: the reconciliation report read back (what the page and the API do).

It prints the seconds per phase, the time per employee, and the ratio of the largest size to the
smallest against the ratio of their sizes: the time may grow no worse than linearly. Not part of
``make test``. ``--server`` names the PostgreSQL server (default the local one).
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TEMPLATE = "portal_transition_bench"


def _admin_connection(server: str):
    import psycopg2

    connection = psycopg2.connect(f"{server}/postgres")
    connection.autocommit = True
    return connection


def _recreate(server: str, name: str, template: str | None = None) -> None:
    from psycopg2 import sql

    connection = _admin_connection(server)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        if template:
            cursor.execute(
                sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                    sql.Identifier(name), sql.Identifier(template)
                )
            )
        else:
            cursor.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    connection.close()


def _use_database(name: str) -> None:
    from django.db import connections

    connections.close_all()
    connections["default"].settings_dict["NAME"] = name


def _prepare_template(server: str) -> None:
    from django.core.management import call_command

    _recreate(server, TEMPLATE)
    _use_database(TEMPLATE)
    call_command("migrate", verbosity=0, interactive=False)
    from services import demo as services_demo
    from tenants import demo as tenants_demo

    password = secrets.token_urlsafe(16)  # the bench users never log in
    tenants_demo.seed(password=password, log=lambda *a: None)
    services_demo.seed(password=password, log=lambda *a: None)
    _use_database("postgres")


def _measure(server: str, staff: int) -> dict:
    from transition.demo import legacy_agreement_lines
    from transition.generator import generate
    from transition.inputs import InputFile, TransitionFiles
    from transition.models import TransitionRun
    from transition.reconciliation import reconcile
    from transition.services.runs import execute_transition, plan_transition

    name = f"{TEMPLATE}_{staff}"
    _recreate(server, name, template=TEMPLATE)
    _use_database(name)
    contracts = max(1, staff * 120 // 450)
    times = {}

    started = time.perf_counter()
    dataset = generate(staff=staff, contracts=contracts, agreement_lines=legacy_agreement_lines())
    files = TransitionFiles(
        InputFile("personeel.csv", dataset.staff),
        InputFile("contracten.csv", dataset.contracts),
        InputFile("overeenkomsten.csv", dataset.agreements),
    )
    times["generate"] = time.perf_counter() - started

    started = time.perf_counter()
    plan = plan_transition(files=files)
    times["validate"] = time.perf_counter() - started
    assert plan.status == TransitionRun.Status.VALID

    started = time.perf_counter()
    outcome = execute_transition(files=files)
    times["execute"] = time.perf_counter() - started
    assert outcome.status == TransitionRun.Status.EXECUTED

    started = time.perf_counter()
    reconciliation = reconcile(outcome.run)
    times["reconcile"] = time.perf_counter() - started
    assert reconciliation.is_complete, "the reconciliation found deviations"

    times["total"] = sum(times.values())
    _use_database("postgres")
    _recreate_drop(server, name)
    return {"staff": staff, "contracts": contracts, "bytes": len(dataset.staff), **times}


def _recreate_drop(server: str, name: str) -> None:
    from psycopg2 import sql

    connection = _admin_connection(server)
    with connection.cursor() as cursor:
        cursor.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--staff", type=int, nargs="+", default=[450, 45_000])
    parser.add_argument("--server", default="postgres://postgres@127.0.0.1:5432")
    args = parser.parse_args()

    os.environ.update(
        {
            "DATABASE_URL": f"{args.server}/{TEMPLATE}",
            "REDIS_URL": "",
            "SECRET_KEY": "bench-secret-key-not-for-production",
            "DJANGO_DEBUG": "false",
            "DJANGO_SECURE": "false",
            "STATIC_MANIFEST": "false",
            "LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "config.settings",
        }
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()
    _prepare_template(args.server)

    results = [_measure(args.server, staff) for staff in sorted(args.staff)]
    header = f"{'staff':>8} {'contracts':>9} {'generate':>9} {'validate':>9} {'execute':>9} {'reconcile':>9} {'total':>8} {'ms/employee':>11}"
    print(header)
    for r in results:
        print(
            f"{r['staff']:>8} {r['contracts']:>9} {r['generate']:>8.2f}s {r['validate']:>8.2f}s "
            f"{r['execute']:>8.2f}s {r['reconcile']:>8.2f}s {r['total']:>7.2f}s {1000 * r['total'] / r['staff']:>11.3f}"
        )
    if len(results) > 1:
        small, large = results[0], results[-1]
        size_ratio = large["staff"] / small["staff"]
        time_ratio = large["total"] / small["total"]
        verdict = "no worse than linear" if time_ratio <= size_ratio else "WORSE than linear"
        print(f"size x{size_ratio:.0f}, time x{time_ratio:.1f}: {verdict}")
        return 0 if time_ratio <= size_ratio else 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
