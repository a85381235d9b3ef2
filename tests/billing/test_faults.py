"""Faults as an operator meets them, on a real prefork worker over Redis and PostgreSQL: a worker process
killed mid-run, a soft time limit, the run's database backend terminated. Each run ends (done, or failed
with its reason), nothing is half-written, and in the end every customer is billed once for the period
with gapless numbers. The worker gets a Redis db and queue of its own (tests/billing/fault_worker.py)."""

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
from celery import Celery
from django.conf import settings
from django.db import connection

from billing.models import BillingRun, Invoice
from billing.services.issuing import issue_period_drafts
from billing.services.recovery import retry_billing_run
from billing.services.runs import run_billing
from core.periods import Period
from tenants.roles import Role
from tests.factories import user_with_role

from .factories import billing_world

pytestmark = [pytest.mark.celery, pytest.mark.django_db(transaction=True)]
ROOT = Path(__file__).resolve().parents[2]
FAULT_REDIS_DB = 11
Q1 = Period.parse("2024-Q1")


def wait_for(condition, *, timeout=90, what="condition"):
    """Poll ``condition`` until it is true (bounded); never a bare sleep."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.1)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def fault_worker(transactional_db):
    if not settings.REDIS_URL or connection.vendor != "postgresql":
        pytest.skip("the fault tests need PostgreSQL and Redis")
    broker = settings.REDIS_URL.rsplit("/", 1)[0] + f"/{FAULT_REDIS_DB}"
    prefix = f"fault-{uuid.uuid4().hex[:8]}"
    queue = f"{prefix}-queue"
    db = connection.settings_dict
    database_url = f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
    env = {**os.environ, "DATABASE_URL": database_url, "REDIS_URL": broker, "FAULT_PREFIX": prefix}
    worker = subprocess.Popen(
        [sys.executable, "-m", "tests.billing.fault_worker", queue],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    store = redis.Redis.from_url(broker)
    sender = Celery(broker=broker)
    sender.conf.broker_transport_options = {"visibility_timeout": 3600}

    class Handle:
        def hold(self):
            store.set(f"{prefix}:hold", 1)

        def release(self):
            store.delete(f"{prefix}:hold")

        def held_pid(self, key):
            return int(wait_for(lambda: store.get(f"{prefix}:{key}"), what=f"the worker to hold ({key})"))

        def send(self, run, **options):
            sender.send_task(
                "billing.carry_out_billing_run_task", kwargs={"run_id": run.pk}, queue=queue, **options
            )

    try:
        yield Handle()
    finally:
        store.delete(f"{prefix}:hold")
        worker.send_signal(signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            worker.kill()
            worker.wait(10)
        for key in store.scan_iter(f"{prefix}*"):
            store.delete(key)
        store.delete(queue)


def status_of(run):
    run.refresh_from_db()
    return run.status


def assert_billed_once_with_gapless_numbers():
    staff = user_with_role(Invoice.objects.get(customer__kind="provider").customer, Role.PROVIDER_STAFF)
    result = issue_period_drafts(period=Q1, by=staff)
    assert not result.left
    invoices = Invoice.objects.filter(period=str(Q1))
    assert invoices.count() == 3
    assert sorted(invoices.values_list("customer__name", flat=True)) == sorted(
        {i.customer.name for i in invoices}
    )
    for prefix in ("2024-", "INT-2024-"):
        numbers = sorted(
            int(n.rsplit("-", 1)[1])
            for n in invoices.values_list("number", flat=True)
            if n.startswith(prefix)
        )
        assert numbers == list(range(1, len(numbers) + 1))


def test_a_killed_worker_process_hands_the_run_back_and_it_is_finished_exactly_once(fault_worker):
    billing_world()
    run = BillingRun.objects.create(period=str(Q1))
    fault_worker.hold()
    fault_worker.send(run)
    child = fault_worker.held_pid("child_pid")
    assert status_of(run) == BillingRun.Status.RUNNING
    started_at = run.started_at
    assert Invoice.objects.count() == 1  # the first customer is billed, the second is held
    os.kill(child, signal.SIGKILL)  # the message comes back (reject on worker lost) and continues the run
    fault_worker.release()
    wait_for(lambda: status_of(run) == BillingRun.Status.DONE, what="the redelivered run to finish")
    assert run.invoices_created == 3
    assert run.started_at == started_at
    assert_billed_once_with_gapless_numbers()


def test_a_soft_time_limit_fails_the_run_with_its_reason_and_a_retry_finishes_it(fault_worker):
    world = billing_world()
    run = BillingRun.objects.create(period=str(Q1))
    fault_worker.hold()
    fault_worker.send(run, soft_time_limit=2)
    wait_for(lambda: status_of(run) == BillingRun.Status.FAILED, what="the time limit to fail the run")
    assert "tijdslimiet" in run.message
    assert Invoice.objects.count() == 1  # nothing half-written: the held customer's draft rolled back
    fault_worker.release()
    again = retry_billing_run(run=run, by=user_with_role(world.provider, Role.PROVIDER_STAFF))
    again = run_billing(period=Q1, run=again)
    assert again.status == BillingRun.Status.DONE
    assert_billed_once_with_gapless_numbers()


def test_a_terminated_database_backend_fails_the_run_on_a_connection_of_its_own(fault_worker):
    world = billing_world()
    run = BillingRun.objects.create(period=str(Q1))
    fault_worker.hold()
    fault_worker.send(run)
    backend = fault_worker.held_pid("backend_pid")
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [backend])
    fault_worker.release()
    wait_for(lambda: status_of(run) == BillingRun.Status.FAILED, what="the cut-off run to be marked failed")
    assert run.message.startswith("Mislukt:")
    assert run.finished_at is not None
    assert Invoice.objects.count() == 1
    again = retry_billing_run(run=run, by=user_with_role(world.provider, Role.PROVIDER_STAFF))
    again = run_billing(period=Q1, run=again)
    assert again.status == BillingRun.Status.DONE
    assert_billed_once_with_gapless_numbers()
