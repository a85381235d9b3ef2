"""Runs and issues at the same time, from threads with their own PostgreSQL connections."""

import threading

import pytest
from django.db import connection

from billing.models import BillingRun, Invoice
from billing.services.issuing import issue_invoice
from billing.services.runs import run_billing
from core.periods import Period

from .factories import billing_world

pytestmark = pytest.mark.django_db(transaction=True)


def _at_once(count, work):
    barrier = threading.Barrier(count)
    results, errors = [], []

    def target():
        try:
            barrier.wait()
            results.append(work())
        except Exception as exc:  # noqa: BLE001 - reported by the test
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=target) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors


def test_runs_started_at_the_same_time_never_duplicate_an_invoice():
    billing_world(extra_customers=5)
    results, errors = _at_once(6, lambda: run_billing(period=Period.parse("2024-Q1")))
    assert not errors
    assert {run.status for run in results} == {BillingRun.Status.DONE}
    assert Invoice.objects.filter(period="2024-Q1").count() == 8
    assert sum(run.invoices_created for run in results) == 8


def test_issues_at_the_same_time_get_unique_gapless_numbers():
    billing_world(extra_customers=9)
    run_billing(period=Period.parse("2024-Q1"))
    drafts = list(Invoice.objects.filter(kind=Invoice.Kind.INVOICE))
    queue = list(drafts)
    lock = threading.Lock()

    def issue_next():
        with lock:
            invoice = queue.pop()
        return issue_invoice(invoice=invoice).number

    numbers, errors = _at_once(len(drafts), issue_next)
    assert not errors
    year = numbers[0][:4]
    assert sorted(numbers) == [f"{year}-{n:05d}" for n in range(1, len(drafts) + 1)]


def test_the_same_draft_issued_twice_at_once_is_issued_once():
    world = billing_world()
    run_billing(period=Period.parse("2024-Q1"))
    draft = Invoice.objects.get(customer=world.alfa)
    numbers, errors = _at_once(4, lambda: issue_invoice(invoice=draft).number)
    assert len(numbers) == 1
    assert len(errors) == 3
    assert Invoice.objects.get(pk=draft.pk).number == numbers[0]
