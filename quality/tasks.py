"""Celery tasks of the quality app: thin wrappers taking ids or dates, safe to run twice."""

from __future__ import annotations

from datetime import date

from celery import shared_task
from django.utils import timezone

from .services import reports


@shared_task(name="quality.generate_quarterly_reports_task")
def generate_quarterly_reports_task(*, today: str | None = None) -> list[int]:
    """Daily from beat: issue the last full quarter's reports that do not exist yet (none after the
    first run of a quarter). Returns the ids of the reports it issued."""
    day = date.fromisoformat(today) if today else timezone.localdate()
    return [report.pk for report in reports.generate_quarterly_reports(today=day)]


@shared_task(name="quality.send_report_notification_task")
def send_report_notification_task(*, report_id: int) -> int:
    """E-mail the contract managers that a report is out; a second delivery sends nothing."""
    return reports.send_report_notification(report_id=report_id)
