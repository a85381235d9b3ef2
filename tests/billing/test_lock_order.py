"""Issuing an invoice and approving a change take their locks in one order (agreement first), so the
two never deadlock: shown with two threads on PostgreSQL."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections

from agreements.models import ChangeRequest
from agreements.services import change_requests
from agreements.services.change_requests import approve_change_request
from billing.models import Invoice
from billing.services.issuing import issue_invoice
from billing.services.runs import run_billing
from core.periods import Period
from tenants.roles import Role
from tests.agreements.factories import ChangeRequestFactory
from tests.factories import user_with_role

from .factories import billing_world

pytestmark = pytest.mark.django_db(transaction=True)


def _in_thread(target, results, key):
    def run():
        try:
            results[key] = target()
        except BaseException as exc:  # handed to the test
            results[key] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    return thread


def test_issuing_waits_for_an_approval_on_the_agreement_without_holding_the_invoice_and_both_finish(
    monkeypatch,
):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL")
    world = billing_world()
    run_billing(period=Period.parse("2024-Q1"))
    draft = Invoice.objects.get(customer=world.alfa)
    staff = user_with_role(world.provider, Role.PROVIDER_STAFF)
    request = ChangeRequestFactory(
        agreement=world.agreements["alfa"],
        service=draft.lines.first().service,
        volume=Decimal("11"),
        effective_from=date(2024, 7, 1),
    )
    holding, release = threading.Event(), threading.Event()
    real_apply = change_requests._apply_change

    def slow_apply(**kwargs):
        real_apply(**kwargs)
        holding.set()
        assert release.wait(30)

    monkeypatch.setattr(change_requests, "_apply_change", slow_apply)
    results: dict = {}
    approving = _in_thread(
        lambda: approve_change_request(request=request, by=staff, reason="akkoord", notify=False),
        results,
        "approve",
    )
    assert holding.wait(30)  # the approval holds the agreement
    issuing = _in_thread(lambda: issue_invoice(invoice=draft, by=staff), results, "issue")
    issuing.join(1)
    assert issuing.is_alive()  # waits for the agreement ...
    with connection.cursor() as cursor:  # ... without holding the invoice, so no cycle can form
        cursor.execute("SELECT id FROM billing_invoice WHERE id = %s FOR UPDATE NOWAIT", [draft.pk])
    release.set()
    approving.join(30)
    issuing.join(30)
    assert not isinstance(results["approve"], BaseException), results["approve"]
    assert not isinstance(results["issue"], BaseException), results["issue"]
    assert ChangeRequest.objects.get(pk=request.pk).status == ChangeRequest.Status.APPROVED
    assert Invoice.objects.get(pk=draft.pk).number
