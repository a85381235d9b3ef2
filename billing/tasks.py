"""Celery tasks of billing: thin wrappers taking ids, registered by name, safe to run twice (the
services claim their work or are idempotent). Services enqueue them by name (``core.tasks.enqueue``)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from .services.recovery import recover_stale_runs
from .services.runs import bill_due_period, carry_out_billing_run


@shared_task(name="billing.carry_out_billing_run_task")
def carry_out_billing_run_task(*, run_id: int) -> str | None:
    """Do the work of a run queued from the portal or the admin (once: the service claims the run)."""
    return carry_out_billing_run(run_id=run_id)


@shared_task(name="billing.bill_due_period_task")
def bill_due_period_task(*, today: str | None = None) -> int | None:
    """Every weekday from beat: bill the period that is due (``services.runs.bill_due_period``).

    Returns the run's id, or None when there is nothing to do (the run itself would add nothing either).
    """
    day = date.fromisoformat(today) if today else timezone.localdate()
    run = bill_due_period(day=day)
    return run.pk if run else None


@shared_task(name="billing.recover_runs_task")
def recover_runs_task() -> list[int]:
    """Every few minutes from beat: runs whose heartbeat went stale are marked failed and their period
    billed again by a fresh run (``services.recovery``). Returns the recovered runs' ids."""
    return [item.run.pk for item in recover_stale_runs()]
