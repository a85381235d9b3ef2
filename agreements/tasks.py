"""Celery tasks of the agreements app: thin wrappers around service functions, registered by name."""

from __future__ import annotations

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from .services.lines import renew_agreements
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


@shared_task(name="agreements.renew_agreements_task")
def renew_agreements_task(*, year: int | None = None, years_ahead: int = 0) -> int:
    """Yearly: every agreement in force in ``year`` (default this year plus ``years_ahead``) gets its
    lines for that year from the latest earlier year's volumes. Safe to run twice: a year with lines
    is left alone."""
    year = year if year is not None else timezone.localdate().year + years_ahead
    return renew_agreements(year=year)
