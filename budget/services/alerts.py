"""The budget watched: reminders of letter deadlines to Leiden's staff, and overrun alerts to a
municipality whose forecast exceeds its budget (both once, recorded in a row; run daily from tasks)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from billing.selectors import customers_to_bill
from tenants.models import Organisation
from tenants.roles import Role

from ..models import BudgetAlert, DeadlineReminder
from ..selectors import Realisation, current_letter, deadline_of, realisation_of
from .issuing import CUSTOMER_RECIPIENTS, emails_of
from .letters import Percent, parse_percent

REMINDER_LEAD_DAYS = 14


def send_deadline_reminders(*, today: date | None = None, lead_days: int = REMINDER_LEAD_DAYS) -> int:
    """Remind Leiden's staff of every letter deadline within ``lead_days`` that has no issued letter yet,
    once per deadline. Looks at this year and next (a deadline lies in the year before its letter)."""
    today = today or timezone.localdate()
    sent = 0
    for year in (today.year, today.year + 1):
        for customer in customers_to_bill():
            deadline = deadline_of(customer=customer, year=year)
            if not today <= deadline <= today + timedelta(days=lead_days):
                continue
            sent += _remind(customer=customer, year=year, deadline=deadline, today=today)
    return sent


@transaction.atomic
def _remind(*, customer: Organisation, year: int, deadline: date, today: date) -> int:
    Organisation.objects.select_for_update().get(pk=customer.pk)
    if current_letter(customer=customer, year=year) is not None:
        return 0
    if DeadlineReminder.objects.filter(customer=customer, year=year, deadline=deadline).exists():
        return 0
    provider_ids = Organisation.objects.filter(kind=Organisation.Kind.PROVIDER).values("pk")
    recipients = emails_of(organisation_ids=provider_ids, roles=(Role.PROVIDER_STAFF,))
    DeadlineReminder.objects.create(
        customer=customer, year=year, deadline=deadline, recipients=", ".join(recipients)
    )
    if recipients:
        with translation.override("nl"):
            subject = _("Begrotingsbrief %(year)s voor %(customer)s: uiterlijk %(date)s") % {
                "year": year,
                "customer": customer.name,
                "date": deadline.strftime("%d-%m-%Y"),
            }
            body = render_to_string(
                "budget/email/deadline_reminder.txt",
                {
                    "customer": customer,
                    "year": year,
                    "deadline": deadline,
                    "days_left": (deadline - today).days,
                },
            )
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return 1


def check_budget_overruns(
    *, today: date | None = None, threshold: Percent | None = None, notify: bool = True
) -> int:
    """Alert each customer whose forecast for this year exceeds its budget by more than the threshold
    (``BUDGET_ALERT_THRESHOLD_PERCENT``, default 5): dashboard and e-mail to its contract managers and
    finance, once per quarter (a ``BudgetAlert`` row records it). Returns the number of alerts made."""
    today = today or timezone.localdate()
    limit = parse_percent(settings.BUDGET_ALERT_THRESHOLD_PERCENT if threshold is None else threshold)
    quarter = (today.month - 1) // 3 + 1
    made = 0
    for customer in customers_to_bill():
        realisation = realisation_of(customer=customer, year=today.year, today=today)
        if realisation is None or not realisation.exceeds(limit):
            continue
        made += _alert(
            customer=customer, year=today.year, quarter=quarter, realisation=realisation, notify=notify
        )
    return made


@transaction.atomic
def _alert(
    *, customer: Organisation, year: int, quarter: int, realisation: Realisation, notify: bool = True
) -> int:
    letter, budget = realisation.letter, realisation.total.budget
    if letter is None or budget is None:  # without an issued letter there is no budget to exceed
        return 0
    Organisation.objects.select_for_update().get(pk=customer.pk)
    if BudgetAlert.objects.filter(customer=customer, year=year, quarter=quarter).exists():
        return 0
    recipients = emails_of(organisation_ids=[customer.pk], roles=CUSTOMER_RECIPIENTS)
    alert = BudgetAlert.objects.create(
        customer=customer,
        year=year,
        quarter=quarter,
        letter=letter,
        budget=budget,
        forecast=realisation.total.forecast,
        deviation_percent=realisation.total.deviation_percent or Decimal(0),
        recipients=", ".join(recipients),
    )
    if recipients and notify:
        with translation.override("nl"):
            subject = _("Prognose %(year)s boven de begroting: %(customer)s") % {
                "year": year,
                "customer": customer.name,
            }
            body = render_to_string(
                "budget/email/overrun_alert.txt", {"alert": alert, "realisation": realisation}
            )
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients))
    return 1
