"""Celery tasks of the agreements app: thin wrappers around service functions."""

from celery import shared_task
from django.conf import settings

from .services import send_notice_reminders


@shared_task(name="agreements.send_notice_reminders")
def send_notice_reminders_task() -> int:
    """Daily: warn contract managers of notice deadlines within NOTICE_LEAD_DAYS, once per deadline."""
    if settings.NOTICE_LEAD_DAYS <= 0:
        return 0
    return send_notice_reminders()
