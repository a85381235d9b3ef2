"""The billing tasks on a real Celery worker over Redis."""

import pytest
from django.db import transaction
from django.test import override_settings

from billing.models import BillingRun, Invoice
from billing.services.runs import start_billing_run
from billing.tasks import bill_due_period_task, carry_out_billing_run_task
from core.periods import Period

from .factories import billing_world

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]


def test_a_queued_run_is_billed_by_the_worker(celery_worker):
    billing_world()
    run = BillingRun.objects.create(period="2024-Q1")
    assert carry_out_billing_run_task.delay(run_id=run.pk).get(timeout=60) == BillingRun.Status.DONE
    run.refresh_from_db()
    assert run.invoices_created == 3
    assert run.progress_done == 3
    assert Invoice.objects.filter(period="2024-Q1").count() == 3


def test_a_finished_run_delivered_again_does_nothing(celery_worker):
    billing_world()
    run = BillingRun.objects.create(period="2024-Q1", status=BillingRun.Status.DONE)
    assert carry_out_billing_run_task.delay(run_id=run.pk).get(timeout=60) is None
    assert not Invoice.objects.exists()


def test_a_run_started_like_the_portal_does_is_billed_by_the_worker(celery_worker, monkeypatch):
    billing_world()
    sent = []
    send_task = celery_worker.send_task  # the portal enqueues the task by name (core.tasks.enqueue)
    monkeypatch.setattr(
        celery_worker, "send_task", lambda name, **options: sent.append(send_task(name, **options))
    )
    with transaction.atomic():
        run = start_billing_run(period=Period.parse("2024-Q1"))
        assert sent == []  # the task is sent once the run is committed, never before
    assert sent[0].get(timeout=60) == BillingRun.Status.DONE
    run.refresh_from_db()
    assert run.invoices_created == 3


@override_settings(BILLING_PERIOD="quarter")
def test_the_beat_task_bills_the_quarter_on_its_first_working_day(celery_worker):
    billing_world()
    # 1 April 2024 is Easter Monday: the second quarter is billed on Tuesday 2 April.
    assert bill_due_period_task.delay(today="2024-04-01").get(timeout=60) is None
    run_id = bill_due_period_task.delay(today="2024-04-02").get(timeout=60)
    assert BillingRun.objects.get(pk=run_id).period == "2024-Q2"
    assert Invoice.objects.filter(period="2024-Q2").count() == 3
    assert bill_due_period_task.delay(today="2024-04-02").get(timeout=60) is None
    assert bill_due_period_task.delay(today="2024-04-03").get(timeout=60) is None


@override_settings(BILLING_PERIOD="month")
def test_the_beat_task_catches_up_on_a_period_whose_first_working_day_was_missed(celery_worker):
    billing_world()
    run_id = bill_due_period_task.delay(today="2024-05-08").get(timeout=60)
    assert BillingRun.objects.get(pk=run_id).period == "2024-05"
