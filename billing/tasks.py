"""Celery tasks of billing: thin wrappers taking ids, safe to run twice (the services are idempotent)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.periods import Period

from .models import BillingRun
from .services import run_billing
from .workdays import period_starting_on_first_working_day


@shared_task(name="billing.execute_billing_run")
def execute_billing_run(*, run_id: int) -> str | None:
    """Do the work of a run queued from the portal or the admin."""
    run = BillingRun.objects.filter(pk=run_id).first()
    if run is None or run.status in (BillingRun.Status.DONE, BillingRun.Status.FAILED):
        return None
    run = run_billing(period=Period.parse(run.period), by=run.started_by, dry_run=run.is_dry_run, run=run)
    return run.status


@shared_task(name="billing.bill_due_period")
def bill_due_period(*, today: str | None = None) -> int | None:
    """Daily from beat: on the first working day of a period, bill that period (drafts to review).

    Returns the run's id, or None when today is not such a day or the period already has a run that
    finished (the run itself would add nothing either).
    """
    day = date.fromisoformat(today) if today else timezone.localdate()
    period = period_starting_on_first_working_day(day, granularity=settings.BILLING_PERIOD)
    if period is None:
        return None
    if BillingRun.objects.filter(
        period=str(period), is_dry_run=False, status=BillingRun.Status.DONE
    ).exists():
        return None
    return run_billing(period=period).pk
