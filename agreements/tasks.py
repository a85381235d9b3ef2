"""Celery tasks of the agreements app: thin wrappers around service functions, registered by name."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings

from .services.notifications import send_change_request_mail, send_notice_reminders


@shared_task(name="agreements.send_notice_reminders_task")
def send_notice_reminders_task() -> int:
    """Daily: warn contract managers of notice deadlines within NOTICE_LEAD_DAYS, once per deadline."""
    if settings.NOTICE_LEAD_DAYS <= 0:
        return 0
    return send_notice_reminders()


@shared_task(name="agreements.send_change_request_mail_task")
def send_change_request_mail_task(*, request_id: int, event: str) -> int:
    """After a change request is submitted or decided: tell the other side by e-mail."""
    return send_change_request_mail(request_id=request_id, event=event)

