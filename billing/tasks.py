"""Celery tasks of billing: thin wrappers taking ids, safe to run twice (the services are idempotent)."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from core.periods import Period

from .models import BillingRun
from .services import run_billing
from .workdays import first_working_day


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
    """Every weekday from beat: from the first working day of a period on, bill that period in advance
    (drafts to review) unless it already has a finished run — so a day the worker was down delays the
    run by a day instead of skipping the period.

    Returns the run's id, or None when there is nothing to do (the run itself would add nothing either).
    """
    day = date.fromisoformat(today) if today else timezone.localdate()
    period = Period.containing(day, granularity=settings.BILLING_PERIOD)
    if day < first_working_day(period):
        return None
    if BillingRun.objects.filter(
        period=str(period), is_dry_run=False, status=BillingRun.Status.DONE
    ).exists():
        return None
    return run_billing(period=period).pk
