"""Celery tasks of the budget app: thin wrappers taking ids, registered by name, safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task

from .services import alerts, issuing


@shared_task(name="budget.send_budget_letter_issued_mail_task")
def send_budget_letter_issued_mail_task(*, letter_id: int) -> int:
    """After a letter is issued: tell the municipality's contract managers and finance."""
    return issuing.send_letter_issued_mail(letter_id=letter_id)


@shared_task(name="budget.send_deadline_reminders_task")
def send_deadline_reminders_task(*, today: str | None = None) -> int:
    """Daily: remind Leiden's staff 14 days before a letter deadline without an issued letter, once."""
    return alerts.send_deadline_reminders(today=date.fromisoformat(today) if today else None)


@shared_task(name="budget.check_budget_overruns_task")
def check_budget_overruns_task(*, today: str | None = None) -> int:
    """Daily: alert municipalities whose forecast exceeds the budget by more than the threshold, once per
    quarter."""
    return alerts.check_budget_overruns(today=date.fromisoformat(today) if today else None)
