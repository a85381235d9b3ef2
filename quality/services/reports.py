"""Quarterly reports issued (once per customer and quarter, never changed) and the e-mail that says so."""

from __future__ import annotations

from datetime import date, datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from billing.selectors import customers_to_bill
from core.periods import Period
from core.tasks import enqueue
from tenants.models import Organisation
from tenants.types import User

from ..models import QuarterlyReport
from ..selectors import last_full_quarter

NOTIFY_TASK = "quality.send_report_notification_task"


@transaction.atomic
def issue_quarterly_report(
    *,
    customer: Organisation,
    period: Period,
    by: User | None = None,
    notify: bool = True,
    now: datetime | None = None,
) -> tuple[QuarterlyReport, bool]:
    """Issue the report of ``customer`` for a finished quarter, once: a second call returns the stored
    report unchanged. The figures and the HTML are stored as they are now, so the report never changes.
    The customer's contract managers are e-mailed from a task after the commit."""
    from ..reports import build_figures, render_report_html

    quarter = period.quarter
    if quarter is None:  # a month or a whole year
        raise ValidationError(_("Een kwartaalrapportage hoort bij een kwartaal, bijvoorbeeld 2025-Q1."))
    now = now or timezone.now()
    if period.end >= timezone.localtime(now).date():
        raise ValidationError(
            _("Het kwartaal %(period)s is nog niet voorbij.") % {"period": f"{period.year}-Q{quarter}"}
        )
    Organisation.objects.select_for_update().filter(pk=customer.pk).first()
    existing = QuarterlyReport.objects.filter(customer=customer, year=period.year, quarter=quarter).first()
    if existing is not None:
        return existing, False
    figures = build_figures(customer=customer, period=period, issued_at=now)
    report = QuarterlyReport.objects.create(
        customer=customer,
        year=period.year,
        quarter=quarter,
        issued_at=now,
        issued_by=by if getattr(by, "is_authenticated", False) else None,
        figures=figures,
        html=render_report_html(figures),
    )
    if notify:
        enqueue(NOTIFY_TASK, report_id=report.pk)
    return report, True


def generate_quarterly_reports(
    *, today: date | None = None, period: Period | None = None, by: User | None = None, notify: bool = True
) -> list[QuarterlyReport]:
    """The reports of the last full quarter (or ``period``) for every customer that has none yet.

    Run daily by beat: the first run after a quarter ends issues them, later runs find them issued."""
    today = today or timezone.localdate()
    period = period or last_full_quarter(today)
    created: list[QuarterlyReport] = []
    for customer in customers_to_bill().filter(active_from__lte=period.end):
        report, is_new = issue_quarterly_report(customer=customer, period=period, by=by, notify=notify)
        if is_new:
            created.append(report)
    return created


def send_report_notification(*, report_id: int) -> int:
    """E-mail the customer's contract managers that a report is out; once per report (the guarded update
    claims it). Returns the number of recipients."""
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string
    from django.urls import reverse
    from django.utils import translation

    from tenants.models import Membership
    from tenants.roles import Role

    claimed = QuarterlyReport.objects.filter(pk=report_id, notified_at__isnull=True).update(
        notified_at=timezone.now()
    )
    if not claimed:
        return 0
    report = QuarterlyReport.objects.select_related("customer").get(pk=report_id)
    recipients = sorted(
        {
            email
            for email in Membership.objects.filter(
                organisation=report.customer, role=Role.CONTRACT_MANAGER
            ).values_list("user__email", flat=True)
            if email
        }
    )
    if not recipients:
        return 0
    with translation.override("nl"):
        context = {"report": report, "path": reverse("quality:report_detail", kwargs={"pk": report.pk})}
        subject = _("Kwartaalrapportage %(period)s voor %(org)s") % {
            "period": report.period_label,
            "org": report.customer.name,
        }
        body = render_to_string("quality/email/report_issued.txt", context)
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    return len(recipients)
