"""Celery tasks of billing: thin wrappers taking ids, safe to run twice (the services are idempotent)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from core.periods import Period

from . import services
from .models import BillingRun


@shared_task(name="billing.execute_billing_run")
def execute_billing_run(*, run_id: int) -> str | None:
    """Do the work of a run queued from the portal or the admin."""
    run = BillingRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (BillingRun.Status.DONE, BillingRun.Status.FAILED):
        return None
    run = services.run_billing(
        period=Period.parse(run.period), by=run.started_by, dry_run=run.is_dry_run, run=run
    )
    return run.status


@shared_task(name="billing.bill_due_period")
def bill_due_period(*, today: str | None = None) -> int | None:
    """Every weekday from beat: bill the period that is due (``services.bill_due_period``).

    Returns the run's id, or None when there is nothing to do (the run itself would add nothing either).
    """
    day = date.fromisoformat(today) if today else timezone.localdate()
    run = services.bill_due_period(day=day)
    return run.pk if run else None
